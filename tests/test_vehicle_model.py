"""The simulated car's pure model, in clock time: charging, climate, driving, commands,
properties and the rules that raise alerts. No broker, no processes."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from firmware_sim.vehicle import commands, physics, properties, status
from firmware_sim.vehicle.energy import flows
from firmware_sim.vehicle.state import Destination, VehicleState, from_dict, new_state, to_dict
from firmware_sim.vehicle.store import SEQ_RESERVE, CarStore
from headunit.protocol import messages as m
from headunit.protocol import vehicle as pv
from headunit.vehicle_models import find_model, load_catalogue

VIN = "LSJA24U66PS000001"
T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def car(model: str = "mg4", **changes) -> VehicleState:
    return new_state(VIN, find_model(model), T0, **changes)


def plugged(s: VehicleState, **charging) -> VehicleState:
    s = properties.set_property(s, "drivetrain.chargerConnected", "true")
    return replace(s, charging=replace(s.charging, **charging)) if charging else s


# ---------------------------------------------------------------- charging


@pytest.mark.parametrize("model", ["mg4", "zs_ev", "marvel_r", "mg5"])
def test_an_hour_of_charging_at_11_kw_adds_11_kwh_over_the_capacity(model):
    s = plugged(car(model, soc=30.0), target=100)
    assert flows(s).charge_kw == pytest.approx(11.0)
    later = physics.advance(s, 3600.0)
    capacity = find_model(model).battery_kwh
    assert later.soc == pytest.approx(30.0 + 11.0 / capacity * 100.0, abs=1e-6)
    assert later.soc_kwh - s.soc_kwh == pytest.approx(11.0, abs=1e-6)
    assert later.time == T0 + 3600.0


def test_charging_stops_at_the_target_and_says_charging_is_complete():
    s = plugged(car(soc=70.0), target=80)
    later = physics.advance(s, 3 * 3600.0)
    assert later.soc == pytest.approx(80.0)
    assert not flows(later).charging
    assert [a.code for a in later.alerts] == ["charging_complete"]
    doc = status.build(later, epoch="e", seq=1)
    assert doc.drivetrain.charging is False and doc.drivetrain.remainingChargingTime == 0


def test_time_to_target_is_the_missing_energy_over_the_power():
    s = plugged(car(soc=50.0), target=80)
    f = flows(s)
    assert f.time_to_target == pytest.approx(0.30 * 64.0 / 11.0 * 3600.0)
    doc = status.build(s, epoch="e", seq=1)
    assert doc.drivetrain.charging and doc.drivetrain.chargingPower == 11.0
    assert abs(doc.drivetrain.remainingChargingTime - f.time_to_target) <= 60


@pytest.mark.parametrize("limit,kw", [("6A", 6 * 230 * 3 / 1000), ("8A", 8 * 230 * 3 / 1000),
                                      ("16A", 11.0), ("MAX", 11.0)])
def test_the_current_limit_caps_ac_power(limit, kw):
    s = plugged(car(soc=20.0), target=100, current_limit=limit)
    assert flows(s).charge_kw == pytest.approx(kw)
    assert physics.advance(s, 3600).soc == pytest.approx(20.0 + kw / 64.0 * 100.0)


def test_the_plug_in_hybrid_charges_on_one_phase_at_3_7_kw():
    s = plugged(car("ehs_phev", soc=10.0), target=100)
    assert flows(s).charge_kw == pytest.approx(3.7)
    later = physics.advance(s, 3600)
    assert later.soc == pytest.approx(10.0 + 3.7 / 16.6 * 100.0)
    limited = replace(s, charging=replace(s.charging, current_limit="16A"))
    assert flows(limited).charge_kw == pytest.approx(16 * 230 / 1000)  # one phase
    with pytest.raises(properties.PropertyError, match="no DC"):
        properties.set_property(s, "drivetrain.chargingType", "DC")


def test_a_schedule_waits_for_its_window():
    # 08:00 UTC is 09:00 in Copenhagen; the window opens at 22:00 local
    s = plugged(car(soc=40.0), target=80,
                schedule=replace(car().charging.schedule, enabled=True, start="22:00",
                                 end="06:00"))
    assert not flows(s).charging
    at_21 = physics.advance(s, 12 * 3600.0)  # 21:00 local: still waiting
    assert at_21.soc == pytest.approx(40.0)
    at_23 = physics.advance(at_21, 2 * 3600.0)  # charged one hour, 22:00-23:00
    assert at_23.soc == pytest.approx(40.0 + 11.0 / 64.0 * 100.0)


def test_charge_start_overrides_the_schedule_and_stop_holds_it():
    s = plugged(car(soc=40.0), schedule=replace(car().charging.schedule, enabled=True,
                                                 start="22:00", end="06:00"))
    started = commands.execute(s, pv.ChargingCommand(action="start"))
    assert started.ok and flows(started.state).charging
    stopped = commands.execute(started.state, pv.ChargingCommand(action="stop"))
    assert stopped.ok and not flows(stopped.state).charging
    assert physics.advance(stopped.state, 3600).soc == pytest.approx(40.0)


def test_charge_start_without_a_cable_is_refused_with_the_reason():
    s = car(soc=40.0)
    out = commands.execute(s, pv.ChargingCommand(action="start"))
    assert not out.ok and out.code == "cable_not_connected"
    assert "not connected" in (out.message or "")
    assert out.state is s


def test_charge_start_at_the_target_is_refused():
    out = commands.execute(plugged(car(soc=80.0), target=80), pv.ChargingCommand(action="start"))
    assert not out.ok and out.code == "already_at_target"


def test_unplugging_while_charging_raises_an_alert():
    s = plugged(car(soc=40.0))
    out = properties.set_property(s, "drivetrain.chargerConnected", "false")
    assert [a.code for a in out.alerts] == ["charging_interrupted"]


# ---------------------------------------------------------------- climate


def test_the_cabin_reaches_the_setpoint_with_the_climate_on():
    s = car(climate=replace(car().climate, cabin=4.0, outside=4.0))
    on = commands.execute(s, pv.ClimateCommand(state="on", temperature=22.0))
    assert on.ok
    after_10_min = physics.advance(on.state, 600)
    assert 4.0 < after_10_min.climate.cabin < 22.0
    after_45_min = physics.advance(after_10_min, 2100)
    assert after_45_min.climate.cabin == pytest.approx(22.0, abs=0.3)
    assert status.build(after_45_min, epoch="e", seq=1).climate.interiorTemperature == \
        pytest.approx(22.0, abs=0.3)
    # the climate spent energy from the battery
    assert after_45_min.soc < s.soc


def test_with_the_climate_off_the_cabin_drifts_to_the_outside_temperature():
    s = car(climate=replace(car().climate, cabin=25.0, outside=5.0))
    later = physics.advance(s, 6 * 3600)
    assert later.climate.cabin == pytest.approx(5.0, abs=1.0)
    assert later.soc == s.soc  # nothing running: no energy spent


def test_remote_climate_is_refused_on_an_almost_empty_battery():
    out = commands.execute(car(soc=5.0), pv.ClimateCommand(state="on"))
    assert not out.ok and out.code == "battery_low"


def test_seats_and_defrosters_show_in_the_status():
    s = commands.execute(car(), pv.HeatedSeatCommand(seat="frontLeft", level=3)).state
    s = commands.execute(s, pv.DefrostCommand(window="rear", on=True)).state
    doc = status.build(s, epoch="e", seq=1)
    assert doc.climate.heatedSeatsFrontLeftLevel == 3 and doc.climate.rearWindowDefrosterHeating


# ---------------------------------------------------------------- driving


def test_driving_spends_energy_and_moves_the_car():
    s = car(soc=80.0)
    start = (s.location.latitude, s.location.longitude)
    goal = (55.4934, 12.1596)  # Køge Nord, about 33 km away
    moving = properties.drive(s, *goal, speed=60.0)
    half_hour = physics.advance(moving, 1800)
    assert half_hour.driving and half_hour.location.speed == 60.0
    assert half_hour.odometer_km - s.odometer_km == pytest.approx(30.0, abs=1e-6)
    spent_kwh = s.soc_kwh - half_hour.soc_kwh
    assert spent_kwh == pytest.approx(30.0 * 64.0 / 435.0, rel=1e-6)
    assert physics.distance_km(start, (half_hour.location.latitude,
                                       half_hour.location.longitude)) == pytest.approx(30.0, rel=0.02)
    assert 180 < half_hour.location.heading < 270  # south-west
    arrived = physics.advance(half_hour, 1800)
    assert not arrived.driving and arrived.location.speed == 0.0
    assert (arrived.location.latitude, arrived.location.longitude) == goal
    assert arrived.alerts[-1].code == "arrived"


def test_driving_is_refused_while_the_cable_is_in():
    with pytest.raises(properties.PropertyError, match="unplug"):
        properties.drive(plugged(car()), 55.0, 12.0, 50.0)


# ---------------------------------------------------------------- digital key


def test_lock_with_a_door_open_reports_the_reason_and_changes_nothing():
    s = properties.set_property(car(doors=replace(car().doors, locked=False)),
                                "doors.driver", "open")
    out = commands.execute(s, pv.LockCommand())
    assert not out.ok and out.code == "door_open"
    assert out.message == "A door is open: cannot lock. Close the driver's door and try again."
    assert out.state == s
    assert status.build(out.state, epoch="e", seq=1).doors.locked is False


def test_lock_and_unlock_change_the_lock_and_arm_the_alarm():
    s = car(doors=replace(car().doors, locked=False))
    locked = commands.execute(s, pv.LockCommand())
    assert locked.ok and locked.data == {"locked": True, "changed": True}
    assert status.build(locked.state, epoch="e", seq=1).alarm.armed
    unlocked = commands.execute(locked.state, pv.UnlockCommand())
    assert unlocked.ok and not unlocked.state.doors.locked


def test_opening_a_door_of_a_locked_car_sets_off_the_alarm_and_unlock_clears_it():
    s = properties.set_property(car(), "doors.boot", "open")
    assert s.alarm_triggered and s.alerts[-1].code == "alarm_triggered"
    cleared = commands.execute(s, pv.UnlockCommand()).state
    assert not cleared.alarm_triggered


# ---------------------------------------------------------------- find my car, map


def test_find_my_car_flashes_and_stops_by_itself():
    out = commands.execute(car(), pv.FindMyCarCommand(mode="activate"))
    assert out.ok and out.data["latitude"] == pytest.approx(55.6761)
    assert status.build(out.state, epoch="e", seq=1).lights.side
    later = physics.advance(out.state, physics.FIND_MY_CAR_SECONDS + 1)
    assert later.find_my_car == "stop"


def test_a_sent_destination_is_kept_and_announced():
    dest = pv.Destination(name="Tivoli Gardens", latitude=55.6737, longitude=12.5681)
    out = commands.execute(car(), pv.SendDestinationCommand(destination=dest))
    assert out.ok and out.state.destination == Destination("Tivoli Gardens", 55.6737, 12.5681,
                                                           received=T0)
    assert out.state.alerts[-1].title == "Destination received: Tivoli Gardens."


# ---------------------------------------------------------------- models


def test_the_catalogue_has_the_required_models_and_some_lack_services():
    cat = load_catalogue()
    names = {s.name for s in cat.models}
    assert {"MG4 Electric", "MG ZS EV", "MG5 Electric", "MG Marvel R"} <= names
    assert any(s.powertrain == "phev" for s in cat.models)
    assert any(len(s.services) < len(pv.SERVICES) for s in cat.models)
    for s in cat.models:
        assert s.battery_kwh > 0 and s.wltp_range_km > 0 and s.ac_max_kw > 0
    assert cat.find("mg5") is cat.find("mg5 electric")


@pytest.mark.parametrize("model,command,service", [
    ("mg5", pv.LockCommand(), "Digital key"),
    ("mg5", pv.SendDestinationCommand(destination=pv.Destination(
        name="x", latitude=55.0, longitude=12.0)), "Map & POI"),
    ("ehs_phev", pv.UnlockCommand(), "Digital key"),
])
def test_a_model_without_the_service_refuses_its_commands(model, command, service):
    s = car(model)
    out = commands.execute(s, command)
    assert not out.ok and out.code == "service_unavailable"
    assert out.message == f"The {s.model.name} has no {service} service."
    assert out.state is s


# ---------------------------------------------------------------- properties


def test_set_takes_the_field_names_of_the_status_and_reads_them_back():
    s = properties.set_property(car(), "tyres.frontLeftPressure", "1.9")
    doc = status.build(s, epoch="e", seq=1)
    assert status.lookup(doc, "tyres.frontLeftPressure") == 1.9
    assert s.alerts[-1].code == "tyre_pressure_low"
    again = properties.set_property(s, "tyres.frontLeftPressure", "1.8")
    assert len(again.alerts) == len(s.alerts)  # an edge, not a level: no repeat
    assert status.lookup(status.build(properties.set_property(s, "doors.driver", "open"),
                                      epoch="e", seq=1), "doors.driver") is True


@pytest.mark.parametrize("path,value,reason", [
    ("doors.driver", "ajar", "not a yes/no value"),
    ("tyres.frontLeftPressure", "lots", "not a number"),
    ("tyres.frontLeftPressure", "12", "outside 0..10"),
    ("drivetrain.socTarget", "85", "not one of 40, 50"),
    ("drivetrain.range", "100", "derived, not set; set drivetrain.soc instead"),
    ("doors.frontWindow", "open", "unknown property"),
])
def test_a_bad_property_set_says_what_is_wrong(path, value, reason):
    with pytest.raises(properties.PropertyError, match=reason):
        properties.set_property(car(), path, value)


def test_every_writable_property_is_a_field_of_the_status_or_named_extra():
    doc = status.build(car(), epoch="e", seq=1)
    for path in properties.WRITABLE:
        if path != "drivetrain.chargePointPower":
            status.lookup(doc, path)


# ---------------------------------------------------------------- status document


def test_the_status_document_passes_its_own_schema_on_the_wire():
    s = physics.advance(properties.drive(car(), 55.5, 12.2, 80.0), 600)
    doc = status.build(s, epoch="abc", seq=7)
    again = m.decode(pv.VEHICLE_STATUS, m.encode(doc))
    assert again == doc and again.location.driving


def test_every_status_field_has_a_vss_row_in_the_protocol_doc(request):
    text = (request.config.rootpath / "docs" / "protocol.md").read_text()
    doc = status.build(car(), epoch="e", seq=1).model_dump()
    missing = [f"{g}.{k}" for g, v in doc.items() if isinstance(v, dict) for k in v
               if f"| `{g}.{k}` |" not in text]
    assert not missing, f"docs/protocol.md lacks VSS rows for {missing}"


def test_a_newer_status_wins_and_an_older_one_never_does():
    old = status.build(car(), epoch="e1", seq=5)
    newer = status.build(car(soc=50.0), epoch="e1", seq=6)
    assert pv.is_newer(newer, old) and not pv.is_newer(old, newer)
    assert not pv.is_newer(old, old)
    reset = status.build(car(), epoch="e2", seq=0)
    assert pv.is_newer(reset, newer)  # a new life of the simulator's state


# ---------------------------------------------------------------- persistence


def test_the_state_survives_a_round_trip_and_the_seq_jumps_ahead(tmp_path):
    s = physics.advance(properties.drive(car(), 55.5, 12.2, 80), 60)
    s = commands.execute(s, pv.SendDestinationCommand(destination=pv.Destination(
        name="Home", latitude=55.7, longitude=12.5))).state
    assert from_dict(json.loads(json.dumps(to_dict(s)))) == s
    store = CarStore(tmp_path)
    result = pv.CarResult(request_id="r1", status="ok", data={"locked": True}, seq=3)
    store.save("epoch1", 41, s, [result])
    saved = store.load()
    assert saved is not None and saved.state == s and saved.epoch == "epoch1"
    assert saved.seq == 41 + SEQ_RESERVE and saved.results == (result,)


def test_an_unreadable_state_file_is_set_aside(tmp_path):
    (tmp_path / "vehicle.json").write_text("{not json")
    assert CarStore(tmp_path).load() is None
    assert (tmp_path / "vehicle.json.bad").exists()


def test_advancing_by_nothing_or_backwards_changes_nothing():
    s = car()
    assert physics.advance(s, 0) is s and physics.advance(s, -5) is s
    assert math.isclose(physics.advance(s, 1e-3).time, T0 + 1e-3)
