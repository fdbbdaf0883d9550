"""The car's messages: its status document, commands and their results, and the rig's admin
requests. Both sides import them: the vehicle simulator, the cloud and the head unit.

Field names follow the reverse-engineered MG clients (``docs/protocol.md`` maps each one to its
COVESA VSS path). Like every payload, these are strict, frozen pydantic models checked by
:func:`~headunit.protocol.messages.decode`; lists are JSON arrays.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, StringConstraints, TypeAdapter

from .messages import ErrorBody, Id, Message, Text, Vin

# ---------------------------------------------------------------- services

#: The seven iSmart services, in the order the phone app lists them.
SERVICES = ("climate", "ev_management", "digital_key", "find_my_car", "map_poi",
            "vehicle_status", "notifications")
SERVICE_TITLES = {
    "climate": "Climate", "ev_management": "EV management", "digital_key": "Digital key",
    "find_my_car": "Find my car", "map_poi": "Map & POI", "vehicle_status": "Vehicle status",
    "notifications": "Notifications",
}

CLIMATE_STATES = ("off", "on", "front", "blowingonly")
SOC_TARGETS = (40, 50, 60, 70, 80, 90, 100)
CURRENT_LIMITS = ("6A", "8A", "16A", "MAX")
FIND_MY_CAR_MODES = ("activate", "lights_only", "horn_only", "stop")
SETPOINT_MIN, SETPOINT_MAX = 16.0, 28.0
SEATS = ("frontLeft", "frontRight")

ClimateState = Literal["off", "on", "front", "blowingonly"]
CurrentLimit = Literal["6A", "8A", "16A", "MAX"]
FindMyCarMode = Literal["activate", "lights_only", "horn_only", "stop"]
Setpoint = Annotated[float, Field(ge=SETPOINT_MIN, le=SETPOINT_MAX)]
SocTarget = Annotated[int, Field(ge=40, le=100, multiple_of=10)]
HhMm = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]


# ---------------------------------------------------------------- commands


class ClimateCommand(Message):
    """Remote climate: ``on`` (to the setpoint), ``front`` (with front defrost),
    ``blowingonly`` (fan only), ``off``."""

    name: Literal["climate"] = "climate"
    state: ClimateState
    temperature: Setpoint | None = None


class HeatedSeatCommand(Message):
    name: Literal["heated_seat"] = "heated_seat"
    seat: Literal["frontLeft", "frontRight"]
    level: Annotated[int, Field(ge=0, le=3)]


class DefrostCommand(Message):
    name: Literal["defrost"] = "defrost"
    window: Literal["front", "rear"]
    on: bool


class ChargingCommand(Message):
    name: Literal["charging"] = "charging"
    action: Literal["start", "stop"]


class ChargeTargetCommand(Message):
    name: Literal["charge_target"] = "charge_target"
    soc: SocTarget


class ChargeCurrentLimitCommand(Message):
    name: Literal["charge_current_limit"] = "charge_current_limit"
    limit: CurrentLimit


class ChargeScheduleCommand(Message):
    """Charge only between ``start`` and ``end`` (the car's local time; may cross midnight)."""

    name: Literal["charge_schedule"] = "charge_schedule"
    enabled: bool
    start: HhMm = "00:00"
    end: HhMm = "06:00"


class LockCommand(Message):
    name: Literal["lock"] = "lock"


class UnlockCommand(Message):
    name: Literal["unlock"] = "unlock"


class FindMyCarCommand(Message):
    name: Literal["find_my_car"] = "find_my_car"
    mode: FindMyCarMode


class Destination(Message):
    name: Text
    latitude: Latitude
    longitude: Longitude
    address: Annotated[str, StringConstraints(max_length=200)] | None = None
    poi_id: Id | None = None


class SendDestinationCommand(Message):
    """Map & POI: a destination (or a point of interest) for the car's navigation."""

    name: Literal["send_destination"] = "send_destination"
    destination: Destination


Command = Annotated[Union[ClimateCommand, HeatedSeatCommand, DefrostCommand, ChargingCommand,
                          ChargeTargetCommand, ChargeCurrentLimitCommand, ChargeScheduleCommand,
                          LockCommand, UnlockCommand, FindMyCarCommand, SendDestinationCommand],
                    Field(discriminator="name")]

#: Which service each command belongs to: a model without the service refuses it.
SERVICE_OF: dict[str, str] = {
    "climate": "climate", "heated_seat": "climate", "defrost": "climate",
    "charging": "ev_management", "charge_target": "ev_management",
    "charge_current_limit": "ev_management", "charge_schedule": "ev_management",
    "lock": "digital_key", "unlock": "digital_key",
    "find_my_car": "find_my_car",
    "send_destination": "map_poi",
}


class CarCommand(Message):
    """Cloud -> car (MQTT 5 request, correlation data = the request id), and head unit ->
    cloud. ``request_id`` makes it idempotent: a repeat is answered again, never re-run."""

    type: Literal["car_command"] = "car_command"
    request_id: Id
    origin: Literal["phone", "headunit"]
    command: Command


class CarResult(Message):
    """The answer to a :class:`CarCommand`: ``ok``, or ``error`` with a code and a reason the
    person can act on. ``seq`` is the status sequence number that shows the outcome."""

    type: Literal["car_result"] = "car_result"
    request_id: Id
    status: Literal["ok", "error"]
    error: ErrorBody | None = None
    data: dict[str, Any] | None = None
    seq: Annotated[int, Field(ge=0)] | None = None


# ---------------------------------------------------------------- status


class Info(Message):
    brand: Text
    model: Text
    modelId: Id
    year: Annotated[int, Field(ge=1900, le=2100)]
    powertrain: Literal["bev", "phev"]


class Schedule(Message):
    enabled: bool
    start: HhMm
    end: HhMm


class Drivetrain(Message):
    soc: Annotated[float, Field(ge=0, le=100)]
    soc_kwh: Annotated[float, Field(ge=0)]
    socTarget: SocTarget
    range: Annotated[float, Field(ge=0)]
    charging: bool
    chargerConnected: bool
    chargingType: Literal["AC", "DC"]
    chargingPower: Annotated[float, Field(ge=0)]
    remainingChargingTime: Annotated[int, Field(ge=0)]
    chargeCurrentLimit: CurrentLimit
    chargingSchedule: Schedule
    power: float
    hvBatteryActive: bool
    auxiliaryBatteryVoltage: Annotated[float, Field(ge=0, le=20)]
    mileage: Annotated[float, Field(ge=0)]
    totalBatteryCapacity: Annotated[float, Field(gt=0)]


class Climate(Message):
    interiorTemperature: Annotated[float, Field(ge=-60, le=90)]
    exteriorTemperature: Annotated[float, Field(ge=-60, le=70)]
    remoteClimateState: ClimateState
    remoteTemperature: Setpoint
    heatedSeatsFrontLeftLevel: Annotated[int, Field(ge=0, le=3)]
    heatedSeatsFrontRightLevel: Annotated[int, Field(ge=0, le=3)]
    frontWindowDefrosterHeating: bool
    rearWindowDefrosterHeating: bool


class Doors(Message):
    """``true`` = open."""

    driver: bool
    passenger: bool
    rearLeft: bool
    rearRight: bool
    bonnet: bool
    boot: bool
    locked: bool


class Windows(Message):
    """``true`` = open."""

    driver: bool
    passenger: bool
    rearLeft: bool
    rearRight: bool
    sunRoof: bool


class Lights(Message):
    mainBeam: bool
    dippedBeam: bool
    side: bool


Pressure = Annotated[float, Field(ge=0, le=10)]


class Tyres(Message):
    """Pressures in bar."""

    frontLeftPressure: Pressure
    frontRightPressure: Pressure
    rearLeftPressure: Pressure
    rearRightPressure: Pressure


class Location(Message):
    latitude: Latitude
    longitude: Longitude
    heading: Annotated[float, Field(ge=0, lt=360)]
    speed: Annotated[float, Field(ge=0, le=400)]
    elevation: float
    driving: bool
    findMyCar: FindMyCarMode


class Navigation(Message):
    destination: Destination | None = None
    receivedAt: Annotated[float, Field(ge=0)] | None = None


class Alarm(Message):
    armed: bool
    triggered: bool


class Alert(Message):
    """A vehicle alert (the Notifications service). ``id`` grows per car."""

    id: Annotated[int, Field(ge=1)]
    code: Code
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    time: Annotated[float, Field(ge=0)]
    severity: Literal["info", "warning", "critical"]


MAX_ALERTS = 20


class VehicleStatus(Message):
    """Retained: everything the car reports. ``epoch`` names one life of the simulator's
    state; within an epoch ``seq`` grows with every publication, so a receiver keeps the
    status with the highest ``seq`` and drops an older one that arrives late."""

    type: Literal["vehicle_status"] = "vehicle_status"
    vin: Vin
    epoch: Id
    seq: Annotated[int, Field(ge=0)]
    time: Annotated[float, Field(ge=0)]
    info: Info
    drivetrain: Drivetrain
    climate: Climate
    doors: Doors
    windows: Windows
    lights: Lights
    tyres: Tyres
    location: Location
    navigation: Navigation
    alarm: Alarm
    alerts: Annotated[list[Alert], Field(max_length=MAX_ALERTS)]


def is_newer(incoming: VehicleStatus, known: VehicleStatus | None) -> bool:
    """Whether ``incoming`` should replace ``known``: a new epoch, or a higher seq."""
    if known is None or incoming.epoch != known.epoch:
        return True
    return incoming.seq > known.seq


# ---------------------------------------------------------------- rig / developer access


PropertyPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]{1,32}\.[A-Za-z_]{1,40}$")]


class AdminGet(Message):
    op: Literal["get"] = "get"
    path: PropertyPath


class AdminSet(Message):
    op: Literal["set"] = "set"
    path: PropertyPath
    value: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AdminProps(Message):
    op: Literal["props"] = "props"


class AdminStatus(Message):
    op: Literal["status"] = "status"


class AdminDrive(Message):
    """Drive to a point (or to the destination the car received) at ``speed`` km/h."""

    op: Literal["drive"] = "drive"
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    to_destination: bool = False
    speed: Annotated[float, Field(gt=0, le=200)] = 50.0


class AdminPark(Message):
    op: Literal["park"] = "park"


AdminOp = Annotated[Union[AdminGet, AdminSet, AdminProps, AdminStatus, AdminDrive, AdminPark],
                    Field(discriminator="op")]


class AdminRequest(Message):
    type: Literal["admin"] = "admin"
    request: AdminOp


class AdminResult(Message):
    type: Literal["admin_result"] = "admin_result"
    status: Literal["ok", "error"]
    data: dict[str, Any] | None = None
    error: ErrorBody | None = None


COMMAND = TypeAdapter(Command)
CAR_COMMAND = TypeAdapter(CarCommand)
CAR_RESULT = TypeAdapter(CarResult)
VEHICLE_STATUS = TypeAdapter(VehicleStatus)
ADMIN_REQUEST = TypeAdapter(AdminRequest)
ADMIN_RESULT = TypeAdapter(AdminResult)


def error_result(request_id: str, code: str, message: str) -> CarResult:
    return CarResult(request_id=request_id, status="error",
                     error=ErrorBody(code=code, message=message[:512]))
