"""Faults a kiosk or rig lives through: the broker killed -9, a logout typed while the broker is
down, the cloud killed -9 in the middle of a flow, and the cloud's clock jumping forward.
Real mosquitto, cloud and head-unit processes; the phone on the command line."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from headunit.protocol import topics
from tests.support.brokers import Mosquitto
from tests.support.faults import (
    admin,
    cloud_vehicle,
    integrity_check,
    kill9_broker_and_restart,
    kill9_cloud_and_restart,
    wait_state,
    wait_until,
)
from tests.support.headunit import qr
from tests.support.mqtt_probe import Probe

VIN = "LSJA24U66PS000031"


@pytest.fixture
def own_broker(tmp_path):
    """A mosquitto of this test alone: it gets killed."""
    broker = Mosquitto(tmp_path / "mosquitto").start()
    yield broker
    broker.stop()


def login_and_bind(s, hu, who: str = "ann") -> None:
    r = s.phone(who, "scan", qr(hu, "login", timeout=30, since=max(0, hu.mark() - 1))["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] in ("logged_in", "bound"), r
    if r["result"]["result"] == "logged_in":
        r = s.phone(who, "scan", qr(hu, "bind", timeout=30, since=max(0, hu.mark() - 1))["qr"]["content"])
        assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    wait_state(hu, "bound", online=True)


@pytest.mark.integration
def test_broker_kill_9_both_reconnect_retained_state_is_republished_and_a_bind_works(
        system_on, own_broker):
    s = system_on(own_broker.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    r = s.phone("ann", "scan", qr(hu, "login")["qr"]["content"])
    assert r["result"]["result"] == "logged_in"
    qr(hu, "bind")

    kill9_broker_and_restart(own_broker, [hu])  # a broker without persistence: retained lost

    # the cloud republished what it retains: a newcomer reads the car's session at once
    probe = Probe(own_broker.port)
    assert probe.connect() == "ok"
    probe.subscribe(topics.vehicle(VIN, topics.SESSION))
    probe.subscribe(topics.CLOUD_AVAILABILITY)
    session = probe.wait_message(topics.vehicle(VIN, topics.SESSION))
    assert session.retain and b'"display_name":"Ann Hansen"' in session.payload
    assert probe.wait_message(topics.CLOUD_AVAILABILITY).payload == b"online"
    probe.close()

    # the head unit resynced (still Ann, still waiting for the bind scan) and the bind works
    now = qr(hu, "bind", since=max(0, hu.mark() - 1))
    assert now["state"] == "logged_in" and now["user"]["display_name"] == "Ann Hansen"
    r = s.phone("ann", "scan", now["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    wait_state(hu, "bound", online=True)
    assert cloud_vehicle(s, VIN)["binding"]["display_name"] == "Ann Hansen"


@pytest.mark.integration
def test_a_logout_typed_while_the_broker_is_down_reaches_the_cloud_when_it_is_back(
        system_on, own_broker):
    s = system_on(own_broker.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    login_and_bind(s, hu)

    own_broker.kill9()
    wait_state(hu, "bound", online=False)
    hu.send({"cmd": "logout"})
    logged_out = wait_state(hu, "no_user", online=False)
    assert logged_out["binding"]["display_name"] == "Ann Hansen"
    # stay down longer than the head unit waits for an answer (10 s): the request times out,
    # and must still not be forgotten
    time.sleep(11)
    assert cloud_vehicle(s, VIN)["user"] is not None  # nothing reached the cloud yet
    own_broker.start()

    wait_until("the cloud logging Ann out of the car",
               lambda: cloud_vehicle(s, VIN)["user"] is None, timeout=60)
    back = wait_state(hu, "no_user", online=True)
    assert back["user"] is None and back["binding"]["display_name"] == "Ann Hansen"
    cars = s.phone("ann", "vehicles")["result"]
    assert [(c["bound"], c["logged_in"]) for c in cars] == [(True, False)]


@pytest.mark.integration
def test_a_logout_queued_offline_survives_kill_9_of_the_head_unit(system_on, own_broker):
    s = system_on(own_broker.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    login_and_bind(s, hu)

    own_broker.kill9()
    wait_state(hu, "bound", online=False)
    hu.send({"cmd": "logout"})
    wait_state(hu, "no_user", online=False)
    hu.kill9()
    own_broker.start()
    hu2 = s.start_headunit(name="hu")
    first = hu2.wait_for(lambda v: v.get("event") == "state", 15, "first state line")
    assert first["state"] == "no_user"  # it remembers the logout it made
    wait_until("the cloud logging Ann out of the car",
               lambda: cloud_vehicle(s, VIN)["user"] is None, timeout=60)
    settled = wait_state(hu2, "no_user", online=True)
    assert settled["binding"]["display_name"] == "Ann Hansen"


@pytest.mark.integration
def test_cloud_kill_9_mid_register_and_mid_scan_every_flow_completes_after_restart(
        system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    # two flows left half-way: bob's code is sent but not used; ann's scan waits for her OK
    assert s.phone("bob", "send-code", "bob@example.com")["rc"] == 0
    scan = s.phone("ann", "scan", "--no-confirm", qr(hu, "login")["qr"]["content"])
    assert scan["rc"] == 0
    wait_state(hu, "login_scanned")

    kill9_cloud_and_restart(s)  # checks PRAGMA integrity_check on the crashed database

    # ann's scan: still waiting after the restart, and her confirmation completes it
    assert cloud_vehicle(s, VIN)["user"] is None
    r = s.phone("ann", "confirm", scan["result"]["scan_id"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
    assert wait_state(hu, "logged_in", online=True)["user"]["display_name"] == "Ann Hansen"
    # bob's code from before the crash still registers him, once
    inbox = s.phone("bob", "inbox", "bob@example.com")["result"]
    code = re.search(r"\b(\d{6})\b", inbox[0]["body"]).group(1)
    r = s.phone("bob", "register", "bob@example.com", "--password", "correct horse",
                "--code", code)
    assert r["rc"] == 0, r
    again = s.phone("bob", "register", "bob@example.com", "--password", "correct horse",
                    "--code", code)
    assert again["rc"] == 1 and again["error"]["code"] == "account_exists"
    assert integrity_check(s.root / "cloud" / "cloud.sqlite3") == "ok"


@pytest.mark.integration
def test_a_scan_left_unconfirmed_across_a_crash_is_cleanly_refused_once_expired(
        system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    scan = s.phone("ann", "scan", "--no-confirm", qr(hu, "login")["qr"]["content"])
    wait_state(hu, "login_scanned")
    kill9_cloud_and_restart(s)
    assert admin(s, "POST", "/api/v1/admin/time/advance", json={"seconds": 600}).status_code == 200
    wait_state(hu, "no_user", online=True)  # the cloud swept the scan; the car went back
    r = s.phone("ann", "confirm", scan["result"]["scan_id"])
    assert r["rc"] == 1 and r["error"]["code"] in ("scan_not_found", "scan_expired")
    assert cloud_vehicle(s, VIN)["user"] is None


@pytest.mark.integration
def test_after_the_cloud_clock_jumps_head_units_follow_and_old_codes_are_expired(
        system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    before = qr(hu, "login")
    r = admin(s, "POST", "/api/v1/admin/time/advance", json={"seconds": 3600})
    assert r.status_code == 200, r.text
    jumped_to = r.json()["now"]
    assert jumped_to >= before["qr"]["issued"] + 3600
    after = hu.wait_for(lambda v: v.get("event") == "state" and v["qr"] is not None
                        and v["qr"]["issued"] >= jumped_to - 5, 30, "a QR code after the jump")
    assert after["qr"]["expires"] > jumped_to
    r = s.phone("ann", "scan", before["qr"]["content"])
    assert r["rc"] == 1 and r["error"]["code"] == "expired_token"
    r = s.phone("ann", "scan", after["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
    # the admin endpoint refuses nonsense with a clear message
    for bad in (-5, "soon", 0, 1e12):
        r = admin(s, "POST", "/api/v1/admin/time/advance", json={"seconds": bad})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request", bad
    r = httpx.post(f"{s.cloud_url}/api/v1/admin/time/advance", json={"seconds": 3600})
    assert r.status_code == 401
