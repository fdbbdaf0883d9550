"""The seed's "switching user" story as one integration test (seed sections 5 and 6): user A
is bound; A logs out at the car and unbinds from the phone; B logs in and binds; the head unit
shows B's profile. Real mosquitto, cloud and headless head unit processes; the phone CLI."""

from __future__ import annotations

import pytest

from tests.support.headunit import state
from tests.support.ownership import (
    VIN,
    bind,
    codes_of,
    current_qr,
    logout_at_car,
    refused_scan,
    retained_session,
    start,
)


@pytest.mark.integration
def test_switch_user_a_unbinds_then_b_logs_in_binds_and_the_car_shows_b(system_on, mosquitto):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen")
    sys_.new_user("bob", "Bob Berg")

    # A is bound; B cannot take the car over while A is
    line = bind(sys_, hu, "ann", "Ann Hansen")
    assert line["binding"]["display_name"] == "Ann Hansen" and line["qr"] is None
    logout_at_car(hu)  # A logs out at the car: the binding stays
    assert sys_.phone("ann", "vehicles")["result"][0]["bound"]
    refused_scan(sys_, hu, "bob")

    # A removes the binding from the phone with the SMS code
    since = hu.mark()
    r = sys_.phone("ann", "unbind", VIN)
    assert r["rc"] == 0 and r["result"]["result"] == "unbound", r
    gone = state(hu, "no_user", since=since, notice="binding_removed")
    assert gone["binding"] is None and gone["user"] is None
    assert codes_of(sys_, "ann") == ["binding_removed"]

    # B logs in (1st scan) and binds (2nd scan): the car shows B's profile
    since = hu.mark()
    r = sys_.phone("bob", "scan", current_qr(hu, "login")["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
    logged = state(hu, "logged_in", since=since)
    assert logged["user"]["display_name"] == "Bob Berg" and logged["user"]["initials"] == "BB"
    assert logged["binding"] is None
    r = sys_.phone("bob", "scan", current_qr(hu, "bind")["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    profile = state(hu, "bound", since=since)
    assert profile["user"] == {"account_id": profile["binding"]["account_id"],
                               "display_name": "Bob Berg", "initials": "BB"}
    assert profile["binding"]["display_name"] == "Bob Berg" and profile["bound"]
    assert profile["force_unbind"] is None

    assert retained_session(mosquitto.url).binding.display_name == "Bob Berg"
    assert [c["vin"] for c in sys_.phone("bob", "vehicles")["result"]] == [VIN]
    assert sys_.phone("ann", "vehicles")["result"] == []
