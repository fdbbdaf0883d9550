"""The cloud's simulated clock, kept in its database so a restart never moves it back.

The clock may have been advanced (``ismart-cloud time advance 72h``) or run faster than real
time (``--time-scale``); a force unbind's 72-hour deadline is in that time. On start the clock
resumes from the last saved reading plus the real time that passed while the cloud was down.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time

from headunit.clock import ScaledClock

from . import db

log = logging.getLogger(__name__)

META_KEY = "clock"
SAVE_DRIFT = 1.0  # save again once the clock ran this far from its saved lead on real time


class ClockStore:
    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock,
                 clock: ScaledClock) -> None:
        self.conn, self.lock, self.clock = conn, lock, clock
        self._saved_lead = 0.0

    def restore(self) -> None:
        """Move the clock forward to where the last run left it (never back)."""
        raw = db.get_meta(self.conn, META_KEY)
        if raw is None:
            return
        try:
            saved = json.loads(raw)
            sim, real = float(saved["sim"]), float(saved["real"])
        except (ValueError, KeyError, TypeError):
            log.warning("the saved clock %r is unreadable; starting from real time", raw)
            return
        target = sim + max(0.0, time.time() - real)  # real time passed while we were down
        ahead = target - self.clock.now()
        if ahead > 0:
            self.clock.advance(ahead)
            log.info("clock restored: %.0f s ahead of real time", target - time.time())
        self._saved_lead = sim - real

    def save(self, *, force: bool = True) -> None:
        """Save the clock's reading; unless ``force``, only when its lead changed (a clock
        running faster than real time), so an idle cloud writes nothing."""
        now, real = self.clock.now(), time.time()
        if not force and abs((now - real) - self._saved_lead) < SAVE_DRIFT:
            return
        with self.lock, db.Transaction(self.conn) as conn:
            db.set_meta(conn, META_KEY, json.dumps({"sim": now, "real": real,
                                                    "scale": self.clock.spec.scale}))
        self._saved_lead = now - real
