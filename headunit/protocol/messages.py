"""The payloads of every MQTT message, as frozen pydantic models, and their codec.

Every payload is JSON with a ``type`` field. :func:`decode` validates a payload on receipt:
size first (:data:`MAX_PAYLOAD`), then JSON, then the schema (no unknown fields, strict
types). It raises :class:`ProtocolError` with the reason; the receiver logs it and drops
the message, so a malformed message never changes state.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

MAX_PAYLOAD = 64 * 1024

Vin = Annotated[str, StringConstraints(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Purpose = Literal["login", "bind"]
# Seconds since the epoch, finite and before 2106 (QR tokens carry times in 32 bits)
MAX_TIME = float(2**32 - 1)
Timestamp = Annotated[float, Field(ge=0, le=MAX_TIME, allow_inf_nan=False)]


class ProtocolError(ValueError):
    """A payload that is not a valid message; the text says why."""


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- shared parts


class UserInfo(Message):
    """An account as the car may show it: never the e-mail, phone number or password."""

    account_id: Id
    display_name: Text
    initials: Annotated[str, StringConstraints(min_length=1, max_length=3)]


class Binding(Message):
    account_id: Id
    display_name: Text
    since: Timestamp


class ErrorBody(Message):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]
    message: Annotated[str, StringConstraints(max_length=512)]
    retry_after: float | None = None


# ---------------------------------------------------------------- head unit -> cloud


class Hello(Message):
    """Sent on every connect: who the head unit is; answered with the session state."""

    type: Literal["hello"] = "hello"
    vin: Vin
    public_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{43}$")]
    model: Text
    software: Text


class PasswordLogin(Message):
    """Step 1 without a scan: account and password typed on the head unit."""

    type: Literal["password_login"] = "password_login"
    identifier: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class Logout(Message):
    """The user logs out of the car on the head unit (the binding stays)."""

    type: Literal["logout"] = "logout"


class KioskReset(Message):
    """A kiosk head unit asks for a fresh start for the next visitor: nobody logged in, no
    binding. The cloud honours it only for a car marked as a kiosk (demo) car."""

    type: Literal["kiosk_reset"] = "kiosk_reset"


HeadUnitRequest = Annotated[Union[Hello, PasswordLogin, Logout, KioskReset],
                            Field(discriminator="type")]


# ---------------------------------------------------------------- cloud -> head unit


class Response(Message):
    """The answer to a request, sent to its response topic with its correlation data."""

    type: Literal["response"] = "response"
    request: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
    status: Literal["ok", "error"]
    data: dict[str, Any] | None = None
    error: ErrorBody | None = None
    transaction: Annotated[str, StringConstraints(max_length=64)] = ""


class ForceUnbindState(Message):
    """A force unbind of this car, while it is open: waiting for the previous user's answer
    (``pending``, completed automatically at ``deadline``) or refused by them (``rejected``:
    only an MG dealer can unbind the car now)."""

    status: Literal["pending", "rejected"]
    requested: Timestamp
    deadline: Timestamp


class SessionState(Message):
    """Retained per car: who is logged into it and who it is bound to.

    ``seq`` grows with every change; a head unit ignores a state older than one it has,
    unless ``cloud_id`` differs (a new cloud database).
    """

    type: Literal["session"] = "session"
    vin: Vin
    cloud_id: Id
    seq: Annotated[int, Field(ge=0)]
    user: UserInfo | None = None
    binding: Binding | None = None
    force_unbind: ForceUnbindState | None = None


class Scanned(Message):
    """A phone has scanned the car's QR code and must now confirm on the phone."""

    type: Literal["scanned"] = "scanned"
    scan_id: Id
    purpose: Purpose
    expires: Timestamp


class ScanClosed(Message):
    type: Literal["scan_closed"] = "scan_closed"
    scan_id: Id
    outcome: Literal["confirmed", "cancelled", "expired"]


class Notice(Message):
    """Something to tell the person at the car, as a code the head unit translates."""

    type: Literal["notice"] = "notice"
    code: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]
    params: dict[str, Annotated[str, StringConstraints(max_length=128)]] = Field(default_factory=dict)


CloudEvent = Annotated[Union[Scanned, ScanClosed, Notice], Field(discriminator="type")]


class ClockState(Message):
    """Retained: the cloud's simulated clock, which every head unit follows."""

    type: Literal["clock"] = "clock"
    anchor_real: Timestamp
    anchor_sim: Timestamp
    scale: Annotated[float, Field(gt=0, le=1_000_000)]


class CloudInfo(Message):
    """Retained: where phones reach the cloud (the base of every QR URL) and who it is."""

    type: Literal["cloud_info"] = "cloud_info"
    cloud_id: Id
    public_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
                                                 max_length=200)]
    demo: bool = False


AVAILABILITY_VALUES = (b"online", b"offline")

# ---------------------------------------------------------------- codec

M = TypeVar("M")

REQUEST = TypeAdapter(HeadUnitRequest)
EVENT = TypeAdapter(CloudEvent)
RESPONSE = TypeAdapter(Response)
SESSION = TypeAdapter(SessionState)
CLOCK = TypeAdapter(ClockState)
CLOUD_INFO = TypeAdapter(CloudInfo)


def encode(message: Message) -> bytes:
    return message.model_dump_json(exclude_none=False).encode()


def decode(adapter: TypeAdapter[M], payload: bytes) -> M:
    """Validate ``payload`` against ``adapter``; raise :class:`ProtocolError` saying why not."""
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError(f"payload is {len(payload)} bytes; the limit is {MAX_PAYLOAD}")
    try:  # the hot path (every status a fleet relays): parse and validate in one pass
        return adapter.validate_json(payload)
    except ValueError:  # ValidationError, or something pydantic's parser does not take
        pass  # which json.loads may (a BOM, UTF-16): decide, and say why, the careful way
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"payload is not JSON: {exc}") from None
    except RecursionError:
        raise ProtocolError("payload nests too deeply to be a message") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"payload is a JSON {type(data).__name__}, not an object")
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        raise ProtocolError(f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from None


def decode_availability(payload: bytes) -> str:
    if payload not in AVAILABILITY_VALUES:
        raise ProtocolError(f"availability must be 'online' or 'offline', got {payload[:32]!r}")
    return payload.decode()
