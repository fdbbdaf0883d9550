"""The bound car's page: its status and every service its model has.

``GET /cars/{vin}`` shows the car's newest status (through :meth:`VehicleRelay.status_for`,
which only the bound account passes) and a section per service of the model: Vehicle status,
Climate, EV management, Digital key, Find my car, Map & POI, Notifications. Each command is a
POSTed form (``/cars/{vin}/command``, CSRF checked) sent through :class:`CommandDesk` with a
request id made from the page and the command, so sending the same form twice never runs it
twice. The answer is the page again: ``?done=<command>`` once the car's status shows it, or
the car's reason for refusing, in the section of the service.

``GET /cars/{vin}/live?v=...`` answers 204 while nothing changed, else the page's live parts
(app.js swaps them in, so the status follows the car without a reload).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from headunit.protocol import vehicle as pv
from headunit.protocol.errors import CloudError

from .. import poi
from ..vehicle_api import parse_command
from . import car_view, words
from .site import Site, Visitor

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
PAGE_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
STATUS_WAIT = 5.0  # after an accepted command: wait this long for the status that shows it
POI_LIMIT = 8


def request_id(account_id: str, nonce: str, command: Any) -> str:
    """The same form of the same page sent twice gives the same id (never run twice); another
    command, or the page drawn again, a new one."""
    body = json.dumps(command.model_dump(), sort_keys=True)
    digest = hashlib.sha256(f"{account_id}|{nonce}|{body}".encode()).hexdigest()
    return f"web-{digest[:40]}"


def add(router: APIRouter, site: Site) -> None:
    relay, desk = site.relay, site.desk

    def car_data(account_id: str, vin: str) -> dict[str, Any]:
        """Everything the page shows, read under the service's rules (bound user only)."""
        assert relay is not None
        data = relay.status_for(account_id, vin)
        spec = relay.model_of(vin)
        alerts = (relay.notifications(account_id, vin, 5)
                  if data["services"].get("notifications") else None)
        record = site.service.vehicle_record(vin)
        return {"data": data, "facts": car_view.facts(data, spec.tyre_bar), "alerts": alerts,
                "bound_since": record.bound_since if record else None,
                "version": car_view.live_version(data, alerts)}

    async def render(request: Request, v: Visitor, vin: str, *, status: int = 200,
                     failed: tuple[str, str] | None = None) -> Response:
        if v.account is None:
            return site.redirect(request, v, "/login")
        if not VIN.match(vin):
            return site.problem(request, v, "not_found", 404)
        if relay is None or desk is None:
            return site.problem(request, v, "service_unavailable", 503)
        try:
            car = await site.call(car_data, v.account.id, vin)
        except CloudError as exc:
            return site.refusal(request, v, exc)
        data, facts = car["data"], car["facts"]
        query = request.query_params.get("q", "").strip()[:100]
        found = None
        if query and data["services"].get("map_poi"):
            near = (facts["latitude"], facts["longitude"]) if facts else None
            found = poi.search(query, near=near, limit=POI_LIMIT)
        done = request.query_params.get("done", "")
        done_in = car_view.ANCHOR.get(pv.SERVICE_OF.get(done, ""), None)
        sections = car_view.sections(data["services"])
        failed_in = car_view.ANCHOR.get(pv.SERVICE_OF.get(failed[0], ""), None) if failed \
            else None
        if failed and failed_in not in {s["anchor"] for s in sections}:
            failed_in = "top"  # a service this model lacks: no section to say it in
        return site.page(
            request, v, "car.html", status=status, vin=vin, car=data, facts=facts,
            alerts=car["alerts"], bound_since=car["bound_since"], version=car["version"],
            sections=sections, query=query, found=found,
            done=done if done_in else None, done_in=done_in,
            failed=failed[1] if failed else None, failed_in=failed_in,
            nonce=secrets.token_urlsafe(12),
            setpoints=car_view.SETPOINTS, targets=pv.SOC_TARGETS, limits=pv.CURRENT_LIMITS,
            clock=lambda ts: words.clock(v.lang, ts), alert_text=lambda a:
            words.alert_text(v.lang, a), back=f"/cars/{vin}", tab="cars")

    @router.get("/cars/{vin}", include_in_schema=False)
    async def car_page(request: Request, vin: str) -> Response:
        v = await site.visitor(request)
        return await render(request, v, vin)

    @router.get("/cars/{vin}/live", include_in_schema=False)
    async def car_live(request: Request, vin: str) -> Response:
        """The page's live parts when they changed since version ``v``, else 204."""
        v = await site.visitor(request, inbox=False)
        if v.account is None:
            return Response(status_code=401)
        if not VIN.match(vin) or relay is None:
            return Response(status_code=404)
        try:
            car = await site.call(car_data, v.account.id, vin)
        except CloudError as exc:
            return Response(status_code=exc.status)
        if car["version"] == request.query_params.get("v"):
            return site.finish(request, v, Response(status_code=204))
        response = site.page(
            request, v, "car_live.html", vin=vin, car=car["data"], facts=car["facts"],
            alerts=car["alerts"], bound_since=car["bound_since"],
            clock=lambda ts: words.clock(v.lang, ts),
            alert_text=lambda a: words.alert_text(v.lang, a))
        response.headers["X-Live-Version"] = car["version"]
        return response

    @router.post("/cars/{vin}/command", include_in_schema=False)
    async def command(request: Request, vin: str) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        if not VIN.match(vin) or relay is None or desk is None:
            return site.problem(request, v, "not_found", 404)
        try:
            cmd = parse_command(car_view.command_from_form(form, poi.by_id))
        except (car_view.FormError, CloudError):
            return site.problem(request, v, "invalid_command", 400)
        nonce = form.get("page", "")
        if not PAGE_NONCE.match(nonce):
            return site.problem(request, v, "form_invalid", 400)
        rid = request_id(v.account.id, nonce, cmd)
        try:
            result = await site.call(desk.from_phone, v.account.id, vin, rid, cmd)
        except CloudError as exc:
            if exc.code in ("not_bound", "unknown_vehicle", "not_authenticated"):
                return site.refusal(request, v, exc)
            return await render(request, v, vin, status=exc.status,
                                failed=(cmd.name, words.describe(v.lang, exc)))
        if result.get("seq") is not None:  # the page shows the status that shows the change
            await site.call(relay.wait_newer, vin, int(result["seq"]) - 1, STATUS_WAIT)
        anchor = car_view.ANCHOR[pv.SERVICE_OF[cmd.name]]
        return site.redirect(request, v, f"/cars/{vin}?done={cmd.name}#{anchor}")

    @router.post("/cars/{vin}/alerts/read", include_in_schema=False)
    async def alerts_read(request: Request, vin: str) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        if not VIN.match(vin) or relay is None:
            return site.problem(request, v, "not_found", 404)
        try:
            await site.call(relay.mark_read, v.account.id, vin, None)
        except CloudError as exc:
            return site.refusal(request, v, exc)
        return site.redirect(request, v, f"/cars/{vin}#alerts")
