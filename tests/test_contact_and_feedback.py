"""Contact us and Feedback (seed section 8), and bad input to the new endpoints and commands:
real cloud process, phone CLI, ismart-cloud CLI."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.support.ownership import VIN, admin, bind, cloud_cli, logout_at_car, start
from tests.support.procs import program

pytestmark = pytest.mark.integration
SUPPORT = "mg.europe@ismart-service.com"


def test_contact_us_shows_the_support_address_with_a_mailto_link(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    r = sys_.phone("ann", "contact")
    assert r["rc"] == 0 and r["result"]["email"] == SUPPORT
    assert r["result"]["mailto"].startswith(f"mailto:{SUPPORT}?subject=")
    human = subprocess.run([program("ismart-phone"), "--cloud", sys_.cloud_url, "contact"],
                           capture_output=True, text=True, timeout=30)
    assert human.returncode == 0 and f"Contact us: {SUPPORT}" in human.stdout
    assert httpx.get(sys_.cloud_url + "/api/v1/support").json()["email"] == SUPPORT

    # the head unit shows it too
    assert hu.lines[-1]["support_email"] == SUPPORT
    since = hu.mark()
    hu.send({"cmd": "contact"})
    line = hu.wait_for(lambda x: x["event"] == "contact", 10, "contact line", since=since)
    assert line["email"] == SUPPORT and line["mailto"].startswith("mailto:")


def test_feedback_is_stored_and_listed_by_the_cloud(system_on, mosquitto):
    sys_, _ = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    r = sys_.phone("ann", "feedback", "The QR code is hard to scan in sunlight.")
    assert r["rc"] == 0 and "Thank you" in r["result"]["message"], r
    r = sys_.phone("ann", "feedback", "   ")
    assert r["rc"] == 1 and r["error"]["code"] == "invalid_request", r

    listed = subprocess.run([program("ismart-cloud"), "feedback", "list", "--data-dir",
                             str(sys_.root / "cloud")], capture_output=True, text=True,
                            timeout=30)
    assert listed.returncode == 0, listed.stderr
    assert "Ann Hansen <ann@example.com>: The QR code is hard to scan in sunlight." in \
        listed.stdout
    remote = cloud_cli(sys_, "feedback", "list")
    assert [f["text"] for f in remote["result"]["feedback"]] == [
        "The QR code is hard to scan in sunlight."]


def test_bad_input_to_the_ownership_api_is_refused_and_changes_nothing(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    bind(sys_, hu, "ann", "Ann Hansen")
    token = json.loads((sys_.root / "phone-ann" / "session.json").read_text())["token"]
    phone = {"Authorization": f"Bearer {token}"}
    bad = [
        ("POST", f"/api/v1/vehicles/{VIN}/unbind", {"code": "12a456"}, phone),
        ("POST", f"/api/v1/vehicles/{VIN}/unbind", {"code": "123456", "x": 1}, phone),
        ("POST", "/api/v1/vehicles/NOT-A-VIN/unbind-code", None, phone),
        ("POST", f"/api/v1/vehicles/{VIN}/unbind", {"code": "123456"}, {}),
        ("POST", f"/api/v1/vehicles/{VIN}/force-unbind", {"confirm_push": "yes"}, phone),
        ("POST", "/api/v1/force-unbind-requests/zzz/answer", {"answer": "agree"}, phone),
        ("POST", "/api/v1/force-unbind-requests/0123456789abcdef/answer", {"answer": "maybe"},
         phone),
        ("POST", "/api/v1/notifications/mark-read", {"ids": ["one"]}, phone),
        ("POST", "/api/v1/feedback", {"text": "x" * 2001}, phone),
        ("POST", f"/api/v1/dealer/vehicles/{VIN}/unbind", {"case": ""}, {}),
        ("POST", "/api/v1/admin/time/advance", {"seconds": -5}, {}),
    ]
    for method, path, body, headers in bad:
        r = httpx.request(method, sys_.cloud_url + path, json=body, headers=headers, timeout=15)
        assert 400 <= r.status_code < 500, (path, body, r.status_code, r.text)
        assert r.json()["error"]["code"] and r.json()["error"]["message"], r.text
    r = admin(sys_, "POST", "/api/v1/admin/time/advance", {"seconds": -5})
    assert r.status_code == 400 and "seconds" in r.json()["error"]["message"]
    r = admin(sys_, "POST", f"/api/v1/dealer/vehicles/{VIN}/unbind", {"case": "  "},
              token="test-dealer-wrong")
    assert r.status_code == 403

    before = cloud_cli(sys_, "time", "show")["result"]["now"]
    r = subprocess.run([program("ismart-cloud"), "time", "advance", "soon", "--cloud",
                        sys_.cloud_url], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "cannot read duration 'soon'; write e.g. 72h" in r.stderr
    assert cloud_cli(sys_, "time", "show")["result"]["now"] - before < 60
    r = cloud_cli(sys_, "dealer", "unbind", "--vin", VIN, "--case", "   ")
    assert r["rc"] == 1 and r["error"]["code"] == "invalid_request", r
    assert "case number" in r["error"]["message"]
    r = sys_.phone("ann", "answer", "agree")
    assert r["rc"] == 1 and r["error"]["code"] == "force_unbind_not_found", r

    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]
    logout_at_car(hu)
    assert hu.lines[-1]["binding"]["display_name"] == "Ann Hansen"
