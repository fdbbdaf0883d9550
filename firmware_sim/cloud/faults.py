"""Fault injection for test rigs: make the cloud refuse its next request(s) with a chosen error.

An admin arms a refusal (``POST /api/v1/admin/faults/refuse-next``); the next matching request
— a phone's HTTP call, a head unit's MQTT request, or either — is answered with that error
code instead of being carried out, exactly as a real refusal would be (an HTTP error body, an
MQTT ``response`` with ``status: error``). Nothing changes state. Admin calls, ``/healthz``
and static files are never refused, so a rig can always disarm. Off unless armed; every
refusal is logged.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from headunit.protocol.errors import MESSAGES, CloudError

log = logging.getLogger(__name__)

SCOPES = ("http", "mqtt", "any")
DEFAULT_STATUS = {"internal": 500, "offline": 503, "timeout": 504, "rate_limited": 429,
                  "not_authenticated": 401, "not_found": 404, "unknown_vehicle": 404}
EXEMPT = ("/api/v1/admin/", "/healthz", "/static/", "/openapi.json", "/docs", "/redoc")
MAX_ARMED = 100


@dataclass
class Refusal:
    code: str
    scope: str
    path: str | None  # HTTP: only paths starting with this
    request: str | None  # MQTT: only this request type (hello, password_login, ...)
    remaining: int
    status: int

    def matches(self, channel: str, what: str) -> bool:
        if self.scope not in (channel, "any"):
            return False
        if channel == "http":
            return self.path is None or what.startswith(self.path)
        return self.request is None or what == self.request

    def to_json(self) -> dict:
        return {"code": self.code, "scope": self.scope, "path": self.path,
                "request": self.request, "remaining": self.remaining, "status": self.status}


class CloudFaults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Refusal] = []
        self.refused = 0

    def arm(self, code: str, *, scope: str = "any", path: str | None = None,
            request: str | None = None, count: int = 1, status: int | None = None) -> dict:
        """Refuse the next ``count`` matching requests with ``code``; ValueError says what is
        wrong with the arguments."""
        if code not in MESSAGES:
            raise ValueError(f"unknown error code {code!r}; use one of headunit/protocol/"
                             f"errors.py, e.g. internal, offline, timeout, rate_limited")
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        if path is not None and not path.startswith("/"):
            raise ValueError(f"path {path!r} must start with / (e.g. /api/v1/scans)")
        if not 1 <= count <= 1000:
            raise ValueError("count must be 1 to 1000")
        status = status or DEFAULT_STATUS.get(code, 400)
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status, 400 to 599")
        r = Refusal(code, scope, path, request, count, status)
        with self._lock:
            if len(self._armed) >= MAX_ARMED:
                raise ValueError(f"{MAX_ARMED} refusals are armed already; clear them first")
            self._armed.append(r)
        log.warning("fault injection: the next %d %s request(s)%s will be refused with %s",
                    count, scope, f" to {path}" if path else "", code)
        return r.to_json()

    def take(self, channel: str, what: str) -> CloudError | None:
        """The refusal for this request (``channel`` http with its path, or mqtt with its
        request type), if one is armed; it is used up."""
        with self._lock:
            for r in self._armed:
                if r.matches(channel, what):
                    r.remaining -= 1
                    if r.remaining <= 0:
                        self._armed.remove(r)
                    self.refused += 1
                    break
            else:
                return None
        log.warning("fault injection: refused %s %s with %s", channel, what, r.code)
        return CloudError(r.code, status=r.status)

    def armed(self) -> list[dict]:
        with self._lock:
            return [r.to_json() for r in self._armed]

    def clear(self) -> int:
        with self._lock:
            n, self._armed = len(self._armed), []
        return n


def exempt(path: str) -> bool:
    return path.startswith(EXEMPT)
