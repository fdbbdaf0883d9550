"""How the car evolves in (simulated) time: charging, the cabin temperature, driving.

Pure functions of the state. :func:`.energy.flows` says what flows right now (charge power,
the climate's draw, driving); :func:`advance` moves the state ``dt`` seconds forward in steps
of at most a minute, and applies the rules (alerts, alarm) once at the end.

- Charging raises the battery's energy at the charge power, less what the climate draws:
  an hour at 11 kW adds 11 kWh, i.e. ``11 / capacity`` of the SOC, and stops at the target.
- The cabin moves towards its goal exponentially: the setpoint with a 10-minute time
  constant when the climate is on, the outside temperature with 2 hours when it is off.
- Driving a route moves the car along its waypoints at the route's speed and spends the
  model's WLTP energy per km (capacity / WLTP range) plus the climate's draw.
"""

from __future__ import annotations

import math
from dataclasses import replace

from . import rules
from .energy import flows
from .state import Location, Route, VehicleState

MAX_STEP = 60.0
TAU_CLIMATE_ON = 600.0
TAU_FAN_ONLY = 3600.0
TAU_PASSIVE = 7200.0
FIND_MY_CAR_SECONDS = 60.0
EARTH_RADIUS_KM = 6371.0
ARRIVED_KM = 0.005


# ---------------------------------------------------------------- time


def advance(state: VehicleState, dt: float) -> VehicleState:
    """The state ``dt`` simulated seconds later (``dt <= 0`` changes nothing)."""
    if dt <= 0:
        return state
    before, s, left = state, state, float(dt)
    while left > 1e-9:
        h = min(MAX_STEP, left)
        s = _step(s, h)
        left -= h
    return rules.settle(before, s)


def _step(s: VehicleState, h: float) -> VehicleState:
    f = flows(s)
    kwh = (f.battery_kw + f.drive_kw) * h / 3600.0  # all but driving, which goes by distance
    if s.driving:
        moved = _drive(s, h)
        kwh -= (moved.odometer_km - s.odometer_km) * s.model.kwh_per_km
        s = moved
    soc = s.soc + kwh / s.model.battery_kwh * 100.0
    if f.charging:
        soc = min(soc, float(s.charging.target))
    soc = min(100.0, max(0.0, soc))
    s = replace(s, soc=soc, climate=replace(s.climate, cabin=_cabin(s, h)))
    if s.soc <= 0.0:
        s = replace(s, location=replace(s.location, route=None),
                    climate=replace(s.climate, remote_state="off"))
    if s.find_my_car != "stop" and s.time + h >= s.find_my_car_until:
        s = replace(s, find_my_car="stop")
    return replace(s, time=s.time + h)


def _cabin(s: VehicleState, h: float) -> float:
    cl = s.climate
    if cl.remote_state in ("on", "front"):
        goal, tau = cl.setpoint, TAU_CLIMATE_ON
    elif cl.remote_state == "blowingonly":
        goal, tau = cl.outside, TAU_FAN_ONLY
    else:
        goal, tau = cl.outside, TAU_PASSIVE
    return goal + (cl.cabin - goal) * math.exp(-h / tau)


# ---------------------------------------------------------------- driving


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    x = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(x)))


def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def _drive(s: VehicleState, h: float) -> VehicleState:
    loc = s.location
    route = loc.route
    assert route is not None
    budget = route.speed_kmh * h / 3600.0
    here = (loc.latitude, loc.longitude)
    heading = loc.heading
    points = list(route.waypoints)
    travelled = 0.0
    while points and budget > 1e-12:
        target = points[0]
        d = distance_km(here, target)
        if d < ARRIVED_KM:
            here = target
            points.pop(0)
            continue
        heading = bearing(here, target)
        if d <= budget:
            here, budget, travelled = target, budget - d, travelled + d
            points.pop(0)
        else:
            frac = budget / d
            here = (here[0] + (target[0] - here[0]) * frac,
                    here[1] + (target[1] - here[1]) * frac)
            travelled += budget
            budget = 0.0
    new_route = Route(tuple(points), route.speed_kmh) if points else None
    new_loc = Location(latitude=here[0], longitude=here[1], heading=round(heading, 3) % 360.0,
                       elevation=loc.elevation, route=new_route)
    return replace(s, location=new_loc, odometer_km=s.odometer_km + travelled)
