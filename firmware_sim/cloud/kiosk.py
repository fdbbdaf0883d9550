"""Kiosk (demo) cars in the cloud: which cars are marked as kiosks, and their reset.

A car is marked with ``ismart-cloud serve --kiosk-vin VIN`` (at every start), ``ismart-cloud
provision --kiosk`` or ``PUT /api/v1/admin/vehicles/{vin}/kiosk``. The mark is its own table,
so a VIN can be marked before the car first says hello. The reset itself is the pure
transition in :mod:`.kiosk_reset`; here it runs in the service's lock and transaction.
"""

from __future__ import annotations

import sqlite3

from headunit.protocol import topics

from . import db
from .kiosk_reset import KioskReset

SCHEMA = """
CREATE TABLE IF NOT EXISTS kiosk_cars (
    vin TEXT PRIMARY KEY,
    marked REAL NOT NULL,
    by TEXT NOT NULL                       -- serve | provision | admin
);
"""


def is_kiosk(conn: sqlite3.Connection, vin: str) -> bool:
    return conn.execute("SELECT 1 FROM kiosk_cars WHERE vin=?", (vin,)).fetchone() is not None


def kiosk_vins(conn: sqlite3.Connection) -> list[str]:
    return [r["vin"] for r in conn.execute("SELECT vin FROM kiosk_cars ORDER BY vin")]


def mark(service, vin: str, on: bool = True, *, by: str = "admin") -> dict:  # noqa: ANN001
    """Mark ``vin`` as a kiosk car (or not). ValueError for a malformed VIN."""
    topics.check_vin(vin)
    with service.lock, db.Transaction(service.db) as conn:
        if on:
            conn.execute("INSERT INTO kiosk_cars(vin, marked, by) VALUES (?,?,?) "
                         "ON CONFLICT(vin) DO NOTHING", (vin, service.clock.now(), by))
        else:
            conn.execute("DELETE FROM kiosk_cars WHERE vin=?", (vin,))
    return {"vin": vin, "kiosk": on}


def reset(service, vin: str, *, by: str) -> dict:  # noqa: ANN001
    """Reset the car for the next visitor (``by``: ``headunit`` or ``admin``); raises
    CloudError ``not_kiosk_car`` when the head unit asks for a car that is no kiosk."""
    with service.lock:
        event = KioskReset(service.clock.now(), by, is_kiosk(service.db, vin))
        t = service._apply(vin, event)
    return {"result": service._done(t)}
