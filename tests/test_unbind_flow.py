"""Unbind from the phone with a verification code, end to end through a real mosquitto, the
cloud and a headless head unit: the right code, five wrong codes, an expired code."""

from __future__ import annotations

import pytest

from tests.support.headunit import state
from tests.support.ownership import (
    VIN,
    advance,
    bind,
    codes_of,
    current_qr,
    logout_at_car,
    notifications,
    retained_session,
    start,
)

pytestmark = pytest.mark.integration


def test_unbind_with_the_right_code_sends_the_car_back_to_the_login_qr(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    bind(sys_, hu, "ann", "Ann Hansen")

    since = hu.mark()
    r = sys_.phone("ann", "unbind", VIN)  # asks for a code, reads the inbox, confirms
    assert r["rc"] == 0, r
    assert r["result"]["result"] == "unbound"
    assert "no longer bound" in r["result"]["message"]
    inbox = sys_.phone("ann", "inbox", "ann@example.com")["result"]
    assert "code to unbind MG4 Electric" in inbox[0]["body"] and "5 minutes" in inbox[0]["body"]

    line = state(hu, "no_user", since=since, notice="binding_removed")
    assert line["binding"] is None and line["user"] is None and not line["bound"]
    assert current_qr(hu, "login")["qr"]["content"].startswith(sys_.cloud_url)
    retained = retained_session(mosquitto.url)
    assert retained.binding is None and retained.user is None
    assert sys_.phone("ann", "vehicles")["result"] == []
    assert codes_of(sys_, "ann") == ["binding_removed"]

    # the code was single-use
    r = sys_.phone("ann", "unbind", VIN, "--code", "000000")
    assert r["rc"] == 1 and r["error"]["code"] == "not_bound_to_you", r


def test_five_wrong_codes_lock_the_code_until_a_new_one_is_sent(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    bind(sys_, hu, "ann", "Ann Hansen")

    r = sys_.phone("ann", "unbind", VIN, "--send-code")
    assert r["rc"] == 0 and r["result"]["expires_in"] == 300, r
    body = sys_.phone("ann", "inbox", "ann@example.com")["result"][0]["body"]
    right = next(w for w in body.replace(".", " ").split() if w.isdigit() and len(w) == 6)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = sys_.phone("ann", "unbind", VIN, "--code", wrong)
        assert r["rc"] == 1 and r["error"]["code"] == "code_invalid", r
        assert f"{left} tr" in r["error"]["message"]
    r = sys_.phone("ann", "unbind", VIN, "--code", wrong)
    assert r["error"]["code"] == "code_locked", r
    r = sys_.phone("ann", "unbind", VIN, "--code", right)  # even the right one: a new code is needed
    assert r["error"]["code"] == "code_locked", r
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]

    r = sys_.phone("ann", "unbind", VIN, "--send-code")
    assert r["rc"] == 1 and r["error"]["code"] == "code_too_soon", r  # one a minute
    advance(sys_, "61s")
    since = hu.mark()
    r = sys_.phone("ann", "unbind", VIN)
    assert r["rc"] == 0 and r["result"]["result"] == "unbound", r
    state(hu, "no_user", since=since, binding=None, notice="binding_removed")


def test_an_expired_code_is_refused_and_the_car_stays_bound(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    bind(sys_, hu, "ann", "Ann Hansen")

    assert sys_.phone("ann", "unbind", VIN, "--send-code")["rc"] == 0
    body = sys_.phone("ann", "inbox", "ann@example.com")["result"][0]["body"]
    code = next(w for w in body.replace(".", " ").split() if w.isdigit() and len(w) == 6)
    advance(sys_, "5m")
    r = sys_.phone("ann", "unbind", VIN, "--code", code)
    assert r["rc"] == 1 and r["error"]["code"] == "code_expired", r
    assert "Ask for a new one" in r["error"]["message"]
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]
    assert retained_session(mosquitto.url).binding.display_name == "Ann Hansen"
    assert hu.lines[-1]["state"] == "bound"
    assert notifications(sys_, "ann")["unread"] == 0


def test_logging_out_at_the_car_or_from_the_phone_keeps_the_binding(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    bind(sys_, hu, "ann", "Ann Hansen")

    line = logout_at_car(hu)  # the User menu's Log out on the head unit
    assert line["notice"] == "logged_out" and line["binding"]["display_name"] == "Ann Hansen"
    since = hu.mark()
    r = sys_.phone("ann", "scan", current_qr(hu, "login")["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r  # the owner: one scan
    state(hu, "bound", since=since)

    since = hu.mark()
    r = sys_.phone("ann", "car-logout", VIN)  # from the phone
    assert r["rc"] == 0 and r["result"]["result"] == "logged_out", r
    out = state(hu, "no_user", since=since, notice="logged_out_by_cloud")
    assert out["binding"]["display_name"] == "Ann Hansen"
    assert retained_session(mosquitto.url).binding.display_name == "Ann Hansen"

    r = sys_.phone("ann", "logout")  # the phone's own session
    assert r["rc"] == 0
    r = sys_.phone("ann", "vehicles")
    assert r["rc"] == 1 and r["error"]["code"] == "not_authenticated", r
