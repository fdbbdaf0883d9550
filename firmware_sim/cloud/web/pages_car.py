"""Car pages: the scanned QR URL, the confirm question, My car, and Bind (how to scan).

``GET /s/{token}`` is what a phone's camera opens. Logged in, it presents the token to the
cloud (the car then shows "confirm on your phone") and leads to ``/scan/{scan_id}``, which
asks the question; Confirm and Cancel are POSTs with the CSRF token. Logged out, the token
waits in an HttpOnly cookie while the visitor logs in or registers.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from headunit.protocol.errors import CloudError

from .security import NEXT_COOKIE, NEXT_LIFETIME, QR_TOKEN
from .site import Site, Visitor

SCAN_ID = re.compile(r"^[a-f0-9]{16}$")
DONE = ("logged_in", "bound", "cancelled", "unbound", "agreed", "rejected")


def add(router: APIRouter, site: Site) -> None:
    service = site.service

    async def start_scan(request: Request, v: Visitor, content: str) -> Response:
        assert v.account is not None
        try:
            scan = await site.call(service.scan, v.account, content)
        except CloudError as exc:
            if exc.code == "bound_to_other_user":  # offered force unbinding (pages_ownership)
                await site.call(site.remember_offer, v.account, exc)
            return site.refusal(request, v, exc)
        scale = max(service.clock.spec.scale, 1e-6)
        site.scans.put(v.account.id, scan, (scan["expires"] - service.clock.now()) / scale)
        response = site.redirect(request, v, f"/scan/{scan['scan_id']}")
        if NEXT_COOKIE in request.cookies:
            site.guard.clear_cookie(request, response, NEXT_COOKIE)
        return response

    @router.get("/s/{token}", include_in_schema=False)
    async def scanned(request: Request, token: str) -> Response:
        v = await site.visitor(request)
        if not QR_TOKEN.match(token):
            return site.problem(request, v, "bad_token")
        if v.account is None:
            response = site.redirect(request, v, "/login")
            site.guard.set_cookie(request, response, NEXT_COOKIE, token, NEXT_LIFETIME)
            return response
        return await start_scan(request, v, token)

    @router.get("/scan/{scan_id}", include_in_schema=False)
    async def question(request: Request, scan_id: str) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        found = site.scans.get(v.account.id, scan_id) if SCAN_ID.match(scan_id) else None
        if found is None:
            return site.problem(request, v, "scan_not_found", 404)
        scan, left = found
        return site.page(request, v, "scan.html", scan=scan, vehicle=scan["vehicle"],
                         left=int(left))

    async def answer(request: Request, scan_id: str, confirm: bool) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        if not SCAN_ID.match(scan_id):
            return site.problem(request, v, "scan_not_found", 404)
        fn = service.confirm_scan if confirm else service.cancel_scan
        try:
            result = await site.call(fn, v.account, scan_id)
        except CloudError as exc:
            site.scans.drop(scan_id)
            return site.problem(request, v, exc.code, exc.status)
        site.scans.drop(scan_id)
        return site.redirect(request, v, f"/cars?done={result['result']}")

    @router.post("/scan/{scan_id}/confirm", include_in_schema=False)
    async def confirm(request: Request, scan_id: str) -> Response:
        return await answer(request, scan_id, True)

    @router.post("/scan/{scan_id}/cancel", include_in_schema=False)
    async def cancel(request: Request, scan_id: str) -> Response:
        return await answer(request, scan_id, False)

    @router.get("/cars", include_in_schema=False)
    async def cars(request: Request) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        vehicles = await site.call(service.vehicles_for, v.account)
        requests = [r for r in await site.call(service.ownership.force_requests, v.account)
                    if r["role"] == "requester" and r["status"] in ("pending", "rejected")]
        done = request.query_params.get("done")
        return site.page(request, v, "cars.html", vehicles=vehicles, requests=requests,
                         done=done if done in DONE else None)

    @router.get("/bind", include_in_schema=False)
    async def bind_page(request: Request) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        return site.page(request, v, "bind.html", content="")

    @router.post("/bind", include_in_schema=False)
    async def bind_pasted(request: Request) -> Response:
        """A pasted QR link (for a phone without a camera app, or a desktop)."""
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        content = form.get("content", "").strip()[:1024]
        return await start_scan(request, v, content or "-")
