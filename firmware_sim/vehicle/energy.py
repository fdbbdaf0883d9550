"""What flows in the car right now: charge power, the climate's draw, driving, the battery.

Derived from the state alone (nothing here is stored): whether the car charges follows from
the cable, the SOC and its target, the user's start/stop and the schedule.

AC power is the lowest of the charge point, the car's on-board charger and the current
limit (amps x 230 V x phases; one phase for on-board chargers up to 7.4 kW); DC tapers above
80 %. While the cable is in, the charge point also powers the climate, so a full battery is
not drained by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .state import VehicleState

VOLTS_PER_PHASE = 230.0
AMPS = {"6A": 6.0, "8A": 8.0, "16A": 16.0, "MAX": math.inf}


@dataclass(frozen=True)
class Flows:
    charging: bool
    charge_kw: float  # from the charge point into the car
    climate_kw: float  # the climate, seats and defrosters
    drive_kw: float
    battery_kw: float  # into the battery (negative: out of it)
    time_to_target: float  # seconds, 0 when not charging


def local_minutes(state: VehicleState) -> int:
    try:
        tz = ZoneInfo(state.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    t = datetime.fromtimestamp(state.time, tz)
    return t.hour * 60 + t.minute


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def in_schedule(state: VehicleState) -> bool:
    sch = state.charging.schedule
    now, start, end = local_minutes(state), _minutes(sch.start), _minutes(sch.end)
    if start == end:
        return True
    return start <= now < end if start < end else (now >= start or now < end)


def charge_point_kw(state: VehicleState) -> float:
    """What the plugged-in charge point can deliver to this car, ignoring the SOC."""
    c, model = state.charging, state.model
    if not c.cable_connected:
        return 0.0
    if c.charger_type == "DC":
        if not model.dc_max_kw:
            return 0.0
        kw = min(c.charger_kw, model.dc_max_kw)
        if state.soc > 80.0:  # the taper of a fast charge
            kw *= max(0.2, 1.0 - (state.soc - 80.0) / 25.0)
        return kw
    phases = 1 if model.ac_max_kw <= 7.4 else 3
    limit_kw = AMPS[c.current_limit] * VOLTS_PER_PHASE * phases / 1000.0
    return min(c.charger_kw, model.ac_max_kw, limit_kw)


def wants_charge(state: VehicleState) -> bool:
    c = state.charging
    if not c.cable_connected or state.driving or state.soc >= c.target - 1e-9:
        return False
    if c.intent == "stop":
        return False
    return c.intent == "start" or not c.schedule.enabled or in_schedule(state)


def climate_kw(state: VehicleState) -> float:
    cl = state.climate
    kw = 0.0
    if cl.remote_state in ("on", "front"):
        kw += min(3.5, 0.5 + 0.3 * abs(cl.setpoint - cl.cabin))
    elif cl.remote_state == "blowingonly":
        kw += 0.15
    if cl.front_defrost or cl.remote_state == "front":
        kw += 0.8
    if cl.rear_defrost:
        kw += 0.3
    return kw + 0.06 * (cl.seat_front_left + cl.seat_front_right)


def flows(state: VehicleState) -> Flows:
    aux = climate_kw(state)
    drive = state.location.speed * state.model.kwh_per_km if state.driving else 0.0
    point = charge_point_kw(state)
    charging = wants_charge(state) and point > aux
    if charging:
        battery = point - aux
        kwh_left = (state.charging.target - state.soc) / 100.0 * state.model.battery_kwh
        ttt = kwh_left / battery * 3600.0
        return Flows(True, point, aux, 0.0, battery, ttt)
    if state.charging.cable_connected and state.charging.intent != "stop" and point > 0:
        return Flows(False, min(point, aux), aux, 0.0, 0.0, 0.0)  # the grid feeds the climate
    return Flows(False, 0.0, aux, drive, -(aux + drive), 0.0)
