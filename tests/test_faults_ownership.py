"""Cloud kill -9 in the middle of each ownership flow (unbind with a code, force unbinding
answered by the previous user, a dealer unbind after a rejection): after the restart the
database passes PRAGMA integrity_check and every flow completes or is cleanly refused, and the
car shows it. (Register and scan are in test_faults.py; a pending force unbind left to its
72-hour deadline across a crash is in test_force_unbind_flow.py.)"""

from __future__ import annotations

import pytest

from tests.support.faults import integrity_check
from tests.support.headunit import state
from tests.support.ownership import (
    DEALER_TOKEN,
    VIN,
    bind,
    cloud_cli,
    codes_of,
    logout_at_car,
    refused_scan,
    retained_session,
    start,
)

pytestmark = pytest.mark.integration


def crash_and_restart(sys_) -> None:  # noqa: ANN001
    sys_.cloud.kill9()
    assert integrity_check(sys_.root / "cloud" / "cloud.sqlite3") == "ok"
    sys_.start_cloud("--dealer-token", DEALER_TOKEN)


def ann_bound_bob_asking(system_on, broker_url: str):  # noqa: ANN001
    sys_, hu = start(system_on, broker_url)
    sys_.new_user("ann", "Ann Hansen")
    sys_.new_user("bob", "Bob Berg")
    bind(sys_, hu, "ann", "Ann Hansen")
    logout_at_car(hu)
    refused_scan(sys_, hu, "bob")
    r = sys_.phone("bob", "force-unbind", VIN, "--yes")
    assert r["rc"] == 0 and r["result"]["result"] == "requested", r
    return sys_, hu, r["result"]["request"]


def test_kill_9_between_the_unbind_code_and_the_unbind_the_code_still_unbinds_once(
        system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    bind(sys_, hu, "ann", "Ann Hansen")
    assert sys_.phone("ann", "unbind", VIN, "--send-code")["rc"] == 0
    body = sys_.phone("ann", "inbox", "ann@example.com")["result"][0]["body"]
    code = next(w for w in body.replace(".", " ").split() if w.isdigit() and len(w) == 6)

    crash_and_restart(sys_)
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]  # nothing happened yet
    since = hu.mark()
    r = sys_.phone("ann", "unbind", VIN, "--code", code)
    assert r["rc"] == 0 and r["result"]["result"] == "unbound", r
    state(hu, "no_user", since=since, binding=None, timeout=30)
    again = sys_.phone("ann", "unbind", VIN, "--code", code)
    assert again["rc"] == 1 and again["error"]["code"] == "not_bound_to_you"
    assert retained_session(mosquitto.url).binding is None


def test_kill_9_while_a_force_unbind_waits_the_previous_user_can_still_agree(
        system_on, mosquitto):
    sys_, hu, request = ann_bound_bob_asking(system_on, mosquitto.url)
    crash_and_restart(sys_)
    since = hu.mark()
    r = sys_.phone("ann", "answer", "agree", request["request_id"])
    assert r["rc"] == 0 and r["result"]["result"] == "unbound", r
    line = state(hu, "no_user", since=since, notice="unbind_completed", timeout=30)
    assert line["binding"] is None
    assert codes_of(sys_, "bob")[0] == "unbind_completed"
    # answered once: a second answer is refused cleanly
    r = sys_.phone("ann", "answer", "reject", request["request_id"])
    assert r["rc"] == 1 and r["error"]["code"] == "force_unbind_closed", r
    bind(sys_, hu, "bob", "Bob Berg")


def test_kill_9_after_a_rejection_the_dealer_unbind_completes(system_on, mosquitto):
    sys_, hu, request = ann_bound_bob_asking(system_on, mosquitto.url)
    r = sys_.phone("ann", "answer", "reject", request["request_id"])
    assert r["rc"] == 0, r
    crash_and_restart(sys_)
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]  # a rejection keeps the car
    since = hu.mark()
    r = cloud_cli(sys_, "dealer", "unbind", "--vin", VIN, "--case", "MG-2024-0099",
                  "--dealer", "MG Aarhus", "--reason", "registration papers seen")
    assert r["rc"] == 0, r
    state(hu, "no_user", since=since, binding=None, timeout=30)
    assert retained_session(mosquitto.url).binding is None
    crash_and_restart(sys_)  # and the dealer's unbind is durable
    assert sys_.phone("ann", "vehicles")["result"] == []
