"""Rotating QR codes: which signed URL the screen shows now, and when it changes.

A new code every ``period`` seconds (20 by default); each stays valid ``lifetime`` seconds
(30), so a scan just before a rotation still works. A purpose change (login → bind) or a
clock jump issues a new code at once. Time is the injected clock's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .clock import Clock
from .protocol import qrtoken

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Qr:
    content: str
    purpose: str
    issued: float
    expires: float
    rotates_at: float
    serial: int


class QrRotator:
    def __init__(self, key: Ed25519PrivateKey, vin: str, clock: Clock,
                 public_url: Callable[[], str | None], *, period: float = 20.0,
                 lifetime: float = 30.0) -> None:
        if lifetime < period:
            raise ValueError("a QR code must stay valid at least until the next one shows")
        self._key, self._vin, self._clock, self._public_url = key, vin, clock, public_url
        self.period, self.lifetime = period, lifetime
        self._current: Qr | None = None
        self._serial = 0
        self._out_of_range = False

    def current(self, purpose: str | None) -> Qr | None:
        """The code to show for ``purpose`` now (None: no code on this screen)."""
        url = self._public_url()
        if purpose is None or url is None:
            self._current = None
            return None
        now = self._clock.now()
        if not 0 <= now <= qrtoken.MAX_TIME - self.lifetime:
            # a clock no token can carry (followed from a broken or hostile clock message):
            # no code rather than a crash; a sane clock brings the codes back
            if self._current is not None or not self._out_of_range:
                log.error("the clock reads %r, outside what a QR token can carry; showing no "
                          "code until it is sane", now)
            self._out_of_range, self._current = True, None
            return None
        self._out_of_range = False
        q = self._current
        stale = (q is None or q.purpose != purpose or now >= q.rotates_at or now < q.issued - 1
                 or not q.content.startswith(url.rstrip("/") + qrtoken.PATH))
        if stale:
            token, claims = qrtoken.sign(self._key, vin=self._vin, purpose=purpose, issued=now,
                                         lifetime=self.lifetime)
            self._serial += 1
            q = Qr(qrtoken.url_for(url, token), purpose, claims.issued, claims.expires,
                   now + self.period, self._serial)
            self._current = q
        return q

    def invalidate(self) -> None:
        """Show a fresh code next time (after a scan, the old one is spent)."""
        self._current = None
