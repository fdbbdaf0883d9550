"""The car's remote commands as pure functions: ``execute(state, command) -> Outcome``.

An outcome is the new state and ``ok``, or the unchanged state and a refusal with a code and
a reason the person can act on ("A door is open: cannot lock ..."). A model without the
command's service refuses it. The rules (alarm, alerts) settle every accepted change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from headunit.protocol import vehicle as pv

from . import rules
from .energy import charge_point_kw, flows
from .physics import FIND_MY_CAR_SECONDS
from .state import Destination, Schedule, VehicleState


@dataclass(frozen=True)
class Outcome:
    state: VehicleState
    ok: bool
    code: str | None = None
    message: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def refuse(state: VehicleState, code: str, message: str) -> Outcome:
    return Outcome(state, False, code, message)


def done(state: VehicleState, **data: Any) -> Outcome:
    return Outcome(state, True, data=data)


def execute(state: VehicleState, command: pv.CarCommand | Any) -> Outcome:
    """Run ``command`` (a :mod:`headunit.protocol.vehicle` command model) on ``state``."""
    cmd = command.command if isinstance(command, pv.CarCommand) else command
    service = pv.SERVICE_OF[cmd.name]
    if not state.model.has(service):
        return refuse(state, "service_unavailable",
                      f"The {state.model.name} has no {pv.SERVICE_TITLES[service]} service.")
    out = HANDLERS[cmd.name](state, cmd)
    if out.ok:
        out = replace(out, state=rules.settle(state, out.state))
    return out


# ---------------------------------------------------------------- climate


def _climate(s: VehicleState, c: pv.ClimateCommand) -> Outcome:
    cl = s.climate
    if c.state != "off" and s.soc < 10.0 and not s.charging.cable_connected:
        return refuse(s, "battery_low", f"The battery is at {s.soc:.0f} %: too low for remote "
                      "climate. Plug the car in or charge it first.")
    setpoint = cl.setpoint if c.temperature is None else float(c.temperature)
    new = replace(cl, remote_state=c.state, setpoint=setpoint)
    return done(replace(s, climate=new), remoteClimateState=c.state, remoteTemperature=setpoint)


def _heated_seat(s: VehicleState, c: pv.HeatedSeatCommand) -> Outcome:
    attr = "seat_front_left" if c.seat == "frontLeft" else "seat_front_right"
    return done(replace(s, climate=replace(s.climate, **{attr: c.level})),
                seat=c.seat, level=c.level)


def _defrost(s: VehicleState, c: pv.DefrostCommand) -> Outcome:
    attr = "front_defrost" if c.window == "front" else "rear_defrost"
    return done(replace(s, climate=replace(s.climate, **{attr: c.on})), window=c.window, on=c.on)


# ---------------------------------------------------------------- EV management


def _charging(s: VehicleState, c: pv.ChargingCommand) -> Outcome:
    ch = s.charging
    if c.action == "stop":
        if not ch.cable_connected:
            return refuse(s, "not_charging", "The car is not charging: no charging cable is "
                          "connected.")
        return done(replace(s, charging=replace(ch, intent="stop")), charging=False)
    if s.driving:
        return refuse(s, "car_moving", "The car is being driven: park and plug it in to charge.")
    if not ch.cable_connected:
        return refuse(s, "cable_not_connected", "The charging cable is not connected: cannot "
                      "start charging. Plug it in and try again.")
    if s.soc >= ch.target - 1e-9:
        return refuse(s, "already_at_target", f"The battery is at {s.soc:.0f} %, at or above the "
                      f"charge target of {ch.target} %. Raise the target to charge more.")
    if charge_point_kw(s) <= 0:
        return refuse(s, "cable_not_connected", f"The {s.model.name} cannot charge from this "
                      f"{ch.charger_type} charge point.")
    new = replace(s, charging=replace(ch, intent="start"))
    f = flows(new)
    return done(new, charging=f.charging, power=round(f.charge_kw, 2),
                remainingChargingTime=int(f.time_to_target))


def _charge_target(s: VehicleState, c: pv.ChargeTargetCommand) -> Outcome:
    return done(replace(s, charging=replace(s.charging, target=c.soc)), socTarget=c.soc)


def _current_limit(s: VehicleState, c: pv.ChargeCurrentLimitCommand) -> Outcome:
    return done(replace(s, charging=replace(s.charging, current_limit=c.limit)),
                chargeCurrentLimit=c.limit)


def _schedule(s: VehicleState, c: pv.ChargeScheduleCommand) -> Outcome:
    sch = Schedule(c.enabled, c.start, c.end)
    return done(replace(s, charging=replace(s.charging, schedule=sch)),
                chargingSchedule={"enabled": c.enabled, "start": c.start, "end": c.end})


# ---------------------------------------------------------------- digital key


def _lock(s: VehicleState, c: pv.LockCommand) -> Outcome:
    opened = s.doors.open_ones()
    if opened:
        return refuse(s, "door_open", f"A door is open: cannot lock. Close {' and '.join(opened)} "
                      "and try again.")
    changed = not s.doors.locked
    return done(replace(s, doors=replace(s.doors, locked=True)), locked=True, changed=changed)


def _unlock(s: VehicleState, c: pv.UnlockCommand) -> Outcome:
    if s.driving:
        return refuse(s, "car_moving", "The car is being driven: it cannot be unlocked remotely.")
    changed = s.doors.locked
    return done(replace(s, doors=replace(s.doors, locked=False)), locked=False, changed=changed)


# ---------------------------------------------------------------- find my car, map


def _find_my_car(s: VehicleState, c: pv.FindMyCarCommand) -> Outcome:
    where = {"latitude": round(s.location.latitude, 6), "longitude": round(s.location.longitude, 6)}
    if c.mode == "stop":
        return done(replace(s, find_my_car="stop"), findMyCar="stop", **where)
    if s.driving:
        return refuse(s, "car_moving", "The car is being driven: it does not flash or sound "
                      "its horn on the road.")
    new = replace(s, find_my_car=c.mode, find_my_car_until=s.time + FIND_MY_CAR_SECONDS)
    return done(new, findMyCar=c.mode, seconds=FIND_MY_CAR_SECONDS, **where)


def _send_destination(s: VehicleState, c: pv.SendDestinationCommand) -> Outcome:
    d = c.destination
    dest = Destination(d.name, d.latitude, d.longitude, d.address, d.poi_id, received=s.time)
    return done(replace(s, destination=dest), destination=d.model_dump())


HANDLERS: dict[str, Callable[[VehicleState, Any], Outcome]] = {
    "climate": _climate, "heated_seat": _heated_seat, "defrost": _defrost,
    "charging": _charging, "charge_target": _charge_target,
    "charge_current_limit": _current_limit, "charge_schedule": _schedule,
    "lock": _lock, "unlock": _unlock, "find_my_car": _find_my_car,
    "send_destination": _send_destination,
}
