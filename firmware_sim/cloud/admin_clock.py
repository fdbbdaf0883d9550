"""Admin endpoints to read and move the cloud's simulated clock (tests, demos, fault drills).

``POST /api/v1/admin/clock {"advance": "72h"}`` jumps the clock forward; the cloud publishes its
new clock (retained) and every head unit follows it. Admin token required.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from headunit.clock import parse_duration
from headunit.protocol.errors import CloudError

from .service import CloudService

MAX_JUMP = 10 * 365 * 86400.0


class ClockJump(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advance: Annotated[str, Field(min_length=1, max_length=32, examples=["72h", "90s", "3600"],
                                  description="how far to jump: seconds, or e.g. 15m, 72h, 3d")]


def install(app: FastAPI, service: CloudService, admin: Any) -> None:
    """Add the clock routes to ``app``, guarded by the ``admin`` dependency."""

    def clock_json() -> dict:
        spec = service.clock.spec
        return {"now": service.clock.now(), "scale": spec.scale}

    @app.get("/api/v1/admin/clock", tags=["admin"], dependencies=[Depends(admin)])
    def read_clock() -> dict:
        return clock_json()

    @app.post("/api/v1/admin/clock", tags=["admin"], dependencies=[Depends(admin)])
    def advance_clock(body: ClockJump) -> dict:
        """Jump the simulated clock forward; head units follow."""
        try:
            seconds = parse_duration(body.advance)
        except ValueError as exc:
            raise CloudError("invalid_request", f"advance: {exc}") from None
        if not 0 < seconds <= MAX_JUMP:
            raise CloudError("invalid_request", "advance: give a duration above 0 and at most "
                             "10 years, e.g. 72h")
        service.clock.advance(seconds)
        return clock_json()
