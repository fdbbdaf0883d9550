"""Cookies, CSRF tokens and form reading for the web companion.

- ``ismart_session``: the phone session token from :meth:`CloudService.login` (the same token
  the JSON API takes as a Bearer). HttpOnly, SameSite=Lax, Secure over https. The JSON API
  reads only the Authorization header, so this cookie never authenticates it.
- ``ismart_id``: a random browser id, made on the first page and renewed at log-in and
  log-out. The CSRF token is an HMAC of it under a secret kept in the cloud's database, so a
  form stays valid across a cloud restart and needs no server-side session store.
- ``ismart_next``: the QR token a logged-out visitor scanned, so that after logging in (or
  registering) the visitor comes back to it. Never put in a URL of ours.
- ``ismart_lang``: the language switch.

Every POST must carry ``csrf`` equal to the browser's token and must not come from another
site (``Sec-Fetch-Site``). Forms are read by hand (urlencoded, at most 16 KiB), so plain
HTML forms work with JavaScript off.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from .. import db
from ..accounts import SESSION_LIFETIME
from ..service import CloudService

SESSION_COOKIE = "ismart_session"
ID_COOKIE = "ismart_id"
NEXT_COOKIE = "ismart_next"
LANG_COOKIE = "ismart_lang"
NEXT_LIFETIME = 15 * 60
ID_LIFETIME = 365 * 86400
FORM_LIMIT = 16 * 1024
QR_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
SECRET_META = "web_secret"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a QR URL never leaks to another site
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class FormRefused(Exception):
    """A POST the web layer refuses before it reaches the service (``code`` in i18n)."""

    def __init__(self, code: str, status: int = 403) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def load_secret(service: CloudService) -> bytes:
    """The CSRF key, made once and kept in the cloud database's meta table."""
    with service.lock, db.Transaction(service.db) as conn:
        value = db.get_meta(conn, SECRET_META)
        if value is None:
            value = secrets.token_hex(32)
            db.set_meta(conn, SECRET_META, value)
    return bytes.fromhex(value)


class Guard:
    """Makes and checks the browser id and its CSRF token; sets cookies with the right flags."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    # ------------------------------------------------------------ the browser id and CSRF

    @staticmethod
    def browser_id(request: Request) -> str | None:
        value = request.cookies.get(ID_COOKIE, "")
        return value if re.fullmatch(r"[A-Za-z0-9_-]{32}", value) else None

    @staticmethod
    def new_browser_id() -> str:
        return secrets.token_urlsafe(24)

    def csrf_for(self, browser_id: str) -> str:
        mac = hmac.new(self._secret, b"csrf|" + browser_id.encode(), hashlib.sha256)
        return mac.hexdigest()[:40]

    def check(self, request: Request, form: Mapping[str, str]) -> None:
        """Refuse a POST from another site or without this browser's CSRF token."""
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            raise FormRefused("cross_site")
        bid = self.browser_id(request)
        sent = form.get("csrf", "")
        if bid is None or not hmac.compare_digest(sent.encode(), self.csrf_for(bid).encode()):
            raise FormRefused("csrf_failed")

    # ------------------------------------------------------------ cookies

    @staticmethod
    def set_cookie(request: Request, response: Response, name: str, value: str,
                   max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")

    @staticmethod
    def clear_cookie(request: Request, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", httponly=True, samesite="lax",
                               secure=request.url.scheme == "https")

    def set_browser_id(self, request: Request, response: Response, browser_id: str) -> None:
        self.set_cookie(request, response, ID_COOKIE, browser_id, ID_LIFETIME)

    def set_session(self, request: Request, response: Response, token: str) -> None:
        self.set_cookie(request, response, SESSION_COOKIE, token, int(SESSION_LIFETIME))

    @staticmethod
    def pending_token(request: Request) -> str | None:
        value = request.cookies.get(NEXT_COOKIE, "")
        return value if QR_TOKEN.match(value) else None


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the last value of each field); refuses what is not one."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise FormRefused("form_invalid", 415)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise FormRefused("form_too_large", 413)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=30)
    except (UnicodeDecodeError, ValueError):
        raise FormRefused("form_invalid", 400) from None
    return dict(pairs)
