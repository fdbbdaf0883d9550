"""What every page of the web companion shares: templates, the visitor, cookies, answers.

:class:`Site` renders a page with the visitor's language, account, CSRF token and the
security headers; it reads and checks POSTed forms, and turns refusals into pages in plain
words. Page modules (:mod:`.pages_account`, :mod:`.pages_car`, :mod:`.pages_vehicle`,
:mod:`.pages_ownership`) add routes that use it. For a logged-in visitor it also loads
the *inbox* every page shows: the unread count and the force-unbind requests waiting for this
account's Agree / Reject (kept live by ``/live/inbox``).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from headunit.protocol.errors import MESSAGES, CloudError

from ..accounts import Account
from ..lifecycle import OFFER_LIFETIME
from ..service import CloudService
from . import i18n, words
from .car_view import version
from .security import (
    LANG_COOKIE,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    FormRefused,
    Guard,
    load_secret,
    read_form,
)

if TYPE_CHECKING:
    from ..car_commands import CommandDesk
    from ..vehicles import VehicleRelay

HERE = Path(__file__).parent
T = TypeVar("T")
MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "da": "jan. feb. mar. apr. maj jun. jul. aug. sep. okt. nov. dec.".split(),
}
SAFE_BACK = re.compile(r"^/(?!/)[A-Za-z0-9/_-]{0,200}(?:\?[a-z_]{1,20}=[a-z_]{1,20})?$")


@dataclass(frozen=True)
class Visitor:
    """Who is asking: language, account (if logged in) and browser id (made if missing)."""

    lang: str
    account: Account | None
    session_token: str | None
    browser_id: str
    new_browser_id: bool
    inbox: dict | None = None  # logged in: {"unread", "asks", "version"}


class ScanCache:
    """The answer of each scan this site started, until it expires: the confirm page shows
    its question again on reload or language switch. Keyed by scan id and account, so one
    account never sees another's scan; the service decides everything else."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, dict, float]] = {}
        self._lock = threading.Lock()

    def put(self, account_id: str, scan: dict, lifetime: float) -> None:
        now = time.monotonic()
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if v[2] > now}
            self._items[scan["scan_id"]] = (account_id, scan, now + lifetime)

    def get(self, account_id: str, scan_id: str) -> tuple[dict, float] | None:
        """The scan and the seconds left to answer it, if this account started it."""
        with self._lock:
            item = self._items.get(scan_id)
        if item is None or item[0] != account_id or item[2] <= time.monotonic():
            return None
        return item[1], item[2] - time.monotonic()

    def drop(self, scan_id: str) -> None:
        with self._lock:
            self._items.pop(scan_id, None)


class OfferCache:
    """The car each account was last refused at (bound to another user), while the service
    offers it force unbinding: the refusal page and its language switch show the offer."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def put(self, account_id: str, offer: dict, lifetime: float) -> None:
        now = time.monotonic()
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if v[1] > now}
            self._items[account_id] = (offer, now + lifetime)

    def get(self, account_id: str) -> dict | None:
        with self._lock:
            item = self._items.get(account_id)
        return item[0] if item and item[1] > time.monotonic() else None


class Site:
    def __init__(self, service: CloudService, relay: VehicleRelay | None = None,
                 desk: CommandDesk | None = None) -> None:
        self.service = service
        self.relay, self.desk = relay, desk  # the car's services (None: a cloud without MQTT)
        self.guard = Guard(load_secret(service))
        self.scans = ScanCache()
        self.offers = OfferCache()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(default=True), trim_blocks=True,
            lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        self.env.filters["keep"] = keep_together
        self.env.filters["vins"] = keep_vin_ends
        self.static_files = {p.name: p.read_bytes() for p in (HERE / "static").iterdir()
                             if p.is_file()}
        self.static_versions = {name: hashlib.sha256(data).hexdigest()[:12]
                                for name, data in self.static_files.items()}

    @property
    def demo(self) -> bool:
        return self.service.settings.demo

    # ------------------------------------------------------------ the visitor

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a service call (SQLite, the password KDF) off the event loop."""
        return await run_in_threadpool(fn, *args)

    async def visitor(self, request: Request, *, inbox: bool = True) -> Visitor:
        lang = i18n.choose(request.cookies.get(LANG_COOKIE),
                           request.headers.get("accept-language"))
        token = request.cookies.get(SESSION_COOKIE) or None
        account = None
        if token and len(token) <= 200:
            try:
                account = await self.call(self.service.authenticate, token)
            except CloudError:
                token = None
        else:
            token = None
        bid = self.guard.browser_id(request)
        loaded = None
        if account is not None and inbox:
            loaded = await self.call(self.inbox_of, account)
        return Visitor(lang, account, token, bid or self.guard.new_browser_id(), bid is None,
                       loaded)

    def inbox_of(self, account: Account) -> dict:
        """What every page of a logged-in visitor shows: the unread count (push messages and
        the bound cars' alerts) and the force-unbind requests waiting for this account's
        answer."""
        own = self.service.ownership
        unread = own.notifications(account, unread_only=True)["unread"]
        asks = [{k: r[k] for k in ("request_id", "vin", "model", "deadline")}
                for r in own.force_requests(account)
                if r["role"] == "previous_user" and r["status"] == "pending"]
        if self.relay is not None:
            for car in self.service.vehicles_for(account):
                if car["bound"]:
                    try:
                        unread += self.relay.notifications(account.id, car["vin"], 1)["unread"]
                    except CloudError:
                        pass  # a model without the Notifications service
        data: dict[str, Any] = {"unread": unread, "asks": asks}
        return {**data, "version": version(data)}

    @staticmethod
    def source(request: Request) -> str:
        """Who is asking, for the service's abuse limits: the peer address, as the JSON API
        does (no proxy headers are trusted)."""
        return f"ip:{request.client.host}" if request.client else "ip:unknown"

    async def form(self, request: Request) -> dict[str, str]:
        """The POSTed form, after the CSRF and same-site checks (raises FormRefused)."""
        form = await read_form(request)
        self.guard.check(request, form)
        return form

    async def posted(self, request: Request, *, signed_in: bool
                     ) -> tuple[Visitor, dict[str, str] | Response]:
        """The visitor and its checked form, or the page refusing it: a failed CSRF or same-site
        check, or (with ``signed_in``) a visitor who is not logged in."""
        v = await self.visitor(request)
        try:
            form = await self.form(request)
        except FormRefused as exc:
            return v, self.refused(request, v, exc)
        if signed_in and v.account is None:
            return v, self.problem(request, v, "not_authenticated", 401)
        return v, form

    # ------------------------------------------------------------ answers

    def finish(self, request: Request, v: Visitor, response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        if v.new_browser_id:
            self.guard.set_browser_id(request, response, v.browser_id)
        if v.session_token is None and SESSION_COOKIE in request.cookies:
            self.guard.clear_cookie(request, response, SESSION_COOKIE)  # expired or unknown
        return response

    def page(self, request: Request, v: Visitor, template: str, *, status: int = 200,
             **ctx: Any) -> Response:
        lang = v.lang
        query = request.url.query
        back = ctx.pop("back", None) or request.url.path + (f"?{query}" if query else "")
        if not SAFE_BACK.match(back) or back.startswith("/s/"):
            back = "/"  # switching the language never presents a QR code again
        html = self.env.get_template(template).render(
            lang=lang, langs=i18n.LANGS, account=v.account, demo=self.demo,
            csrf=self.guard.csrf_for(v.browser_id), back=back,
            t=lambda key, **p: i18n.text(lang, key, **p),
            err=lambda code: i18n.error_text(lang, code),
            static=self.static_url, date=lambda ts: self.date(lang, ts),
            when=lambda ts: words.when(lang, ts), inbox=v.inbox,
            names=lambda keys, prefix: ", ".join(i18n.text(lang, prefix + k) for k in keys),
            **ctx)
        return self.finish(request, v, HTMLResponse(html, status_code=status))

    def redirect(self, request: Request, v: Visitor, url: str) -> Response:
        return self.finish(request, v, RedirectResponse(url, status_code=303))

    def problem(self, request: Request, v: Visitor, code: str, status: int = 400, *,
                wording: str | None = None) -> Response:
        """A page saying in plain words what went wrong and what to do; its language switch
        leads to ``/problem/{code}``, so switching never repeats the failed request.
        ``wording``: the refusal worded with its numbers (:func:`.words.describe`).

        A car bound to another user offers force unbinding (the offer this account got at
        its last refused scan)."""
        if code not in KNOWN_CODES:
            code = "invalid_request"
        offer = None
        if code == "bound_to_other_user" and v.account is not None:
            offer = self.offers.get(v.account.id)
        return self.page(request, v, "problem.html", status=status, code=code,
                         qr_problem=code in QR_PROBLEMS, back=f"/problem/{code}",
                         wording=wording, offer=offer)

    def refusal(self, request: Request, v: Visitor, exc: CloudError) -> Response:
        """A service's refusal as a problem page, worded with its numbers."""
        return self.problem(request, v, exc.code, exc.status,
                            wording=words.describe(v.lang, exc))

    def remember_offer(self, account: Account, exc: CloudError) -> None:
        """A scan refused because the car is bound to someone else: remember the offer of
        force unbinding the service made (its ``details``), for the refusal page."""
        details = exc.details or {}
        vin = details.get("vin")
        record = self.service.vehicle_record(vin) if vin else None
        if record is None:
            return
        scale = max(self.service.clock.spec.scale, 1e-6)
        self.offers.put(account.id, {"vin": vin, "model": record.model,
                                     "vin_suffix": vin[-4:],
                                     "status": details.get("force_unbind", "available")},
                        OFFER_LIFETIME / scale)

    def refused(self, request: Request, v: Visitor, exc: FormRefused) -> Response:
        return self.problem(request, v, exc.code, exc.status)

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.static_versions[name]}"

    @staticmethod
    def date(lang: str, ts: float | None) -> str:
        if not ts:
            return ""
        d = datetime.fromtimestamp(ts, UTC)
        return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def keep_together(text: str, *parts: str) -> Markup:
    """``text`` escaped, with each of ``parts`` kept on one line (``…1234`` never wraps
    between the ellipsis and the digits)."""
    out = str(escape(text))
    for part in parts:
        safe = str(escape(part))
        out = out.replace(safe, f'<span class="nowrap">{safe}</span>')
    return Markup(out)


VIN_END = re.compile(r"…[A-HJ-NPR-Z0-9]{4}\b")


def keep_vin_ends(text: str) -> Markup:
    """``text`` escaped, every ``…1234`` (a VIN's end) kept on one line."""
    return Markup(VIN_END.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>',
                              str(escape(text))))


# codes after which the visitor should scan the car's current code again
QR_PROBLEMS = {"bad_token", "bad_signature", "wrong_vehicle", "expired_token", "token_used",
               "wrong_purpose", "scan_not_found", "scan_expired", "scan_closed"}
KNOWN_CODES = set(MESSAGES) | set(i18n.WEB_ERRORS["en"])
