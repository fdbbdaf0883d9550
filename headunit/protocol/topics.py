"""Every MQTT topic of the system, built by one helper from the constants here.

Topic layout (prefix ``ismart/v1``)::

    ismart/v1/cloud/availability                   cloud, retained, Last Will "offline"
    ismart/v1/cloud/clock                          cloud, retained: the simulated clock
    ismart/v1/cloud/info                           cloud, retained: public URL, cloud id
    ismart/v1/vehicles/{vin}/headunit/availability head unit, retained, Last Will "offline"
    ismart/v1/vehicles/{vin}/headunit/request      head unit -> cloud (MQTT 5 request)
    ismart/v1/vehicles/{vin}/headunit/response     cloud -> head unit (the response topic)
    ismart/v1/vehicles/{vin}/session               cloud, retained: who is in the car, binding
    ismart/v1/vehicles/{vin}/events                cloud -> head unit: scans, notices

The car itself (the vehicle simulator) and its status relay (:mod:`.vehicle` payloads)::

    ismart/v1/vehicles/{vin}/car/availability      car, retained, Last Will "offline"
    ismart/v1/vehicles/{vin}/car/status            car -> cloud, retained: vehicle_status
    ismart/v1/vehicles/{vin}/car/command           cloud -> car (MQTT 5 request): car_command
    ismart/v1/vehicles/{vin}/car/result            car -> cloud (the response topic): car_result
    ismart/v1/vehicles/{vin}/car/admin             rig -> car (MQTT 5 request): get/set/drive
    ismart/v1/vehicles/{vin}/car/admin_response    car -> rig: admin_result
    ismart/v1/vehicles/{vin}/status                cloud -> head unit, retained: vehicle_status
    ismart/v1/vehicles/{vin}/headunit/car_command  head unit -> cloud (MQTT 5 request)
    ismart/v1/vehicles/{vin}/headunit/car_result   cloud -> head unit: car_result

A name that goes into a topic can never carry ``+``, ``#``, ``/`` or a NUL: :func:`segment`
refuses it, so no VIN or id can widen a subscription or reach another car's topics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "ismart/v1"

# Leaf names under a vehicle.
HEADUNIT_AVAILABILITY = "headunit/availability"
HEADUNIT_REQUEST = "headunit/request"
HEADUNIT_RESPONSE = "headunit/response"
SESSION = "session"
EVENTS = "events"

# The car (vehicle simulator) and the cloud's relay of its status.
CAR_AVAILABILITY = "car/availability"
CAR_STATUS = "car/status"
CAR_COMMAND = "car/command"
CAR_RESULT = "car/result"
CAR_ADMIN = "car/admin"
CAR_ADMIN_RESPONSE = "car/admin_response"
STATUS = "status"
HEADUNIT_CAR_COMMAND = "headunit/car_command"
HEADUNIT_CAR_RESULT = "headunit/car_result"

CAR_LEAVES = (CAR_AVAILABILITY, CAR_STATUS, CAR_COMMAND, CAR_RESULT, CAR_ADMIN,
              CAR_ADMIN_RESPONSE, STATUS, HEADUNIT_CAR_COMMAND, HEADUNIT_CAR_RESULT)

VEHICLE_LEAVES = (HEADUNIT_AVAILABILITY, HEADUNIT_REQUEST, HEADUNIT_RESPONSE, SESSION, EVENTS,
                  *CAR_LEAVES)

# ISO 3779: 17 characters, digits and capitals without I, O and Q.
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_FORBIDDEN = set("+#/\x00")


class TopicError(ValueError):
    """A name that cannot go into a topic, or a topic this system does not use."""


def segment(value: str, *, what: str = "id") -> str:
    """Return ``value`` if it is safe as one topic level, else raise :class:`TopicError`."""
    if not isinstance(value, str) or not value:
        raise TopicError(f"{what} must be a non-empty string")
    bad = _FORBIDDEN.intersection(value)
    if bad:
        raise TopicError(
            f"{what} {value!r} contains {''.join(sorted(bad))!r}; "
            "'+', '#', '/' and NUL are not allowed in a topic level"
        )
    if len(value) > 64:
        raise TopicError(f"{what} is {len(value)} characters long; at most 64 are allowed")
    return value


def check_vin(vin: str) -> str:
    """Return ``vin`` if it is a well-formed VIN, else raise :class:`TopicError`."""
    segment(vin, what="VIN")
    if not VIN_PATTERN.match(vin):
        raise TopicError(
            f"VIN {vin!r} is not 17 characters of digits and capitals (no I, O or Q)"
        )
    return vin


def topic(*levels: str) -> str:
    """Join checked levels under the versioned prefix."""
    return "/".join([PREFIX, *(segment(level, what="topic level") for level in levels)])


def vehicle(vin: str, leaf: str) -> str:
    """The topic ``leaf`` (one of :data:`VEHICLE_LEAVES`) of the car ``vin``."""
    if leaf not in VEHICLE_LEAVES:
        raise TopicError(f"unknown vehicle topic {leaf!r}")
    return f"{PREFIX}/vehicles/{check_vin(vin)}/{leaf}"


def vehicle_filter(leaf: str) -> str:
    """A subscription filter for ``leaf`` of every car (the cloud's side)."""
    if leaf not in VEHICLE_LEAVES:
        raise TopicError(f"unknown vehicle topic {leaf!r}")
    return f"{PREFIX}/vehicles/+/{leaf}"


CLOUD_AVAILABILITY = f"{PREFIX}/cloud/availability"
CLOUD_CLOCK = f"{PREFIX}/cloud/clock"
CLOUD_INFO = f"{PREFIX}/cloud/info"


@dataclass(frozen=True)
class VehicleTopic:
    vin: str
    leaf: str


def parse_vehicle_topic(name: str) -> VehicleTopic:
    """Split ``ismart/v1/vehicles/{vin}/{leaf}``; raise :class:`TopicError` on anything else."""
    head = f"{PREFIX}/vehicles/"
    if not name.startswith(head):
        raise TopicError(f"topic {name!r} is not under {head}")
    vin, _, leaf = name[len(head) :].partition("/")
    if leaf not in VEHICLE_LEAVES:
        raise TopicError(f"topic {name!r} has an unknown leaf {leaf!r}")
    return VehicleTopic(check_vin(vin), leaf)
