"""Per-model services and the car's clock, end to end through a real mosquitto: a model
without a service neither offers it on the head unit nor gets its command through the cloud;
the car charges in the cloud's (scaled) clock time."""

from __future__ import annotations

import re

import pytest

from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv
from tests.support.vehicle import RawClient, bind, car_line, vehicle_cli

pytestmark = pytest.mark.integration

VIN = "LSJA24U66PS000006"
# a car of its own: no retained status of an earlier test on the module's broker
PERIODIC_VIN = "LSJA24U66PS000606"


def test_a_model_without_a_service_hides_it_and_the_cloud_refuses_its_commands(system_on,
                                                                                 mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit("--model", "MG5 Electric", vin=VIN, name="hu")
    car = s.start_vehicle(VIN, model="mg5")
    s.new_user("ann", "Ann Hansen")
    bind(s, hu, "ann")
    line = car_line(hu, lambda v: v["car_online"] and v["status"] is not None)
    services = line["vehicle"]["services"]
    assert services["digital_key"] is False and services["map_poi"] is False
    assert services["climate"] is True and services["ev_management"] is True
    assert "digital_key" not in line["vehicle"]["available"]

    for command in (("lock",), ("unlock",), ("key",),
                    ("send-destination", "--poi", "tivoli")):
        r = s.phone("ann", *command)
        assert r["rc"] == 1 and r["error"]["code"] == "service_unavailable", (command, r)
        assert r["error"]["message"] in ("The MG5 Electric has no Digital key service.",
                                         "The MG5 Electric has no Map & POI service.")
    # the driver cannot either: refused by the head unit's core, never sent
    mark = hu.mark()
    hu.send({"cmd": "car", "request_id": "hu-lock-1", "command": {"name": "lock"}})
    refused = car_line(hu, lambda v: (v["last_command"] or {}).get("request_id") == "hu-lock-1",
                       since=mark)
    assert refused["vehicle"]["last_command"]["code"] == "service_unavailable"
    # what the model has works
    r = s.phone("ann", "climate", "on", "--temp", "21")
    assert r["rc"] == 0, r
    car_line(hu, lambda v: v["status"]["climate"]["remoteClimateState"] == "on", since=mark)
    log = car.stderr_tail(50_000)
    assert re.search(r"command \S+ climate: ok", log)
    assert not re.search(r"command \S+ (lock|unlock|send_destination):", log)  # never got there


def test_the_car_charges_in_the_clouds_clock_time(system_on, mosquitto):
    """At 720x, an hour of simulated time passes in 5 real seconds."""
    s = system_on(mosquitto.url)
    s.start_cloud("--time-scale", "720")
    hu = s.start_headunit(vin=VIN, name="hu")
    s.start_vehicle(VIN, "--soc", "40", "--min-interval", "0.2")
    first = car_line(hu, lambda v: v["status"] is not None)
    assert vehicle_cli(s.broker_url, VIN, "set", "drivetrain.chargerConnected", "true")["rc"] == 0
    charging = car_line(hu, lambda v: v["status"]["drivetrain"]["charging"], since=first["n"] - 1)
    half = car_line(hu, lambda v: v["status"]["drivetrain"]["soc"] >= 60, timeout=60,
                    since=charging["n"] - 1)
    a, b = charging["vehicle"]["status"], half["vehicle"]["status"]
    hours = (b["time"] - a["time"]) / 3600.0
    gained_kwh = b["drivetrain"]["soc_kwh"] - a["drivetrain"]["soc_kwh"]
    assert gained_kwh == pytest.approx(11.0 * hours, abs=0.2)  # 11 kW, in simulated hours
    done = car_line(hu, lambda v: v["status"]["drivetrain"]["soc"] == 80
                    and not v["status"]["drivetrain"]["charging"], timeout=60)
    assert done["vehicle"]["status"]["alerts"][-1]["code"] == "charging_complete"


def test_the_car_publishes_its_status_retained_on_a_period_with_a_growing_seq(system_on,
                                                                              mosquitto):
    s = system_on(mosquitto.url)
    s.start_vehicle(PERIODIC_VIN, "--status-period", "0.5", name="periodic")
    raw = RawClient(mosquitto.url)
    try:
        raw.subscribe(topics.vehicle(PERIODIC_VIN, topics.CAR_STATUS))
        first = raw.wait_message(lambda msg: True)
        assert first.retain  # the newest status waits on the broker for whoever comes
        raw.wait_message(lambda msg: len(raw.messages) >= 4)
        docs = [m.decode(pv.VEHICLE_STATUS, x.payload) for x in raw.messages[:4]]
    finally:
        raw.close()
    seqs = [d.seq for d in docs]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert len({d.epoch for d in docs}) == 1
    assert all(d.doors == docs[0].doors and d.drivetrain.soc == docs[0].drivetrain.soc
               for d in docs)  # nothing changed: published because of the period


def test_after_unbinding_the_phone_gets_nothing_and_the_head_unit_still_shows_the_car(
        system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.start_vehicle(VIN)
    s.new_user("ann", "Ann Hansen")
    bind(s, hu, "ann")
    car_line(hu, lambda v: v["car_online"] and v["status"] is not None)
    assert s.phone("ann", "status")["rc"] == 0
    r = s.phone("ann", "unbind", VIN)
    assert r["rc"] == 0, r
    for command in (("status", "--vin", VIN), ("climate", "on", "--vin", VIN),
                    ("alerts", "--vin", VIN)):
        r = s.phone("ann", *command)
        assert r["rc"] == 1 and r["error"]["code"] == "not_bound", (command, r)
    mark = hu.mark()
    assert vehicle_cli(s.broker_url, VIN, "set", "windows.sunRoof", "open")["rc"] == 0
    car_line(hu, lambda v: v["status"]["windows"]["sunRoof"] is True, since=mark)
