"""Every vehicle property by its status path, for rigs and developers (``ismart-vehicle get /
set``), like Android Automotive's ``--get`` / ``--set``.

A path is ``group.field`` of the status document, with the MG clients' field names
(``doors.driver``, ``tyres.frontLeftPressure``, ``climate.interiorTemperature``). ``get``
reads any of them; ``set`` writes the ones a sensor or a person changes, from text
(``open``, ``1.9``, ``16A``), and refuses derived values with a hint to what to set instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from headunit.protocol import vehicle as pv

from . import rules
from .physics import FIND_MY_CAR_SECONDS
from .state import Route, VehicleState

TRUE = {"true", "1", "yes", "on", "open", "opened", "locked"}
FALSE = {"false", "0", "no", "off", "closed", "close", "shut", "unlocked"}


class PropertyError(ValueError):
    """A path that is unknown or read-only, or a value that does not fit; says what to do."""


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    raise PropertyError(f"{text!r} is not a yes/no value; write open/closed, true/false, on/off "
                        "or locked/unlocked")


def number(lo: float, hi: float, unit: str = "") -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise PropertyError(f"{text!r} is not a number") from None
        if not lo <= value <= hi:
            raise PropertyError(f"{value:g}{unit} is outside {lo:g}..{hi:g}{unit}")
        return value
    return parse


def choice(options: tuple[Any, ...]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        for option in options:
            if text.strip().upper() == str(option).upper():
                return option
        raise PropertyError(f"{text!r} is not one of {', '.join(map(str, options))}")
    return parse


def integer(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise PropertyError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise PropertyError(f"{value} is outside {lo}..{hi}")
        return value
    return parse


@dataclass(frozen=True)
class Prop:
    parse: Callable[[str], Any]
    apply: Callable[[VehicleState, Any], VehicleState]
    help: str


def _sub(group: str, attr: str) -> Callable[[VehicleState, Any], VehicleState]:
    def apply(s: VehicleState, value: Any) -> VehicleState:
        return replace(s, **{group: replace(getattr(s, group), **{attr: value})})
    return apply


def _top(attr: str) -> Callable[[VehicleState, Any], VehicleState]:
    return lambda s, value: replace(s, **{attr: value})


def _plug(s: VehicleState, connected: bool) -> VehicleState:
    ch = s.charging
    if connected and s.driving:
        raise PropertyError("the car is driving; park it first ('ismart-vehicle park')")
    # a new plug-in starts from "follow the schedule"; unplugging forgets a start/stop
    return replace(s, charging=replace(ch, cable_connected=connected, intent="auto"))


def _charging_type(s: VehicleState, kind: str) -> VehicleState:
    if kind == "DC" and not s.model.dc_max_kw:
        raise PropertyError(f"the {s.model.name} has no DC charging inlet")
    point = (s.model.dc_max_kw or 50.0) if kind == "DC" else s.model.ac_max_kw
    return replace(s, charging=replace(s.charging, charger_type=kind, charger_kw=point))


def _location(attr: str) -> Callable[[VehicleState, Any], VehicleState]:
    return lambda s, v: replace(s, location=replace(s.location, **{attr: v}))


DOOR_ATTRS = {"driver": "driver", "passenger": "passenger", "rearLeft": "rear_left",
              "rearRight": "rear_right", "bonnet": "bonnet", "boot": "boot"}
WINDOW_ATTRS = {"driver": "driver", "passenger": "passenger", "rearLeft": "rear_left",
                "rearRight": "rear_right", "sunRoof": "sun_roof"}
LIGHT_ATTRS = {"mainBeam": "main_beam", "dippedBeam": "dipped_beam", "side": "side"}
TYRE_ATTRS = {"frontLeftPressure": "front_left", "frontRightPressure": "front_right",
              "rearLeftPressure": "rear_left", "rearRightPressure": "rear_right"}

WRITABLE: dict[str, Prop] = {
    **{f"doors.{k}": Prop(parse_bool, _sub("doors", a), "open | closed")
       for k, a in DOOR_ATTRS.items()},
    "doors.locked": Prop(parse_bool, _sub("doors", "locked"), "locked | unlocked"),
    **{f"windows.{k}": Prop(parse_bool, _sub("windows", a), "open | closed")
       for k, a in WINDOW_ATTRS.items()},
    **{f"lights.{k}": Prop(parse_bool, _sub("lights", a), "on | off")
       for k, a in LIGHT_ATTRS.items()},
    **{f"tyres.{k}": Prop(number(0.0, 10.0, " bar"), _sub("tyres", a), "bar, e.g. 2.5")
       for k, a in TYRE_ATTRS.items()},
    "climate.interiorTemperature": Prop(number(-40, 80, " °C"), _sub("climate", "cabin"), "°C"),
    "climate.exteriorTemperature": Prop(number(-40, 55, " °C"), _sub("climate", "outside"), "°C"),
    "climate.remoteClimateState": Prop(choice(pv.CLIMATE_STATES),
                                       _sub("climate", "remote_state"),
                                       " | ".join(pv.CLIMATE_STATES)),
    "climate.remoteTemperature": Prop(number(pv.SETPOINT_MIN, pv.SETPOINT_MAX, " °C"),
                                      _sub("climate", "setpoint"), "°C, 16..28"),
    "climate.heatedSeatsFrontLeftLevel": Prop(integer(0, 3), _sub("climate", "seat_front_left"),
                                              "0..3"),
    "climate.heatedSeatsFrontRightLevel": Prop(integer(0, 3),
                                               _sub("climate", "seat_front_right"), "0..3"),
    "climate.frontWindowDefrosterHeating": Prop(parse_bool, _sub("climate", "front_defrost"),
                                                "on | off"),
    "climate.rearWindowDefrosterHeating": Prop(parse_bool, _sub("climate", "rear_defrost"),
                                               "on | off"),
    "drivetrain.soc": Prop(number(0, 100, " %"), _top("soc"), "percent"),
    "drivetrain.socTarget": Prop(choice(pv.SOC_TARGETS), _sub("charging", "target"),
                                 "40..100 in steps of 10"),
    "drivetrain.chargerConnected": Prop(parse_bool, _plug, "true | false (plug in / out)"),
    "drivetrain.chargingType": Prop(choice(("AC", "DC")), _charging_type,
                                    "AC | DC (the charge point plugged in)"),
    "drivetrain.chargePointPower": Prop(number(1.0, 400.0, " kW"), _sub("charging", "charger_kw"),
                                        "kW the charge point offers"),
    "drivetrain.chargeCurrentLimit": Prop(choice(pv.CURRENT_LIMITS),
                                          _sub("charging", "current_limit"),
                                          " | ".join(pv.CURRENT_LIMITS)),
    "drivetrain.auxiliaryBatteryVoltage": Prop(number(0, 16, " V"), _top("aux_rest_voltage"),
                                               "volts of the 12 V battery at rest"),
    "drivetrain.mileage": Prop(number(0, 2_000_000, " km"), _top("odometer_km"), "km"),
    "location.latitude": Prop(number(-90, 90), _location("latitude"), "degrees"),
    "location.longitude": Prop(number(-180, 180), _location("longitude"), "degrees"),
    "location.heading": Prop(number(0, 359.9), _location("heading"), "degrees"),
    "location.elevation": Prop(number(-500, 9000, " m"), _location("elevation"), "m"),
    "location.findMyCar": Prop(choice(pv.FIND_MY_CAR_MODES), _top("find_my_car"),
                               " | ".join(pv.FIND_MY_CAR_MODES)),
    "alarm.triggered": Prop(parse_bool, _top("alarm_triggered"), "true | false"),
}

DERIVED_HINTS = {
    "drivetrain.soc_kwh": "drivetrain.soc", "drivetrain.range": "drivetrain.soc",
    "drivetrain.charging": "drivetrain.chargerConnected (and 'ismart-phone charge start')",
    "drivetrain.chargingPower": "drivetrain.chargePointPower or drivetrain.chargeCurrentLimit",
    "drivetrain.remainingChargingTime": "drivetrain.soc or drivetrain.socTarget",
    "drivetrain.power": "drivetrain.chargerConnected or climate.remoteClimateState",
    "drivetrain.hvBatteryActive": "drivetrain.chargerConnected or climate.remoteClimateState",
    "drivetrain.totalBatteryCapacity": "another --model",
    "location.speed": "'ismart-vehicle drive' and 'ismart-vehicle park'",
    "location.driving": "'ismart-vehicle drive' and 'ismart-vehicle park'",
    "alarm.armed": "doors.locked",
}


def set_property(s: VehicleState, path: str, text: str) -> VehicleState:
    """The state with ``path`` set from ``text``, settled by the rules; raises
    :class:`PropertyError` saying what was wrong."""
    prop = WRITABLE.get(path)
    if prop is None:
        if path in DERIVED_HINTS:
            raise PropertyError(f"{path} is derived, not set; set {DERIVED_HINTS[path]} instead")
        raise PropertyError(f"unknown property {path!r}; 'ismart-vehicle props' lists them")
    new = prop.apply(s, prop.parse(text))
    if path == "location.findMyCar" and new.find_my_car != "stop":
        new = replace(new, find_my_car_until=new.time + FIND_MY_CAR_SECONDS)
    return rules.settle(s, new)


def get_extra(s: VehicleState, path: str) -> Any:
    """Properties outside the status document (the charge point's power)."""
    if path == "drivetrain.chargePointPower":
        return s.charging.charger_kw
    raise KeyError(path)


def describe() -> dict[str, str]:
    """Every writable path with what it takes."""
    return {path: prop.help for path, prop in sorted(WRITABLE.items())}


def drive(s: VehicleState, latitude: float, longitude: float, speed: float) -> VehicleState:
    """Start driving to a point at ``speed`` km/h (a rig's or a demo's action)."""
    if s.charging.cable_connected:
        raise PropertyError("the charging cable is connected; unplug it first "
                            "(set drivetrain.chargerConnected false)")
    if s.soc <= 0:
        raise PropertyError("the battery is empty; set drivetrain.soc or charge the car first")
    route = Route(((latitude, longitude),), speed)
    new = replace(s, location=replace(s.location, route=route), find_my_car="stop")
    return rules.settle(s, new)


def park(s: VehicleState) -> VehicleState:
    return rules.settle(s, replace(s, location=replace(s.location, route=None)))
