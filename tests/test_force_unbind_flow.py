"""Force unbinding end to end through a real mosquitto, the cloud and a headless head unit:
Agree, no answer for 72 hours of clock time, Reject then a dealer (CLI and HTTP), a second
request while one is pending, new users racing for the same car, and a kill -9 of the cloud
while a request is pending."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from tests.support.headunit import state
from tests.support.ownership import (
    DEALER_TOKEN,
    VIN,
    admin,
    advance,
    bind,
    cloud_cli,
    codes_of,
    current_qr,
    logout_at_car,
    notifications,
    refused_scan,
    retained_session,
    start,
)

pytestmark = pytest.mark.integration
HOURS_72 = 72 * 3600


def ann_bound_bob_at_the_car(system_on, broker_url: str):
    """Ann's car; Ann logged out at the car; Bob scans it and is refused (offered force
    unbinding). Returns (system, head unit, Bob's refused scan)."""
    sys_, hu = start(system_on, broker_url)
    sys_.new_user("ann", "Ann Hansen")
    sys_.new_user("bob", "Bob Berg")
    bind(sys_, hu, "ann", "Ann Hansen")
    logout_at_car(hu)
    since = hu.mark()
    r = refused_scan(sys_, hu, "bob")
    state(hu, "no_user", since=since, notice="bound_to_other_user")
    return sys_, hu, r


def request_force_unbind(sys_, hu, who: str = "bob") -> dict:
    since = hu.mark()
    r = sys_.phone(who, "force-unbind", VIN, "--yes")
    assert r["rc"] == 0 and r["result"]["result"] == "requested", r
    line = state(hu, "no_user", since=since, notice="force_unbind_requested")
    assert line["force_unbind"]["status"] == "pending"
    assert line["binding"]["display_name"] == "Ann Hansen"
    return r["result"]["request"]


def test_agree_unbinds_at_once_and_the_new_user_binds(system_on, mosquitto):
    sys_, hu, refused = ann_bound_bob_at_the_car(system_on, mosquitto.url)
    assert refused["error"]["details"] == {"vin": VIN, "force_unbind": "available"}
    assert f"ismart-phone force-unbind {VIN}" in refused["error"]["message"]

    r = sys_.phone("bob", "force-unbind", VIN)  # not confirmed (no terminal, no --yes)
    assert r["rc"] == 1 and r["error"]["code"] == "confirmation_required", r
    request = request_force_unbind(sys_, hu)
    assert request["deadline"] - request["requested"] == HOURS_72
    assert retained_session(mosquitto.url).force_unbind.status == "pending"

    ann = notifications(sys_, "ann")
    assert ann["unread"] == 1
    push = ann["notifications"][0]
    assert push["code"] == "force_unbind_request" and push["actions"] == ["agree", "reject"]
    assert push["request_id"] == request["request_id"]
    assert "Agree" in push["text"] and "…0001" in push["text"]
    assert codes_of(sys_, "bob") == ["force_unbind_sent"]

    since = hu.mark()
    r = sys_.phone("ann", "answer", "agree")  # the one request waiting for Ann
    assert r["rc"] == 0 and r["result"]["result"] == "unbound", r
    line = state(hu, "no_user", since=since, notice="unbind_completed")
    assert line["binding"] is None and line["force_unbind"] is None
    assert line["notice_params"] == {"by": "agreed"}
    assert retained_session(mosquitto.url).binding is None

    bob = notifications(sys_, "bob")
    assert bob["notifications"][0]["code"] == "unbind_completed"
    assert "previous user agreed" in bob["notifications"][0]["text"]
    ann = notifications(sys_, "ann")["notifications"]
    assert [n["code"] for n in ann] == ["binding_removed", "force_unbind_request"]
    assert ann[1]["actions"] == []  # answered: nothing left to answer
    r = sys_.phone("ann", "notifications", "--mark-read")
    assert r["result"]["unread"] == 0 and r["result"]["marked"] == 2
    assert all(n["read"] for n in r["result"]["notifications"])
    assert notifications(sys_, "ann")["unread"] == 0

    bind(sys_, hu, "bob", "Bob Berg")
    assert retained_session(mosquitto.url).binding.display_name == "Bob Berg"
    r = sys_.phone("ann", "answer", "reject", request["request_id"])
    assert r["rc"] == 1 and r["error"]["code"] == "force_unbind_closed", r


def test_no_answer_for_72_hours_of_clock_time_completes_the_unbind(system_on, mosquitto):
    sys_, hu, _ = ann_bound_bob_at_the_car(system_on, mosquitto.url)
    request_force_unbind(sys_, hu)

    advance(sys_, "71h")
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]
    assert hu.lines[-1]["force_unbind"]["status"] == "pending"

    since = hu.mark()
    advance(sys_, "1h")
    line = state(hu, "no_user", since=since, notice="unbind_completed")
    assert line["notice_params"] == {"by": "timed_out"} and line["binding"] is None
    assert sys_.phone("ann", "vehicles")["result"] == []
    assert codes_of(sys_, "ann")[0] == "binding_removed"
    assert "did not answer a force unbind request within 72 hours" in \
        notifications(sys_, "ann")["notifications"][0]["text"]
    assert codes_of(sys_, "bob")[0] == "unbind_completed"
    r = sys_.phone("ann", "answer", "reject")
    assert r["rc"] == 1 and r["error"]["code"] == "force_unbind_not_found", r
    entries = cloud_cli(sys_, "dealer", "audit", "--vin", VIN)["result"]["entries"]
    assert entries[0]["action"] == "force_unbind_timed_out" and entries[0]["actor"] == "cloud"


@pytest.mark.parametrize("via", ["cli", "http"])
def test_reject_then_a_dealer_unbinds_with_an_audit_entry(system_on, mosquitto, via):
    sys_, hu, _ = ann_bound_bob_at_the_car(system_on, mosquitto.url)
    request_force_unbind(sys_, hu)

    since = hu.mark()
    r = sys_.phone("ann", "answer", "reject")
    assert r["rc"] == 0 and r["result"]["result"] == "rejected", r
    line = state(hu, "no_user", since=since, notice="force_unbind_rejected")
    assert line["force_unbind"]["status"] == "rejected"
    assert line["binding"]["display_name"] == "Ann Hansen"
    told = notifications(sys_, "bob")["notifications"][0]
    assert told["code"] == "force_unbind_rejected" and "MG dealer" in told["text"]

    r = refused_scan(sys_, hu, "bob")  # asking again leads to the dealer
    assert r["error"]["details"]["force_unbind"] == "rejected"
    r = sys_.phone("bob", "force-unbind", VIN, "--yes")
    assert r["rc"] == 1 and r["error"]["code"] == "force_unbind_rejected", r
    advance(sys_, "73h")  # a rejected request never completes by itself
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]

    since = hu.mark()
    if via == "cli":
        r = cloud_cli(sys_, "dealer", "unbind", "--vin", VIN, "--case", "MG-2024-0042",
                      "--dealer", "MG Aarhus", token="wrong-token")
        assert r["rc"] == 1 and r["error"]["code"] == "not_authenticated", r
        r = cloud_cli(sys_, "dealer", "unbind", "--vin", VIN, "--case", "MG-2024-0042",
                      "--dealer", "MG Aarhus", "--reason", "registration papers seen")
        assert r["rc"] == 0, r
        entry = r["result"]["audit"]
    else:
        r = admin(sys_, "POST", f"/api/v1/dealer/vehicles/{VIN}/unbind",
                  {"case": "MG-2024-0042", "dealer": "MG Aarhus",
                   "reason": "registration papers seen"})  # the admin token is no dealer
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_authenticated"
        r = admin(sys_, "POST", f"/api/v1/dealer/vehicles/{VIN}/unbind",
                  {"case": "MG-2024-0042", "dealer": "MG Aarhus",
                   "reason": "registration papers seen"}, token=DEALER_TOKEN)
        assert r.status_code == 200, r.text
        entry = r.json()["audit"]
    assert entry["action"] == "dealer_unbind" and entry["actor"] == "dealer:MG Aarhus"
    assert entry["reason"] == "case MG-2024-0042: registration papers seen"
    assert entry["vin"] == VIN and entry["at"] > 0 and entry["real_at"] > 0

    line = state(hu, "no_user", since=since, notice="unbind_completed")
    assert line["notice_params"] == {"by": "dealer"} and line["binding"] is None
    assert codes_of(sys_, "bob")[0] == "unbind_completed"
    assert "case MG-2024-0042" in notifications(sys_, "ann")["notifications"][0]["text"]
    log = admin(sys_, "GET", f"/api/v1/dealer/audit?vin={VIN}", token=DEALER_TOKEN).json()
    assert [e["action"] for e in log["entries"]][:3] == [
        "dealer_unbind", "force_unbind_rejected", "force_unbind_requested"]
    r = cloud_cli(sys_, "dealer", "unbind", "--vin", VIN, "--case", "MG-2024-0043")
    assert r["rc"] == 1 and r["error"]["code"] == "car_not_bound", r
    bind(sys_, hu, "bob", "Bob Berg")


def test_a_second_request_while_one_is_pending_is_refused(system_on, mosquitto):
    sys_, hu, _ = ann_bound_bob_at_the_car(system_on, mosquitto.url)
    request_force_unbind(sys_, hu)
    sys_.new_user("cat", "Cat Carlsen")
    r = refused_scan(sys_, hu, "cat")
    assert r["error"]["details"]["force_unbind"] == "pending"
    assert "already waiting" in r["error"]["message"]
    for who in ("cat", "bob"):
        r = sys_.phone(who, "force-unbind", VIN, "--yes")
        assert r["rc"] == 1 and r["error"]["code"] == "force_unbind_pending", r
        assert "It completes at the latest at" in r["error"]["message"]
    assert codes_of(sys_, "ann") == ["force_unbind_request"]  # one push, not three
    assert codes_of(sys_, "cat") == []


def test_new_users_racing_for_the_same_car_exactly_one_wins(system_on, mosquitto):
    sys_, hu, _ = ann_bound_bob_at_the_car(system_on, mosquitto.url)
    sys_.new_user("cat", "Cat Carlsen")
    refused_scan(sys_, hu, "cat")
    tokens = {who: _token(sys_, who) for who in ("bob", "cat")}

    # both ask for a force unbind at the same moment
    results = _race(sys_, {who: ("POST", f"/api/v1/vehicles/{VIN}/force-unbind",
                                 {"confirm_push": True}) for who in tokens}, tokens)
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [201, 409], {w: r.text for w, r in results.items()}
    winner = next(w for w, r in results.items() if r.status_code == 201)
    loser = next(w for w in results if w != winner)
    assert results[loser].json()["error"]["code"] == "force_unbind_pending"
    assert codes_of(sys_, "ann") == ["force_unbind_request"]
    pending = [q for q in sys_.phone("ann", "force-requests")["result"] if q["status"] == "pending"]
    assert len(pending) == 1

    assert sys_.phone("ann", "answer", "agree")["rc"] == 0
    state(hu, "no_user", since=max(0, hu.mark() - 1), binding=None)

    # the car is free: both scan the same login QR at the same moment; one code, one winner
    content = current_qr(hu, "login")["qr"]["content"]
    since = hu.mark()
    results = _race(sys_, {who: ("POST", "/api/v1/scans", {"content": content})
                           for who in tokens}, tokens)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [201, 400], {w: r.text for w, r in results.items()}
    first = next(w for w, r in results.items() if r.status_code == 201)
    other = next(w for w in results if w != first)
    assert results[other].json()["error"]["code"] == "token_used"
    r = httpx.post(f"{sys_.cloud_url}/api/v1/scans/{results[first].json()['scan_id']}/confirm",
                   headers={"Authorization": f"Bearer {tokens[first]}"}, timeout=15)
    assert r.json()["result"] == "logged_in"
    name = {"bob": "Bob Berg", "cat": "Cat Carlsen"}[first]
    line = state(hu, "logged_in", since=since)
    assert line["user"]["display_name"] == name


def test_a_pending_request_survives_a_kill_9_of_the_cloud(system_on, mosquitto):
    sys_, hu, _ = ann_bound_bob_at_the_car(system_on, mosquitto.url)
    request = request_force_unbind(sys_, hu)
    before = advance(sys_, "10h")["now"]

    sys_.cloud.kill9()
    sys_.start_cloud("--dealer-token", DEALER_TOKEN)
    after = cloud_cli(sys_, "time", "show")["result"]["now"]
    assert after >= before  # the advanced clock did not move back
    kept = [q for q in sys_.phone("bob", "force-requests")["result"]
            if q["request_id"] == request["request_id"]]
    assert kept and kept[0]["status"] == "pending"
    assert kept[0]["deadline"] == request["deadline"]  # not reset by the restart
    assert retained_session(mosquitto.url).force_unbind.status == "pending"

    since = hu.mark()
    advance(sys_, "62h")
    line = state(hu, "no_user", since=since, notice="unbind_completed", timeout=30)
    assert line["binding"] is None and line["notice_params"] == {"by": "timed_out"}
    assert codes_of(sys_, "ann")[0] == "binding_removed"
    assert codes_of(sys_, "bob")[0] == "unbind_completed"
    assert retained_session(mosquitto.url).binding is None


def _token(sys_, who: str) -> str:
    return json.loads((sys_.root / f"phone-{who}" / "session.json").read_text())["token"]


def _race(sys_, calls: dict, tokens: dict) -> dict[str, httpx.Response]:
    """Send each user's call at the same moment (threads behind a barrier)."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, httpx.Response] = {}

    def go(who: str) -> None:
        method, path, body = calls[who]
        with httpx.Client(base_url=sys_.cloud_url, timeout=15,
                          headers={"Authorization": f"Bearer {tokens[who]}"}) as c:
            c.get("/healthz")  # connected before the barrier
            barrier.wait()
            results[who] = c.request(method, path, json=body)

    threads = [threading.Thread(target=go, args=(w,)) for w in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results
