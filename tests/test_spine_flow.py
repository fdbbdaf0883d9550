"""The seed's two-scan flow end to end: real broker, cloud and head unit processes, and the
phone simulator on the command line."""

from __future__ import annotations

import pytest

from tests.support.headunit import qr, state

VIN = "LSJA24U66PS000001"


def two_scan_bind(system_on, broker_url: str) -> None:
    sys_ = system_on(broker_url)
    sys_.start_cloud()
    hu = sys_.start_headunit(vin=VIN, name="hu")
    sys_.new_user("ann", "Ann Hansen")

    login = qr(hu, "login")
    assert login["state"] == "no_user" and login["user"] is None
    assert login["qr"]["content"].startswith(sys_.cloud_url + "/s/")

    r = sys_.phone("ann", "scan", login["qr"]["content"])
    assert r["rc"] == 0, r
    assert r["result"]["result"] == "logged_in"
    assert r["result"]["question"] == f"Log in to MG4 Electric, VIN ending …{VIN[-4:]}?"

    bind = qr(hu, "bind")
    assert bind["state"] == "logged_in"
    assert bind["user"]["display_name"] == "Ann Hansen" and bind["user"]["initials"] == "AH"

    r = sys_.phone("ann", "scan", bind["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r

    bound = state(hu, "bound")
    assert bound["bound"] and bound["qr"] is None
    assert bound["binding"]["display_name"] == "Ann Hansen"

    cars = sys_.phone("ann", "vehicles")["result"]
    assert [(c["vin"], c["bound"], c["logged_in"]) for c in cars] == [(VIN, True, True)]


@pytest.mark.integration
def test_two_scans_log_in_and_bind_through_mosquitto(system_on, mosquitto):
    two_scan_bind(system_on, mosquitto.url)


@pytest.mark.integration
def test_two_scans_log_in_and_bind_through_the_embedded_broker(system_on, embedded_broker):
    two_scan_bind(system_on, embedded_broker.url)


@pytest.mark.integration
def test_scanned_state_shows_until_the_phone_confirms(system_on, mosquitto):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    hu = sys_.start_headunit(vin=VIN, name="hu")
    sys_.new_user("ann")
    login = qr(hu, "login")
    r = sys_.phone("ann", "scan", "--no-confirm", login["qr"]["content"])
    assert r["rc"] == 0
    scanned = state(hu, "login_scanned")
    assert scanned["qr"] is None and scanned["scan_expires"] > login["qr"]["issued"]
    r = sys_.phone("ann", "cancel", r["result"]["scan_id"])
    assert r["rc"] == 0
    back = state(hu, "no_user", notice="scan_cancelled", since=hu.mark() - 1)
    assert back["user"] is None
