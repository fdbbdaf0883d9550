"""The phone's HTTP API for the car's services: status, commands, notifications, POIs.

Installed into the cloud's FastAPI app by :func:`install`. Only the account bound to the car
sees its status and commands it; a service the car's model lacks is refused with
``service_unavailable``. Errors are the app's usual 4xx JSON bodies.
"""

import re
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from headunit.protocol import vehicle as pv
from headunit.protocol.errors import CloudError

from . import poi
from .car_commands import CommandDesk
from .vehicles import VehicleRelay

Vin = Annotated[str, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")]
RequestId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class CommandRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: RequestId = Field(description="Chosen by the phone; a repeat is answered "
                                              "again, never run twice")
    command: dict[str, Any] = Field(examples=[{"name": "climate", "state": "on",
                                               "temperature": 21}])


class ReadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[str, Field(max_length=100)]] | None = Field(
        default=None, description="Notification ids to mark read; omit to mark all")


def parse_command(raw: dict[str, Any]) -> Any:
    try:
        return pv.COMMAND.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "command"
        names = ", ".join(pv.SERVICE_OF)
        raise CloudError("invalid_command", f"command.{where}: {first['msg']} (commands: "
                         f"{names}; see docs/protocol.md)") from None


def parse_near(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    found = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*", text)
    if not found or abs(float(found[1])) > 90 or abs(float(found[2])) > 180:
        raise CloudError("invalid_request", f"near={text!r} is not LAT,LON, e.g. 55.68,12.57")
    return float(found[1]), float(found[2])


def install(app: FastAPI, relay: VehicleRelay, desk: CommandDesk, phone: Any) -> None:
    """Add the routes; ``phone`` is the app's dependency that authenticates a phone."""
    Phone = phone

    @app.get("/api/v1/vehicles/{vin}/status", tags=["services"])
    def vehicle_status(vin: Vin, account: Phone,
                       after_seq: Annotated[int | None, Query(ge=-1)] = None,
                       wait: Annotated[float, Query(ge=0, le=30)] = 0.0) -> dict:
        """Vehicle status: the car's newest status, its services and whether it is online.
        With ``after_seq`` and ``wait``, waits up to ``wait`` s for a newer status."""
        return relay.status_for(account.id, vin, after_seq=after_seq, wait=wait)

    @app.post("/api/v1/vehicles/{vin}/commands", tags=["services"])
    def command(vin: Vin, body: CommandRequest, account: Phone) -> dict:
        """Send a command to the car and wait for its answer (at most 10 s). A refusal is a
        409 with the car's reason, e.g. ``door_open``; ``vehicle_timeout`` is a 504."""
        return desk.from_phone(account.id, vin, body.request_id, parse_command(body.command))

    @app.get("/api/v1/vehicles/{vin}/commands/{request_id}", tags=["services"])
    def command_result(vin: Vin, request_id: RequestId, account: Phone) -> dict:
        return desk.stored(account.id, vin, request_id)

    @app.get("/api/v1/vehicles/{vin}/notifications", tags=["services"])
    def notifications(vin: Vin, account: Phone,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict:
        """The car's alerts for its bound user, newest first, with the unread count."""
        return relay.notifications(account.id, vin, limit)

    @app.post("/api/v1/vehicles/{vin}/notifications/read", tags=["services"])
    def mark_read(vin: Vin, body: ReadRequest, account: Phone) -> dict:
        return relay.mark_read(account.id, vin, body.ids)

    @app.get("/api/v1/pois", tags=["services"])
    def search_pois(account: Phone, q: Annotated[str, Query(max_length=100)] = "",
                    kind: Annotated[str | None, Query(pattern=r"^(charger|place|dealer)$")] = None,
                    near: Annotated[str | None, Query(max_length=40)] = None,
                    limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict:
        """Search the bundled points of interest (chargers and places in Denmark)."""
        return {"pois": poi.search(q, kind=kind, near=parse_near(near), limit=limit)}

    @app.get("/api/v1/pois/{poi_id}", tags=["services"])
    def get_poi(poi_id: RequestId, account: Phone) -> dict:
        found = poi.by_id(poi_id)
        if found is None:
            raise CloudError("not_found", f"No point of interest {poi_id}; search with "
                             "GET /api/v1/pois?q=...", status=404)
        return asdict(found)
