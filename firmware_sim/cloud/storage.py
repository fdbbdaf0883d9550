"""When the cloud's disk fails: SQLite's OperationalError (disk full, read-only, I/O error,
locked) becomes a clear 503 ``storage_unavailable``. Other SQLite errors are bugs, not faults,
and stay 500s so that tests find them.

A full or read-only data directory must not crash the cloud or corrupt its database: each
write runs in one transaction that is rolled back whole (:class:`.db.Transaction`), and the
caller is told that nothing changed and to try again later. Reads keep working.
"""

from __future__ import annotations

import logging
import sqlite3

from headunit.protocol.errors import CloudError, message_for

log = logging.getLogger(__name__)

_last_logged: str | None = None


def refusal(exc: sqlite3.OperationalError) -> CloudError:
    """The answer for a storage failure; logged once per distinct cause, not per request."""
    global _last_logged
    cause = str(exc)
    if cause != _last_logged:
        _last_logged = cause
        log.error("the database cannot be written (%s): answering 503 storage_unavailable "
                  "until it can", cause)
    return CloudError("storage_unavailable", f"{message_for('storage_unavailable')} ({cause})",
                      status=503, retry_after=30.0)
