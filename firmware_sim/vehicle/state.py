"""The simulated car's state, as frozen dataclasses: nothing here does I/O or reads a clock.

``VehicleState.time`` is the simulated time the state describes; :func:`.physics.advance`
moves it forward (what flows right now, e.g. whether it is charging, is derived from the
state by :func:`.physics.flows`, never stored), :mod:`.commands` and :mod:`.properties` return changed copies.
:func:`to_dict` / :func:`from_dict` persist it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Union

from headunit.vehicle_models import ModelSpec, find_model

COPENHAGEN = (55.6761, 12.5683)


@dataclass(frozen=True)
class Schedule:
    enabled: bool = False
    start: str = "00:00"  # HH:MM, the car's local time
    end: str = "06:00"


@dataclass(frozen=True)
class Charging:
    cable_connected: bool = False
    charger_type: str = "AC"  # AC | DC: what the plugged-in charge point is
    charger_kw: float = 11.0  # what the charge point can give
    intent: str = "auto"  # auto (follow the schedule) | start (charge now) | stop (user stopped)
    target: int = 80
    current_limit: str = "MAX"
    schedule: Schedule = field(default_factory=Schedule)


@dataclass(frozen=True)
class Climate:
    remote_state: str = "off"  # off | on | front | blowingonly
    setpoint: float = 21.0
    cabin: float = 12.0
    outside: float = 12.0
    seat_front_left: int = 0
    seat_front_right: int = 0
    front_defrost: bool = False
    rear_defrost: bool = False


@dataclass(frozen=True)
class Doors:
    """``True`` = open."""

    driver: bool = False
    passenger: bool = False
    rear_left: bool = False
    rear_right: bool = False
    bonnet: bool = False
    boot: bool = False
    locked: bool = True

    def open_ones(self) -> list[str]:
        names = {"driver": "the driver's door", "passenger": "the passenger's door",
                 "rear_left": "the rear left door", "rear_right": "the rear right door",
                 "bonnet": "the bonnet", "boot": "the boot"}
        return [label for attr, label in names.items() if getattr(self, attr)]


@dataclass(frozen=True)
class Windows:
    driver: bool = False
    passenger: bool = False
    rear_left: bool = False
    rear_right: bool = False
    sun_roof: bool = False


@dataclass(frozen=True)
class Lights:
    main_beam: bool = False
    dipped_beam: bool = False
    side: bool = False


@dataclass(frozen=True)
class Tyres:
    """Pressures in bar."""

    front_left: float = 2.5
    front_right: float = 2.5
    rear_left: float = 2.5
    rear_right: float = 2.5


@dataclass(frozen=True)
class Route:
    """Driving: the points still to reach, in order, at ``speed_kmh``."""

    waypoints: tuple[tuple[float, float], ...]
    speed_kmh: float = 50.0


@dataclass(frozen=True)
class Location:
    latitude: float = COPENHAGEN[0]
    longitude: float = COPENHAGEN[1]
    heading: float = 0.0
    elevation: float = 10.0
    route: Route | None = None

    @property
    def speed(self) -> float:
        return self.route.speed_kmh if self.route else 0.0


@dataclass(frozen=True)
class Destination:
    name: str
    latitude: float
    longitude: float
    address: str | None = None
    poi_id: str | None = None
    received: float = 0.0


@dataclass(frozen=True)
class Alert:
    id: int
    code: str
    title: str
    time: float
    severity: str = "info"  # info | warning | critical


@dataclass(frozen=True)
class VehicleState:
    vin: str
    model: ModelSpec
    time: float
    soc: float = 70.0  # percent
    aux_rest_voltage: float = 12.6  # the 12 V battery at rest
    odometer_km: float = 1200.0
    charging: Charging = field(default_factory=Charging)
    climate: Climate = field(default_factory=Climate)
    doors: Doors = field(default_factory=Doors)
    windows: Windows = field(default_factory=Windows)
    lights: Lights = field(default_factory=Lights)
    tyres: Tyres = field(default_factory=Tyres)
    location: Location = field(default_factory=Location)
    alarm_triggered: bool = False
    find_my_car: str = "stop"  # activate | lights_only | horn_only | stop
    find_my_car_until: float = 0.0
    destination: Destination | None = None
    alerts: tuple[Alert, ...] = ()
    next_alert_id: int = 1
    timezone: str = "Europe/Copenhagen"
    color: str = "Dover White"

    @property
    def soc_kwh(self) -> float:
        return self.soc / 100.0 * self.model.battery_kwh

    @property
    def range_km(self) -> float:
        return self.soc / 100.0 * self.model.wltp_range_km

    @property
    def driving(self) -> bool:
        return self.location.route is not None


def new_state(vin: str, model: ModelSpec, now: float, **changes: Any) -> VehicleState:
    """A parked, locked car with plausible defaults for ``model``."""
    bar = model.tyre_bar
    base = VehicleState(vin=vin, model=model, time=now,
                        tyres=Tyres(bar, bar, bar, bar),
                        charging=Charging(charger_kw=model.ac_max_kw))
    return dataclasses.replace(base, **changes)


# ---------------------------------------------------------------- persistence


def to_dict(state: VehicleState) -> dict[str, Any]:
    data = dataclasses.asdict(state)
    data["model"] = state.model.id
    return data


def _build(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(inner[0], value)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.name in value})
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if tp is float:
        return float(value)
    return value


def from_dict(data: dict[str, Any]) -> VehicleState:
    """Rebuild a state saved by :func:`to_dict`; raises ``KeyError``/``ValueError`` if it is
    not one."""
    model = find_model(data["model"])
    hints = typing.get_type_hints(VehicleState)
    fields = {f.name: _build(hints[f.name], data[f.name])
              for f in dataclasses.fields(VehicleState) if f.name in data and f.name != "model"}
    return VehicleState(model=model, **fields)
