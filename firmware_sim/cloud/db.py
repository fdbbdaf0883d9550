"""The cloud's SQLite database: schema, and the rows of accounts, vehicles, codes, sessions.

WAL journal, ``synchronous=FULL``: a confirmed change survives a kill -9 or a power cut.
One connection, used under the service's lock.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

from . import db_ownership
from .lifecycle import PendingScan, Vehicle

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,                 -- sms | email
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    agreement_accepted REAL,
    privacy_accepted REAL
);
CREATE TABLE IF NOT EXISTS codes (
    identifier TEXT NOT NULL,
    purpose TEXT NOT NULL,                 -- register | unbind
    code TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (identifier, purpose)
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS vehicles (
    vin TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    public_key TEXT NOT NULL,
    key_id TEXT NOT NULL UNIQUE,
    provisioned TEXT NOT NULL,             -- provisioned | first_contact
    created REAL NOT NULL,
    car_user TEXT REFERENCES accounts(id),
    bound_user TEXT REFERENCES accounts(id),
    bound_since REAL,
    scan_id TEXT, scan_purpose TEXT, scan_account TEXT, scan_expires REAL,
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS used_nonces (
    nonce TEXT PRIMARY KEY,
    vin TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    created REAL NOT NULL
);
"""


def connect(path: Path) -> sqlite3.Connection:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(SCHEMA)
    conn.executescript(db_ownership.SCHEMA)
    from .kiosk import SCHEMA as KIOSK_SCHEMA  # kiosk (demo) cars, issue 7
    conn.executescript(KIOSK_SCHEMA)
    return conn


class Transaction:
    """``with Transaction(conn):`` runs the block in BEGIN IMMEDIATE ... COMMIT/ROLLBACK."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error:
                # e.g. the disk is full: undo, so the connection is usable once it is not
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        if self.conn.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL)
            self.conn.execute("ROLLBACK")


def cloud_id(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key='cloud_id'").fetchone()
    if row:
        return row["value"]
    value = uuid.uuid4().hex[:16]
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('cloud_id', ?)", (value,))
    return conn.execute("SELECT value FROM meta WHERE key='cloud_id'").fetchone()["value"]


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row["value"] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))


# ---------------------------------------------------------------- vehicles


def vehicle_from_row(row: sqlite3.Row) -> Vehicle:
    scan = None
    if row["scan_id"]:
        scan = PendingScan(row["scan_id"], row["scan_purpose"], row["scan_account"],
                           row["scan_expires"])
    return Vehicle(vin=row["vin"], model=row["model"], car_user=row["car_user"],
                   bound_user=row["bound_user"], bound_since=row["bound_since"], scan=scan,
                   seq=row["seq"])


def load_vehicle(conn: sqlite3.Connection, vin: str) -> Vehicle | None:
    """The car's whole record: its row, its latest force unbind request and its offers."""
    row = conn.execute("SELECT * FROM vehicles WHERE vin=?", (vin,)).fetchone()
    if row is None:
        return None
    return replace(vehicle_from_row(row), force=db_ownership.latest_force(conn, vin),
                   offers=db_ownership.load_offers(conn, vin))


def save_vehicle(conn: sqlite3.Connection, v: Vehicle) -> None:
    s = v.scan
    conn.execute(
        "UPDATE vehicles SET model=?, car_user=?, bound_user=?, bound_since=?, scan_id=?, "
        "scan_purpose=?, scan_account=?, scan_expires=?, seq=? WHERE vin=?",
        (v.model, v.car_user, v.bound_user, v.bound_since, s and s.scan_id, s and s.purpose,
         s and s.account_id, s and s.expires, v.seq, v.vin))
    if v.force is not None:
        db_ownership.save_force(conn, v.vin, v.force)
    db_ownership.save_offers(conn, v.vin, v.offers)


def all_vehicles(conn: sqlite3.Connection) -> list[Vehicle]:
    vins = [r["vin"] for r in conn.execute("SELECT vin FROM vehicles ORDER BY vin")]
    return [v for v in (load_vehicle(conn, vin) for vin in vins) if v is not None]
