"""The cloud's HTTP JSON API for phones (and admins), with an OpenAPI document.

FastAPI validates every body against a pydantic model and serves ``/openapi.json``. Every
refusal is a 4xx JSON body ``{"error": {"code", "message", "retry_after"}}``; bad input never
gives a 500. Phones authenticate with ``Authorization: Bearer <token>`` from ``POST
/api/v1/sessions``; admin calls with ``Authorization: Bearer <admin token>``.
"""


import hmac
import logging
import sqlite3
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from headunit.protocol.errors import CloudError, message_for

from . import storage
from .accounts import Account
from .http_ownership import add_routes as add_ownership_routes
from .service import CloudService
from .web import web_router

log = logging.getLogger(__name__)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodeRequest(Body):
    identifier: Annotated[str, Field(min_length=1, max_length=254,
                                     examples=["ann@example.com", "+4512345678"])]
    purpose: Literal["register"] = "register"


class RegisterRequest(Body):
    identifier: Annotated[str, Field(min_length=1, max_length=254)]
    code: Annotated[str, Field(pattern=r"^\s*[0-9]{6}\s*$")]
    password: Annotated[str, Field(min_length=1, max_length=256)]
    display_name: Annotated[str, Field(max_length=64)] = ""


class LoginRequest(Body):
    identifier: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=256)]
    accept_user_agreement: bool = False
    accept_privacy_policy: bool = False


class ScanRequest(Body):
    content: Annotated[str, Field(min_length=1, max_length=1024,
                                  description="The QR content: the URL or the bare token")]


class ProvisionRequest(Body):
    vin: Annotated[str, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")]
    public_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{43}$")]
    model: Annotated[str, Field(min_length=1, max_length=64)]


ScanId = Annotated[str, Field(pattern=r"^[a-f0-9]{16}$")]
Vin = Annotated[str, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")]


def error_response(code: str, message: str, status: int,
                   retry_after: float | None = None,
                   details: dict[str, str] | None = None) -> JSONResponse:
    headers = {"Retry-After": str(int(retry_after) + 1)} if retry_after else None
    error: dict = {"code": code, "message": message, "retry_after": retry_after}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def source_of(request: Request) -> str:
    """Who is asking, for the abuse limits: the peer address (no proxy headers are trusted)."""
    return f"ip:{request.client.host}" if request.client else "ip:unknown"


def create_app(service: CloudService, *, admin_token: str | None = None,
               dealer_token: str | None = None, relay: Any = None,
               desk: Any = None) -> FastAPI:
    app = FastAPI(title="iSmart cloud simulator", version="1",
                  description="The phone-facing API of the iSmart cloud simulator.")
    app.state.service = service

    @app.exception_handler(CloudError)
    async def cloud_error(request: Request, exc: CloudError) -> JSONResponse:
        return error_response(exc.code, exc.message, exc.status, exc.retry_after, exc.details)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return error_response("invalid_request", f"{where}: {first.get('msg')}", 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "invalid_request"}.get(exc.status_code, "invalid_request")
        return error_response(code, str(exc.detail), exc.status_code)

    @app.exception_handler(sqlite3.OperationalError)
    async def storage_failed(request: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        e = storage.refusal(exc)
        return error_response(e.code, e.message, e.status, e.retry_after)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response("internal", message_for("internal"), 500)

    def bearer(authorization: Annotated[str | None, Header()] = None) -> str:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise CloudError("not_authenticated", status=401)
        return authorization[7:].strip()

    def phone(token: Annotated[str, Depends(bearer)]) -> Account:
        return service.authenticate(token)

    def admin(token: Annotated[str, Depends(bearer)]) -> None:
        if not admin_token:
            raise CloudError("not_authenticated", "Admin calls are off: start the cloud with "
                             "--admin-token to use them.", status=403)
        if not hmac.compare_digest(token, admin_token):
            raise CloudError("not_authenticated", "Wrong admin token.", status=403)

    Phone = Annotated[Account, Depends(phone)]

    @app.get("/healthz", tags=["system"])
    def healthz() -> dict:
        return {"status": "ok", "cloud_id": service.cloud_id, "time": service.clock.now()}

    @app.post("/api/v1/verification-codes", status_code=202, tags=["accounts"])
    def request_code(body: CodeRequest, request: Request) -> dict:
        """Send a 6-digit code to a phone number (SMS) or e-mail address (simulated).
        Limited per identifier and per caller: 429 with Retry-After when exceeded."""
        return service.request_code(body.identifier, body.purpose, source=source_of(request))

    @app.post("/api/v1/accounts", status_code=201, tags=["accounts"])
    def register(body: RegisterRequest, request: Request) -> dict:
        return service.register(body.identifier, body.code.strip(), body.password,
                                body.display_name, source=source_of(request))

    @app.post("/api/v1/sessions", status_code=201, tags=["accounts"])
    def login(body: LoginRequest, request: Request) -> dict:
        """Log in. Failed logins are limited per account and per caller: 429 with
        Retry-After and ``retry_after`` when exceeded."""
        token, account = service.login(body.identifier, body.password,
                                       body.accept_user_agreement, body.accept_privacy_policy,
                                       source=source_of(request))
        return {"token": token, "account": account}

    @app.delete("/api/v1/sessions/current", status_code=204, tags=["accounts"])
    def logout(token: Annotated[str, Depends(bearer)]) -> None:
        service.authenticate(token)
        service.logout_phone(token)

    @app.get("/api/v1/me", tags=["accounts"])
    def me(account: Phone) -> dict:
        return service.account_json(account)

    @app.get("/api/v1/outbox", tags=["accounts"])
    def outbox(to: Annotated[str, Field(min_length=1, max_length=254)]) -> dict:
        """The simulated SMS / e-mail inbox of ``to`` (demo mode only)."""
        if not service.settings.demo:
            raise CloudError("not_found", "The simulated inbox is only open in demo mode "
                             "(start the cloud with --demo).", status=404)
        return {"messages": service.outbox(to)}

    @app.post("/api/v1/scans", status_code=201, tags=["car"])
    def scan(body: ScanRequest, account: Phone) -> dict:
        """Present a scanned QR code; the car shows "scanned" until the phone confirms."""
        return service.scan(account, body.content)

    @app.post("/api/v1/scans/{scan_id}/confirm", tags=["car"])
    def confirm(scan_id: ScanId, account: Phone) -> dict:
        return service.confirm_scan(account, scan_id)

    @app.post("/api/v1/scans/{scan_id}/cancel", tags=["car"])
    def cancel(scan_id: ScanId, account: Phone) -> dict:
        return service.cancel_scan(account, scan_id)

    @app.get("/api/v1/vehicles", tags=["car"])
    def vehicles(account: Phone) -> dict:
        return {"vehicles": service.vehicles_for(account)}

    @app.post("/api/v1/vehicles/{vin}/logout", tags=["car"])
    def logout_car(vin: Vin, account: Phone) -> dict:
        """Log the account out of the car (the binding stays)."""
        return service.logout_car_from_phone(account, vin)

    @app.post("/api/v1/admin/vehicles", status_code=201, tags=["admin"],
              dependencies=[Depends(admin)])
    def provision(body: ProvisionRequest) -> dict:
        return service.provision(body.vin, body.public_key, body.model)

    @app.get("/api/v1/admin/vehicles/{vin}", tags=["admin"], dependencies=[Depends(admin)])
    def vehicle_state(vin: Vin) -> dict:
        state = service.vehicle_state(vin)
        if state is None:
            raise CloudError("unknown_vehicle", status=404)
        return state

    add_ownership_routes(app, service, phone=phone, bearer=bearer, admin=admin,
                         dealer_token=dealer_token, admin_token=admin_token)

    from .http_rig import add_routes as add_rig_routes  # kiosk cars, fault injection (issue 7)
    add_rig_routes(app, service, admin=admin)

    # the mobile web companion: /s/{token} (what a phone's camera opens), /login, /cars, ...
    app.include_router(web_router(service, relay=relay, desk=desk))

    if relay is not None and desk is not None:  # the car's services (vehicle_api.py)
        from .vehicle_api import install
        install(app, relay, desk, Phone)

    return app
