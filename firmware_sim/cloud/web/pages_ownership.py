"""Ownership pages: unbind with the SMS code, force unbinding (request, Agree / Reject, the
request's page), notifications, and feedback. Every rule is the service's
(:class:`~firmware_sim.cloud.ownership_service.Ownership`); these pages ask and show.

- ``/cars/{vin}/unbind``: Send code (demo: the "Simulated SMS" panel) → enter it → Unbind.
- ``/force-unbind/{vin}``: after a refused scan, the confirmation that a push message goes to
  the previous user; POST sends it and leads to ``/requests/{id}``, which follows the answer
  live (waiting until the deadline, rejected: see an MG dealer, complete).
- ``/requests/{id}/answer``: the previous user's Agree / Reject. Every page of a logged-in
  visitor shows the requests waiting for its answer; ``/live/inbox`` keeps them (and the
  unread count) live.
- ``/notifications`` (push messages and the bound cars' alerts), ``/feedback`` (and Contact us).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from headunit.protocol.errors import CloudError

from ..accounts import Account
from . import i18n, words
from .car_view import version
from .site import Site, Visitor

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
REQUEST_ID = re.compile(r"^[a-f0-9]{16}$")
FEEDBACK_MAX = 2000


def add(router: APIRouter, site: Site) -> None:
    service = site.service
    own = service.ownership

    # ------------------------------------------------------------ unbind with the code

    def bound_car(account: Account, vin: str) -> dict | None:
        return next((c for c in service.vehicles_for(account) if c["vin"] == vin and c["bound"]),
                    None)

    def unbind_page(request: Request, v: Visitor, car: dict, *, status: int = 200,
                    sent: dict | None = None, error: str | None = None) -> Response:
        sms = None
        if sent is not None and site.demo and v.account is not None:
            messages = service.outbox(v.account.identifier)
            sms = messages[0] if messages else None
        return site.page(request, v, "unbind.html", status=status, car=car, sent=sent,
                         sms=sms, error=error, back=f"/cars/{car['vin']}/unbind")

    @router.get("/cars/{vin}/unbind", include_in_schema=False)
    async def unbind_start(request: Request, vin: str) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        car = await site.call(bound_car, v.account, vin) if VIN.match(vin) else None
        if car is None:
            return site.problem(request, v, "not_bound_to_you", 403)
        return unbind_page(request, v, car)

    @router.post("/cars/{vin}/unbind", include_in_schema=False)
    async def unbind(request: Request, vin: str) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        assert v.account is not None
        car = await site.call(bound_car, v.account, vin) if VIN.match(vin) else None
        if car is None:
            return site.problem(request, v, "not_bound_to_you", 403)
        channel = {"sent_to": v.account.identifier, "channel": None}  # sent before
        if form.get("action") == "send":
            try:
                sent = await site.call(own.request_unbind_code, v.account, vin)
            except CloudError as exc:  # too soon: the earlier code still works
                return await site.call(partial(unbind_page, request, v, car, status=exc.status,
                                               sent=channel, error=words.describe(v.lang, exc)))
            return await site.call(partial(unbind_page, request, v, car, sent=sent))
        code = "".join(form.get("code", "").split())[:12]
        try:
            await site.call(own.unbind, v.account, vin, code)
        except CloudError as exc:
            if exc.code in ("not_bound_to_you", "unknown_vehicle"):
                return site.refusal(request, v, exc)
            return await site.call(partial(unbind_page, request, v, car, status=exc.status,
                                           sent=channel, error=words.describe(v.lang, exc)))
        return site.redirect(request, v, "/cars?done=unbound")

    # ------------------------------------------------------------ force unbinding

    @router.get("/force-unbind/{vin}", include_in_schema=False)
    async def force_confirm(request: Request, vin: str) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        if not VIN.match(vin):
            return site.problem(request, v, "not_found", 404)
        offer = site.offers.get(v.account.id)
        car = offer if offer and offer["vin"] == vin else {"vin": vin, "model": "",
                                                             "vin_suffix": vin[-4:]}
        return site.page(request, v, "force.html", car=car)

    @router.post("/force-unbind/{vin}", include_in_schema=False)
    async def force_request(request: Request, vin: str) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        assert v.account is not None
        if not VIN.match(vin):
            return site.problem(request, v, "not_found", 404)
        try:
            sent = await site.call(own.request_force_unbind, v.account, vin,
                                   form.get("confirm") == "push")
        except CloudError as exc:
            return site.refusal(request, v, exc)
        return site.redirect(request, v, f"/requests/{sent['request']['request_id']}")

    def request_of(account: Account, request_id: str) -> dict | None:
        return next((r for r in own.force_requests(account) if r["request_id"] == request_id),
                    None)

    def request_ctx(r: dict) -> dict[str, Any]:
        return {"req": r, "req_version": version([r["status"], r["closed"]])}

    @router.get("/requests/{request_id}", include_in_schema=False)
    async def request_page(request: Request, request_id: str) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        r = (await site.call(request_of, v.account, request_id)
             if REQUEST_ID.match(request_id) else None)
        if r is None:
            return site.problem(request, v, "force_unbind_not_found", 404)
        return site.page(request, v, "request.html", **request_ctx(r))

    @router.get("/requests/{request_id}/live", include_in_schema=False)
    async def request_live(request: Request, request_id: str) -> Response:
        v = await site.visitor(request, inbox=False)
        if v.account is None:
            return Response(status_code=401)
        r = (await site.call(request_of, v.account, request_id)
             if REQUEST_ID.match(request_id) else None)
        if r is None:
            return Response(status_code=404)
        ctx = request_ctx(r)
        if ctx["req_version"] == request.query_params.get("v"):
            return site.finish(request, v, Response(status_code=204))
        response = site.page(request, v, "request_live.html", **ctx)
        response.headers["X-Live-Version"] = ctx["req_version"]
        return response

    @router.post("/requests/{request_id}/answer", include_in_schema=False)
    async def answer(request: Request, request_id: str) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        assert v.account is not None
        choice = form.get("answer")
        if not REQUEST_ID.match(request_id) or choice not in ("agree", "reject"):
            return site.problem(request, v, "force_unbind_not_found", 404)
        try:
            result = await site.call(own.answer_force_unbind, v.account, request_id,
                                     choice == "agree")
        except CloudError as exc:
            return site.refusal(request, v, exc)
        return site.redirect(request, v, "/cars?done=" + (
            "agreed" if result["result"] == "unbound" else "rejected"))

    # ------------------------------------------------------------ the inbox, live

    @router.get("/live/inbox", include_in_schema=False)
    async def live_inbox(request: Request) -> Response:
        """The requests waiting for this account's answer and the unread count, when they
        changed since version ``v``; else 204."""
        v = await site.visitor(request)
        if v.account is None or v.inbox is None:
            return Response(status_code=401)
        if v.inbox["version"] == request.query_params.get("v"):
            return site.finish(request, v, Response(status_code=204))
        response = site.page(request, v, "inbox_live.html")
        response.headers["X-Live-Version"] = v.inbox["version"]
        return response

    # ------------------------------------------------------------ notifications

    def all_notifications(account: Account) -> dict[str, Any]:
        messages = own.notifications(account)
        cars = []
        if site.relay is not None:
            for car in service.vehicles_for(account):
                if not car["bound"]:
                    continue
                try:
                    alerts = site.relay.notifications(account.id, car["vin"], 50)
                except CloudError:
                    continue  # the model has no Notifications service
                cars.append({**car, **alerts})
        unread = messages["unread"] + sum(c["unread"] for c in cars)
        return {"messages": messages["notifications"], "cars": cars, "unread": unread}

    def mark_all_read(account: Account) -> None:
        own.mark_read(account, None)
        if site.relay is not None:
            for car in service.vehicles_for(account):
                if car["bound"]:
                    try:
                        site.relay.mark_read(account.id, car["vin"], None)
                    except CloudError:
                        pass

    @router.get("/notifications", include_in_schema=False)
    async def notifications(request: Request) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        found = await site.call(all_notifications, v.account)
        return site.page(request, v, "notifications.html", tab="alerts", **found,
                         push_text=lambda n: words.push_text(v.lang, n),
                         alert_text=lambda a: words.alert_text(v.lang, a))

    @router.post("/notifications/read", include_in_schema=False)
    async def notifications_read(request: Request) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        assert v.account is not None
        await site.call(mark_all_read, v.account)
        return site.redirect(request, v, "/notifications")

    # ------------------------------------------------------------ feedback and contact

    def feedback_page(request: Request, v: Visitor, *, status: int = 200, text: str = "",
                      error: str | None = None, sent: bool = False) -> Response:
        cars = service.vehicles_for(v.account) if v.account else []
        return site.page(request, v, "feedback.html", status=status, tab="help",
                         support=own.support(), cars=cars, text=text, error=error, sent=sent,
                         limit=FEEDBACK_MAX)

    @router.get("/feedback", include_in_schema=False)
    async def feedback(request: Request) -> Response:
        v = await site.visitor(request)
        if v.account is None:
            return site.redirect(request, v, "/login")
        sent = request.query_params.get("sent") == "yes"
        return await site.call(partial(feedback_page, request, v, sent=sent))

    @router.post("/feedback", include_in_schema=False)
    async def send_feedback(request: Request) -> Response:
        v, form = await site.posted(request, signed_in=True)
        if isinstance(form, Response):
            return form
        assert v.account is not None
        text = form.get("text", "")[:FEEDBACK_MAX + 1000]
        cars = await site.call(service.vehicles_for, v.account)
        vin = form.get("vin") if form.get("vin") in {c["vin"] for c in cars} else None
        try:
            await site.call(own.feedback, v.account, text, vin)
        except CloudError as exc:  # empty or too long
            return await site.call(partial(feedback_page, request, v, status=exc.status,
                                           text=text[:FEEDBACK_MAX],
                                           error=i18n.text(v.lang, "feedback_invalid")))
        return site.redirect(request, v, "/feedback?sent=yes")
