"""Account pages: log in, register (with the simulated SMS panel), log out, the language
switch, problem pages and the static files."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from headunit.protocol.errors import CloudError

from . import i18n, words
from .security import (
    LANG_COOKIE,
    NEXT_COOKIE,
    SESSION_COOKIE,
)
from .site import KNOWN_CODES, SAFE_BACK, Site, Visitor

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml", ".png": "image/png"}


def add(router: APIRouter, site: Site) -> None:
    service = site.service

    def after_login(v: Visitor) -> str:
        return "/cars" if v.account else "/login"

    @router.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        v = await site.visitor(request)
        return site.redirect(request, v, after_login(v))

    @router.get("/login", include_in_schema=False)
    async def login_page(request: Request) -> Response:
        v = await site.visitor(request)
        pending = site.guard.pending_token(request)
        if v.account:
            return site.redirect(request, v, f"/s/{pending}" if pending else "/cars")
        return site.page(request, v, "login.html", pending=bool(pending), identifier="",
                         error=None, notice=None)

    @router.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        v, form = await site.posted(request, signed_in=False)
        if isinstance(form, Response):
            return form
        ident = form.get("identifier", "").strip()[:254]
        accepted = form.get("accept") == "yes"
        pending = site.guard.pending_token(request)
        try:
            token, _ = await site.call(partial(
                service.login, ident, form.get("password", "")[:256], accepted, accepted,
                source=site.source(request)))
        except CloudError as exc:
            return site.page(request, v, "login.html", status=exc.status, error=exc.code,
                             wording=words.describe(v.lang, exc),
                             identifier=ident, pending=bool(pending), notice=None)
        if v.session_token:  # logging in as someone else ends the old session
            await site.call(service.logout_phone, v.session_token)
        response = site.redirect(request, v, f"/s/{pending}" if pending else "/cars")
        site.guard.set_session(request, response, token)
        site.guard.set_browser_id(request, response, site.guard.new_browser_id())  # new CSRF
        if pending:
            site.guard.clear_cookie(request, response, NEXT_COOKIE)
        return response

    @router.get("/register", include_in_schema=False)
    async def register_page(request: Request) -> Response:
        v = await site.visitor(request)
        if v.account:
            return site.redirect(request, v, "/cars")
        return register_form(request, v)

    def register_form(request: Request, v: Visitor, *, status: int = 200, **ctx: object
                      ) -> Response:
        values = {"identifier": "", "name": "", "sent": None, "sms": None, "error": None,
                  "pending": bool(site.guard.pending_token(request)), **ctx}
        return site.page(request, v, "register.html", status=status, **values)

    @router.post("/register", include_in_schema=False)
    async def register(request: Request) -> Response:
        v, form = await site.posted(request, signed_in=False)
        if isinstance(form, Response):
            return form
        ident = form.get("identifier", "").strip()[:254]
        name = form.get("name", "").strip()[:64]
        if form.get("action") == "send":
            try:
                sent = await site.call(partial(service.request_code, ident, "register",
                                               source=site.source(request)))
            except CloudError as exc:
                return register_form(request, v, status=exc.status, identifier=ident,
                                     name=name, error=exc.code,
                                     wording=words.describe(v.lang, exc))
            sms = None
            if site.demo:  # the newest message to the address this browser just sent to
                messages = await site.call(service.outbox, sent["sent_to"])
                sms = messages[0] if messages else None
            return register_form(request, v, identifier=sent["sent_to"], name=name, sent=sent,
                                 sms=sms)
        code = "".join(form.get("code", "").split())[:12]
        try:
            await site.call(partial(service.register, ident, code,
                                    form.get("password", "")[:256], name,
                                    source=site.source(request)))
        except CloudError as exc:
            return register_form(request, v, status=exc.status, identifier=ident, name=name,
                                 error=exc.code, sent={"sent_to": ident, "channel": None},
                                 wording=words.describe(v.lang, exc))
        return site.page(request, v, "login.html", status=201, identifier=ident, error=None,
                         notice="registered", pending=bool(site.guard.pending_token(request)))

    @router.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        v, form = await site.posted(request, signed_in=False)
        if isinstance(form, Response):
            return form
        if v.session_token:
            await site.call(service.logout_phone, v.session_token)
        response = site.redirect(request, v, "/login")
        site.guard.clear_cookie(request, response, SESSION_COOKIE)
        site.guard.set_browser_id(request, response, site.guard.new_browser_id())
        return response

    @router.post("/lang", include_in_schema=False)
    async def switch_language(request: Request) -> Response:
        v, form = await site.posted(request, signed_in=False)
        if isinstance(form, Response):
            return form
        back = form.get("back", "/")
        response = site.redirect(request, v, back if SAFE_BACK.match(back) else "/")
        if form.get("lang") in i18n.LANGS:
            site.guard.set_cookie(request, response, LANG_COOKIE, form["lang"], 365 * 86400)
        return response

    @router.get("/problem/{code}", include_in_schema=False)
    async def problem(request: Request, code: str) -> Response:
        v = await site.visitor(request)
        return site.problem(request, v, code if code in KNOWN_CODES else "not_found",
                            200 if code in KNOWN_CODES else 404)

    @router.get("/static/{name}", include_in_schema=False)
    async def static(request: Request, name: str) -> Response:
        data = site.static_files.get(name)
        if data is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        version = site.static_versions[name]
        cache = ("public, max-age=31536000, immutable"
                 if request.query_params.get("v") == version else "public, max-age=300")
        headers = {"ETag": f'"{version}"', "Cache-Control": cache,
                   "X-Content-Type-Options": "nosniff"}
        if request.headers.get("if-none-match") == f'"{version}"':
            return Response(status_code=304, headers=headers)
        suffix = name[name.rfind("."):]
        return Response(data, media_type=STATIC_TYPES.get(suffix, "application/octet-stream"),
                        headers=headers)
