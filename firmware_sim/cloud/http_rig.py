"""Admin HTTP routes for kiosks and test rigs (issue 7), added by :func:`add_routes`.

- kiosk cars: mark a car (``PUT /api/v1/admin/vehicles/{vin}/kiosk``), list them, and reset any
  car for the next visitor (``POST /api/v1/admin/vehicles/{vin}/reset``: the scenario runner
  starts each scenario from a car with nobody logged in and no binding);
- fault injection: arm a one-shot refusal (``POST /api/v1/admin/faults/refuse-next``), list and
  clear what is armed. The refusal itself is a middleware in front of every non-admin route;
- the abuse limits started afresh (``POST /api/v1/admin/limits/reset``) between scenarios.

Every route needs the admin token (``ismart-cloud serve --admin-token``).
"""

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from headunit.protocol.errors import CloudError

from . import kiosk
from .faults import exempt
from .service import CloudService

Vin = Annotated[str, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KioskMark(Body):
    kiosk: bool = Field(True, description="true: a kiosk (demo) car its head unit may reset")


class RefuseNext(Body):
    code: Annotated[str, Field(pattern=r"^[a-z_]{1,64}$", examples=["internal"],
                               description="the error code to answer with (errors.py)")]
    scope: Literal["http", "mqtt", "any"] = Field(
        "any", description="http: a phone's call; mqtt: a head unit's request; any: either")
    path: Annotated[str | None, Field(max_length=200, examples=["/api/v1/scans"],
                                      description="http: only paths starting with this")] = None
    request: Annotated[str | None, Field(pattern=r"^[a-z_]{1,32}$", examples=["password_login"],
                                         description="mqtt: only this request type")] = None
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    status: Annotated[int | None, Field(ge=400, le=599,
                                        description="HTTP status (default: by code)")] = None


def add_routes(app: FastAPI, service: CloudService, *, admin: Callable[..., None]) -> None:
    faults = service.faults
    Admin = [Depends(admin)]

    @app.middleware("http")
    async def injected_refusal(request: Request, call_next):  # noqa: ANN202
        path = request.url.path
        if not exempt(path):
            refusal = faults.take("http", path)
            if refusal is not None:
                return JSONResponse({"error": {"code": refusal.code, "message": refusal.message,
                                               "retry_after": None}},
                                    status_code=refusal.status)
        return await call_next(request)

    @app.put("/api/v1/admin/vehicles/{vin}/kiosk", tags=["admin"], dependencies=Admin)
    def mark_kiosk(vin: Vin, body: KioskMark) -> dict:
        """Mark a car as a kiosk (demo) car: its head unit may then ask for a reset."""
        return kiosk.mark(service, vin, body.kiosk)

    @app.get("/api/v1/admin/kiosk-cars", tags=["admin"], dependencies=Admin)
    def kiosk_cars() -> dict:
        with service.lock:
            return {"vins": kiosk.kiosk_vins(service.db)}

    @app.post("/api/v1/admin/vehicles/{vin}/reset", tags=["admin"], dependencies=Admin)
    def reset(vin: Vin) -> dict:
        """Reset any car for the next visitor: nobody logged in, no binding, no waiting scan,
        no open force unbind. ``clean`` when there was nothing to reset."""
        return kiosk.reset(service, vin, by="admin")

    @app.post("/api/v1/admin/faults/refuse-next", status_code=201, tags=["admin"],
              dependencies=Admin)
    def refuse_next(body: RefuseNext) -> dict:
        """Arm a refusal: the next ``count`` matching requests get ``code`` instead of an
        answer, and change nothing."""
        try:
            armed = faults.arm(body.code, scope=body.scope, path=body.path,
                               request=body.request, count=body.count, status=body.status)
        except ValueError as exc:
            raise CloudError("invalid_request", str(exc)) from None
        return {"armed": armed}

    @app.post("/api/v1/admin/limits/reset", tags=["admin"], dependencies=Admin)
    def reset_limits() -> dict:
        """Start the abuse limits afresh (a test rig's phones all come from one address, so
        one scenario after another would run into the per-source limits)."""
        from .ratelimit import AbuseLimits
        service.limits = AbuseLimits(service.limits.policy)
        return {"reset": True}

    @app.get("/api/v1/admin/faults", tags=["admin"], dependencies=Admin)
    def armed() -> dict:
        return {"armed": faults.armed(), "refused": faults.refused}

    @app.delete("/api/v1/admin/faults", tags=["admin"], dependencies=Admin)
    def clear() -> dict:
        return {"cleared": faults.clear()}
