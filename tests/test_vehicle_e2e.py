"""The car behind the screen, end to end through a real mosquitto and real processes: the phone
commands the car through the cloud, the car's state changes, and both the head unit's JSON
lines and the phone's status show it.

One system serves the module (cloud, headless head unit, vehicle simulator, Ann's phone bound
to the car, Bob's phone not bound); each test sets up what it needs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv
from tests.conftest import System
from tests.support.procs import Proc
from tests.support.vehicle import RawClient, bind, car_line, dig, shows, vehicle_cli

pytestmark = pytest.mark.integration

VIN = "LSJA24U66PS000005"


@dataclass
class Rig:
    system: System
    hu: Proc
    car: Proc

    def phone(self, *args: str, who: str = "ann") -> dict:
        return self.system.phone(who, *args)

    def ok(self, *args: str) -> dict:
        r = self.phone(*args)
        assert r["rc"] == 0 and r["ok"], r
        return r["result"]

    def status(self, after_seq: int | None = None) -> dict:
        args = ("status",) if after_seq is None else ("status", "--after-seq", str(after_seq),
                                                      "--wait", "10")
        return self.ok(*args)["status"]

    def admin(self, *args: str) -> dict:
        r = vehicle_cli(self.system.broker_url, VIN, *args)
        assert r["rc"] == 0, r
        return r["result"]


@pytest.fixture(scope="module")
def rig(mosquitto, tmp_path_factory):
    system = System(mosquitto.url, tmp_path_factory.mktemp("car-rig"))
    try:
        system.start_cloud()
        hu = system.start_headunit(vin=VIN, name="hu")
        car = system.start_vehicle(VIN, "--soc", "60", "--location", "55.6761,12.5683")
        system.new_user("ann", "Ann Hansen")
        system.new_user("bob", "Bob Berg")
        bind(system, hu, "ann")
        car_line(hu, lambda v: v["car_online"] and v["status"] is not None,
                 what="the car online with a status")
        yield Rig(system, hu, car)
    finally:
        system.stop()


# Every phone command path: (name, rig set-up, phone command, status path, expected value)
PATHS = [
    ("climate_on", None, ("climate", "on", "--temp", "22"), "climate.remoteClimateState", "on"),
    ("climate_setpoint", None, ("climate", "on", "--temp", "23.5"),
     "climate.remoteTemperature", 23.5),
    ("seat_heat", None, ("seat-heat", "frontLeft", "2"), "climate.heatedSeatsFrontLeftLevel", 2),
    ("defrost", None, ("defrost", "rear", "on"), "climate.rearWindowDefrosterHeating", True),
    ("charge_target", None, ("charge", "target", "90"), "drivetrain.socTarget", 90),
    ("charge_limit", None, ("charge", "limit", "8A"), "drivetrain.chargeCurrentLimit", "8A"),
    ("charge_schedule", None, ("charge", "schedule", "22:00-06:00"),
     "drivetrain.chargingSchedule", {"enabled": True, "start": "22:00", "end": "06:00"}),
    ("charge_schedule_off", None, ("charge", "schedule", "off"),
     "drivetrain.chargingSchedule.enabled", False),
    ("charge_stop", ("set", "drivetrain.chargerConnected", "true"), ("charge", "stop"),
     "drivetrain.charging", False),
    ("charge_start", None, ("charge", "start"), "drivetrain.charging", True),
    ("charge_stop_again", None, ("charge", "stop"), "drivetrain.charging", False),
    ("unlock", ("set", "drivetrain.chargerConnected", "false"), ("unlock",), "doors.locked", False),
    ("lock", None, ("lock",), "doors.locked", True),
    ("find_my_car", None, ("find-my-car", "activate"), "location.findMyCar", "activate"),
    ("find_my_car_stop", None, ("find-my-car", "stop"), "location.findMyCar", "stop"),
    ("send_destination", None, ("send-destination", "--poi", "tivoli"),
     "navigation.destination.name", "Tivoli Gardens"),
    ("climate_off", None, ("climate", "off"), "climate.remoteClimateState", "off"),
]


@pytest.mark.parametrize("name,setup,command,path,expected", PATHS, ids=[p[0] for p in PATHS])
def test_a_phone_command_changes_the_car_and_both_screens_show_it(rig, name, setup, command,
                                                                   path, expected):
    if setup:
        rig.admin(*setup)
    mark = rig.hu.mark()
    result = rig.ok(*command)
    assert result["status"] == "ok" and result["seq"] >= 1
    line = car_line(rig.hu, shows(path, expected), since=mark, what=f"{path} == {expected!r}")
    assert line["vehicle"]["seq"] >= result["seq"]
    assert dig(rig.status(after_seq=result["seq"] - 1), path) == expected


def test_find_my_car_tells_the_phone_where_the_car_is(rig):
    r = rig.phone("find-my-car", "lights_only")
    assert r["rc"] == 0
    assert (r["result"]["data"]["latitude"], r["result"]["data"]["longitude"]) == \
        pytest.approx((55.6761, 12.5683))
    assert rig.status(after_seq=r["result"]["seq"] - 1)["lights"]["side"] is True
    rig.ok("find-my-car", "stop")


def test_a_failing_command_reports_the_reason_and_changes_nothing(rig):
    rig.ok("unlock")
    rig.admin("set", "doors.driver", "open")
    mark = rig.hu.mark()
    r = rig.phone("lock")
    assert r["rc"] == 1
    assert r["error"]["code"] == "door_open"
    assert r["error"]["message"] == ("A door is open: cannot lock. Close the driver's door and "
                                     "try again.")
    s = rig.status()
    assert s["doors"]["locked"] is False and s["doors"]["driver"] is True
    assert all(line["vehicle"]["status"]["doors"]["locked"] is False
               for line in rig.hu.lines[mark:]
               if isinstance(line, dict) and line.get("event") == "state")
    r = rig.phone("charge", "start")
    assert r["rc"] == 1 and r["error"]["code"] == "cable_not_connected"
    rig.admin("set", "doors.driver", "closed")
    rig.ok("lock")


def test_a_property_set_on_the_car_shows_on_the_head_unit_at_once(rig):
    mark = rig.hu.mark()
    assert rig.admin("set", "tyres.frontLeftPressure", "1.9")["value"] == 1.9
    car_line(rig.hu, shows("tyres.frontLeftPressure", 1.9), since=mark)
    assert rig.admin("get", "tyres.frontLeftPressure")["value"] == 1.9
    assert rig.status()["tyres"]["frontLeftPressure"] == 1.9
    # the low pressure is a notification for the bound user
    notes = rig.ok("alerts")
    assert any(n["code"] == "tyre_pressure_low" and not n["read"] for n in notes["notifications"])
    assert notes["unread"] >= 1
    assert rig.ok("alerts", "--read")["unread"] == 0
    r = vehicle_cli(rig.system.broker_url, VIN, "set", "drivetrain.range", "500")
    assert r["rc"] == 1 and "derived" in r["stderr"]
    rig.admin("set", "tyres.frontLeftPressure", "2.5")


def test_the_driver_commands_the_car_from_the_head_unit(rig):
    mark = rig.hu.mark()
    rig.hu.send({"cmd": "car", "request_id": "hu-climate-1",
                 "command": {"name": "climate", "state": "on", "temperature": 19.5}})
    line = car_line(rig.hu, lambda v: v["last_command"] is not None
                    and v["last_command"]["request_id"] == "hu-climate-1"
                    and v["last_command"]["status"] == "ok", since=mark)
    assert line["vehicle"]["last_command"]["data"]["remoteTemperature"] == 19.5
    car_line(rig.hu, shows("climate.remoteTemperature", 19.5), since=mark)
    assert rig.status()["climate"]["remoteClimateState"] == "on"
    rig.hu.send({"cmd": "car", "command": {"name": "climate", "state": "sauna"}})
    err = rig.hu.wait_for(lambda line: line.get("event") == "error", 10, "an error line",
                          since=mark)
    assert "state" in err["error"]
    rig.ok("climate", "off")


def test_a_repeated_request_id_is_answered_again_not_executed_twice(rig):
    first = rig.ok("lock", "--request-id", "repeat-lock-1")
    rig.ok("unlock")
    again = rig.ok("lock", "--request-id", "repeat-lock-1")
    assert again == first  # the same answer, from the record
    assert rig.status()["doors"]["locked"] is False  # and the car was not locked again
    r = rig.phone("unlock", "--request-id", "repeat-lock-1")
    assert r["rc"] == 1 and r["error"]["code"] == "request_id_reused"

    # the car itself answers a repeat from memory, too
    raw = RawClient(rig.system.broker_url)
    try:
        raw.subscribe(topics.vehicle(VIN, topics.CAR_RESULT))
        cmd = pv.CarCommand(request_id="raw-repeat-1", origin="phone", command=pv.LockCommand())
        reply = topics.vehicle(VIN, topics.CAR_RESULT)

        def answer_to(n: int):
            return lambda msg: sum(1 for x in raw.messages
                                   if x.properties.CorrelationData == b"raw-repeat-1") >= n

        raw.publish(topics.vehicle(VIN, topics.CAR_COMMAND), m.encode(cmd),
                    response_topic=reply, correlation=b"raw-repeat-1")
        raw.wait_message(answer_to(1))
        rig.ok("unlock")
        raw.publish(topics.vehicle(VIN, topics.CAR_COMMAND), m.encode(cmd),
                    response_topic=reply, correlation=b"raw-repeat-1")
        raw.wait_message(answer_to(2))
        answers = [m.decode(pv.CAR_RESULT, x.payload) for x in raw.messages
                   if x.properties.CorrelationData == b"raw-repeat-1"]
        assert answers[0] == answers[1] and answers[0].status == "ok"
        assert rig.status()["doors"]["locked"] is False
    finally:
        raw.close()
    rig.ok("lock")


def test_the_digital_key_is_the_bound_users_and_shows_the_lock(rig):
    rig.ok("lock")
    assert rig.ok("key") == {"holder": "Ann Hansen", "active": True, "locked": True}
    rig.ok("unlock")
    assert rig.ok("key")["locked"] is False
    rig.ok("lock")
    r = rig.phone("key", "--vin", VIN, who="bob")
    assert r["rc"] == 1 and r["error"]["code"] == "not_bound"


def test_only_the_bound_users_phone_gets_the_status_and_commands_the_car(rig):
    assert rig.status()["vin"] == VIN
    for command in (("status", "--vin", VIN), ("lock", "--vin", VIN),
                    ("alerts", "--vin", VIN), ("climate", "on", "--vin", VIN)):
        r = rig.phone(*command, who="bob")
        assert r["rc"] == 1 and r["error"]["code"] == "not_bound", (command, r)
    r = rig.phone("status", who="bob")  # no --vin: Bob has no car
    assert r["rc"] == 1 and r["error"]["code"] == "not_bound"


def test_an_older_status_never_overwrites_a_newer_one(rig):
    current = rig.status()
    forged = m.decode(pv.VEHICLE_STATUS, m.encode(pv.VehicleStatus.model_validate(current)))
    doors = forged.doors.model_copy(update={"boot": True})
    old = forged.model_copy(update={"seq": current["seq"] - 1, "doors": doors})
    mark = rig.hu.mark()
    raw = RawClient(rig.system.broker_url)
    try:
        raw.publish(topics.vehicle(VIN, topics.CAR_STATUS), m.encode(old))  # to the cloud
        raw.publish(topics.vehicle(VIN, topics.STATUS), m.encode(old))  # to the head unit
    finally:
        raw.close()
    result = rig.ok("climate", "on", "--temp", "20.5")  # a real change after the forged ones
    car_line(rig.hu, shows("climate.remoteTemperature", 20.5), since=mark)
    assert not any(line["vehicle"]["status"]["doors"]["boot"] for line in rig.hu.lines[mark:]
                   if isinstance(line, dict) and line.get("event") == "state")
    s = rig.status(after_seq=result["seq"] - 1)
    assert s["doors"]["boot"] is False and s["seq"] >= result["seq"]
    rig.ok("climate", "off")


def test_a_retained_command_is_never_replayed_after_a_reconnect(rig):
    assert rig.status()["doors"]["locked"] is True
    rig.car.stop()
    rig.system.procs.remove(rig.car)
    car_line(rig.hu, lambda v: not v["car_online"], what="the car offline")
    r = rig.phone("unlock")
    assert r["rc"] == 1 and r["error"]["code"] == "vehicle_offline"
    command_topic = topics.vehicle(VIN, topics.CAR_COMMAND)
    raw = RawClient(rig.system.broker_url)
    try:
        cmd = pv.CarCommand(request_id="retained-1", origin="phone", command=pv.UnlockCommand())
        raw.publish(command_topic, m.encode(cmd), retain=True,
                    response_topic=topics.vehicle(VIN, topics.CAR_RESULT),
                    correlation=b"retained-1")
        mark = rig.hu.mark()
        rig.car = rig.system.start_vehicle(VIN)  # the same data directory: the same car
        online = car_line(rig.hu, lambda v: v["car_online"] and v["status"]["doors"]["locked"],
                          since=mark, what="the car back online, still locked")
        rig.ok("climate", "on")  # the car works, and it answered commands in order since
        s = rig.status(after_seq=online["vehicle"]["seq"])
        assert s["doors"]["locked"] is True
        assert "a retained request is never replayed" in rig.car.stderr_tail(20000)
    finally:
        raw.publish(command_topic, b"", retain=True)  # clear it
        raw.close()
    rig.ok("climate", "off")


JUNK = [b"\x00\xffnot json", b"{}", b'{"type": "car_command"}', b"[1, 2]",
        b"{" + b" " * 1_000_000 + b"}",
        b'{"type": "vehicle_status", "vin": "LSJA24U66PS000005", "seq": -1}',
        b'{"type": "car_command", "request_id": "j1", "origin": "phone", '
        b'"command": {"name": "unlock", "force": true}}']
OTHER = "LSJA24U66PS000006"


def test_malformed_messages_on_the_car_topics_change_nothing(rig):
    before = rig.status()
    assert before["doors"]["locked"] is True
    leaves = (topics.CAR_COMMAND, topics.CAR_ADMIN, topics.CAR_STATUS, topics.STATUS,
              topics.CAR_RESULT, topics.HEADUNIT_CAR_COMMAND, topics.HEADUNIT_CAR_RESULT,
              topics.CAR_AVAILABILITY)
    raw = RawClient(rig.system.broker_url)
    try:
        for leaf in leaves:
            topic = topics.vehicle(VIN, leaf)
            for junk in JUNK:
                raw.publish(topic, junk, response_topic=topics.vehicle(VIN, topics.CAR_RESULT),
                            correlation=b"junk")
        raw.publish(topics.vehicle(VIN, topics.CAR_AVAILABILITY), b"online", retain=True)
        # misaddressed: another car's status on this car's topics, and a well-formed unlock
        # that asks for its answer on another car's topic
        other = pv.VehicleStatus.model_validate({**before, "vin": OTHER, "seq": 10**9})
        for leaf in (topics.CAR_STATUS, topics.STATUS):
            raw.publish(topics.vehicle(VIN, leaf), m.encode(other))
        unlock = pv.CarCommand(request_id="misaddressed-1", origin="phone",
                               command=pv.UnlockCommand())
        raw.publish(topics.vehicle(VIN, topics.CAR_COMMAND), m.encode(unlock),
                    response_topic=topics.vehicle(OTHER, topics.CAR_RESULT),
                    correlation=b"misaddressed-1")
    finally:
        raw.close()
    result = rig.ok("seat-heat", "frontRight", "1")  # still working
    after = rig.status(after_seq=result["seq"] - 1)
    for p in (rig.system.cloud, rig.hu, rig.car):
        assert p is not None and p.alive, p and p.stderr_tail()
    assert after["vin"] == VIN
    for group in ("doors", "windows", "tyres", "navigation"):
        assert after[group] == before[group]
    assert "the response topic must be" in rig.car.stderr_tail(50_000)
    assert after["drivetrain"]["soc"] == pytest.approx(before["drivetrain"]["soc"], abs=0.5)
    assert after["climate"]["heatedSeatsFrontRightLevel"] == 1
    rig.ok("seat-heat", "frontRight", "0")


def test_the_cloud_refuses_a_bad_command_with_the_reason(rig):
    r = rig.phone("car-command", '{"name": "charge_target", "soc": 85}')
    assert r["rc"] == 1 and r["error"]["code"] == "invalid_command"
    assert "soc" in r["error"]["message"]
    r = rig.phone("car-command", '{"name": "self_destruct"}')
    assert r["rc"] == 1 and r["error"]["code"] == "invalid_command"


def test_poi_search_finds_chargers_nearest_first(rig):
    pois = rig.ok("poi", "search", "koge")
    assert [p["id"] for p in pois] == ["chg-koege-nord"]
    near = rig.ok("poi", "search", "--kind", "charger", "--near", "55.68,12.57", "--limit", "3")
    assert near[0]["id"] == "chg-kbh-fisketorvet"
    assert [p["distance_km"] for p in near] == sorted(p["distance_km"] for p in near)
