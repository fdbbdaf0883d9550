"""The head unit's car panel as a pure state machine: status ordering, services by model, the
driver's commands and their outcomes."""

from __future__ import annotations

from firmware_sim.vehicle import status
from firmware_sim.vehicle.state import new_state
from headunit import car
from headunit.protocol import vehicle as pv
from headunit.vehicle_models import find_model

VIN = "LSJA24U66PS000001"


def doc(seq: int, epoch: str = "e1", soc: float = 70.0) -> pv.VehicleStatus:
    return status.build(new_state(VIN, find_model("mg4"), 1.8e9, soc=soc), epoch=epoch, seq=seq)


def test_an_older_status_never_overwrites_a_newer_one():
    p = car.new_panel("MG4 Electric")
    p = car.step(p, car.StatusReceived(doc(5, soc=60.0))).panel
    late = car.step(p, car.StatusReceived(doc(4, soc=90.0)))
    assert late.panel is p and p.status is not None and p.status.drivetrain.soc == 60.0
    same = car.step(p, car.StatusReceived(doc(5, soc=90.0)))
    assert same.panel is p
    newer = car.step(p, car.StatusReceived(doc(6, soc=61.0))).panel
    assert newer.status is not None and newer.status.seq == 6
    reset = car.step(newer, car.StatusReceived(doc(0, epoch="e2", soc=50.0))).panel
    assert reset.status is not None and reset.status.epoch == "e2"


def test_the_panel_marks_the_services_the_model_lacks_unavailable():
    mg5 = car.new_panel("MG5 Electric").to_json()
    assert mg5["services"]["digital_key"] is False and mg5["services"]["map_poi"] is False
    assert mg5["services"]["climate"] is True
    assert "digital_key" not in mg5["available"]
    mg4 = car.new_panel("MG4 Electric").to_json()
    assert set(mg4["available"]) == set(pv.SERVICES)


def test_an_unknown_model_offers_no_service():
    p = car.new_panel("Mystery Car")
    assert not p.model_known and not any(ok for _, ok in p.services)


def test_a_command_for_a_lacking_service_is_refused_at_once_and_not_sent():
    p = car.new_panel("MG5 Electric")
    t = car.step(p, car.CommandRequested("r1", pv.LockCommand(), 100.0))
    assert t.effects == ()
    last = t.panel.last_command
    assert last is not None and last.status == "error" and last.code == "service_unavailable"
    assert last.message == "The MG5 Electric has no Digital key service."


def test_a_command_is_sent_and_its_answer_shows():
    p = car.new_panel("MG4 Electric")
    cmd = pv.ClimateCommand(state="on", temperature=21.0)
    t = car.step(p, car.CommandRequested("r1", cmd, 100.0))
    assert t.effects == (car.SendCarCommand(pv.CarCommand(request_id="r1", origin="headunit",
                                                          command=cmd)),)
    assert t.panel.last_command is not None and t.panel.last_command.status == "pending"
    ok = pv.CarResult(request_id="r1", status="ok", data={"remoteClimateState": "on"}, seq=9)
    done = car.step(t.panel, car.CommandAnswered(ok)).panel
    assert done.last_command is not None and done.last_command.status == "ok"
    refused = pv.error_result("r1", "door_open", "A door is open: cannot lock.")
    assert car.step(done, car.CommandAnswered(refused)).panel is done  # answered once only


def test_a_refusal_keeps_its_reason_and_an_unanswered_command_times_out():
    p = car.new_panel("MG4 Electric")
    p = car.step(p, car.CommandRequested("r1", pv.LockCommand(), 100.0)).panel
    p = car.step(p, car.CommandRequested("r2", pv.UnlockCommand(), 101.0)).panel
    p = car.step(p, car.CommandAnswered(pv.error_result(
        "r1", "door_open", "A door is open: cannot lock."))).panel
    r1 = next(c for c in p.commands if c.request_id == "r1")
    assert (r1.status, r1.code, r1.message) == ("error", "door_open", "A door is open: cannot lock.")
    p = car.step(p, car.Expire(101.0 + car.COMMAND_TIMEOUT)).panel
    r2 = next(c for c in p.commands if c.request_id == "r2")
    assert (r2.status, r2.code) == ("error", "timeout")


def timed(seq: int, time: float, soc: float) -> pv.VehicleStatus:
    return status.build(new_state(VIN, find_model("mg4"), time, soc=soc), epoch="e1", seq=seq)


def test_the_soc_plot_keeps_a_point_per_quarter_hour_over_twelve_hours():
    p = car.new_panel("MG4 Electric")
    t0 = 1.8e9
    for i in range(0, 16 * 60):  # 16 hours, a status every minute, SOC rising 0.05 % a minute
        p = car.step(p, car.StatusReceived(timed(i + 1, t0 + 60 * i, 20 + 0.05 * i))).panel
    times = [t for t, _ in p.soc_history]
    assert times == sorted(times)
    assert times[-1] == t0 + 60 * (16 * 60 - 1)  # the newest status is the last point
    assert times[0] >= times[-1] - car.SOC_HISTORY_SECONDS
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)][:-1]
    assert all(g == car.SOC_SAMPLE_SECONDS for g in gaps)
    assert 48 <= len(p.soc_history) <= 50
    assert p.soc_history[-1][1] == p.status.drivetrain.soc


def test_the_panel_marks_low_tyres_for_the_car_drawing():
    from firmware_sim.vehicle import properties
    s = properties.set_property(new_state(VIN, find_model("mg4"), 1.8e9),
                                "tyres.rearRightPressure", "1.7")
    p = car.step(car.new_panel("MG4 Electric"),
                 car.StatusReceived(status.build(s, epoch="e", seq=1))).panel
    assert p.to_json()["tyres_low"] == {"frontLeftPressure": False, "frontRightPressure": False,
                                        "rearLeftPressure": False, "rearRightPressure": True}
