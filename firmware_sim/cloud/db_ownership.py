"""SQLite rows of ownership changes: force unbind requests, force-unbind offers, phone
notifications, the audit log and feedback.

Functions over an open connection, used inside the service's lock and transaction. A force
unbind request and its deadline are rows here, so a kill -9 of the cloud loses neither.
"""

from __future__ import annotations

import json
import sqlite3
import time

from .lifecycle import ForceRequest, Offer

SCHEMA = """
CREATE TABLE IF NOT EXISTS force_unbinds (
    request_id TEXT PRIMARY KEY,
    vin TEXT NOT NULL REFERENCES vehicles(vin),
    requester TEXT NOT NULL REFERENCES accounts(id),
    previous_user TEXT NOT NULL REFERENCES accounts(id),
    requested REAL NOT NULL,
    deadline REAL NOT NULL,                -- simulated time: completed automatically then
    status TEXT NOT NULL,                  -- pending | rejected | agreed | timed_out | dealer | unbound
    closed REAL
);
CREATE INDEX IF NOT EXISTS force_unbinds_vin ON force_unbinds(vin);
CREATE INDEX IF NOT EXISTS force_unbinds_due ON force_unbinds(status, deadline);
CREATE TABLE IF NOT EXISTS force_offers (
    vin TEXT NOT NULL REFERENCES vehicles(vin),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    expires REAL NOT NULL,
    PRIMARY KEY (vin, account_id)
);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    params TEXT NOT NULL,                  -- JSON object of strings
    vin TEXT,
    request_id TEXT,
    actions TEXT NOT NULL,                 -- JSON list: the answers offered (agree, reject)
    created REAL NOT NULL,
    read REAL
);
CREATE INDEX IF NOT EXISTS notifications_account ON notifications(account_id, id);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,                      -- simulated time
    real_at REAL NOT NULL,                 -- wall-clock time
    vin TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,                   -- account:<id> | dealer:<name> | cloud
    reason TEXT NOT NULL,
    params TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    identifier TEXT NOT NULL,
    display_name TEXT NOT NULL,
    text TEXT NOT NULL,
    vin TEXT,
    created REAL NOT NULL
);
"""


# ---------------------------------------------------------------- force unbind requests


def _force(row: sqlite3.Row) -> ForceRequest:
    return ForceRequest(row["request_id"], row["requester"], row["previous_user"],
                        row["requested"], row["deadline"], row["status"], row["closed"])


def latest_force(conn: sqlite3.Connection, vin: str) -> ForceRequest | None:
    row = conn.execute("SELECT * FROM force_unbinds WHERE vin=? ORDER BY rowid DESC LIMIT 1",
                       (vin,)).fetchone()
    return _force(row) if row else None


def save_force(conn: sqlite3.Connection, vin: str, f: ForceRequest) -> None:
    conn.execute(
        "INSERT INTO force_unbinds(request_id, vin, requester, previous_user, requested, "
        "deadline, status, closed) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(request_id) DO UPDATE "
        "SET status=excluded.status, closed=excluded.closed",
        (f.request_id, vin, f.requester, f.previous_user, f.requested, f.deadline, f.status,
         f.closed))


def force_requests_of(conn: sqlite3.Connection, account_id: str) -> list[sqlite3.Row]:
    """Every request ``account_id`` made or must answer, newest first."""
    return conn.execute(
        "SELECT f.*, v.model FROM force_unbinds f JOIN vehicles v ON v.vin=f.vin "
        "WHERE f.requester=? OR f.previous_user=? ORDER BY f.rowid DESC",
        (account_id, account_id)).fetchall()


def vin_of_force(conn: sqlite3.Connection, request_id: str) -> str | None:
    row = conn.execute("SELECT vin FROM force_unbinds WHERE request_id=?",
                       (request_id,)).fetchone()
    return row["vin"] if row else None


def due_vins(conn: sqlite3.Connection, now: float) -> list[str]:
    """Cars with a force unbind past its deadline, or force-unbind offers to forget."""
    rows = conn.execute(
        "SELECT vin FROM force_unbinds WHERE status='pending' AND deadline<=? "
        "UNION SELECT vin FROM force_offers WHERE expires<=?", (now, now)).fetchall()
    return [r["vin"] for r in rows]


# ---------------------------------------------------------------- offers


def load_offers(conn: sqlite3.Connection, vin: str) -> tuple[Offer, ...]:
    rows = conn.execute("SELECT account_id, expires FROM force_offers WHERE vin=? "
                        "ORDER BY expires", (vin,)).fetchall()
    return tuple(Offer(r["account_id"], r["expires"]) for r in rows)


def save_offers(conn: sqlite3.Connection, vin: str, offers: tuple[Offer, ...]) -> None:
    conn.execute("DELETE FROM force_offers WHERE vin=?", (vin,))
    conn.executemany("INSERT INTO force_offers(vin, account_id, expires) VALUES (?,?,?)",
                     [(vin, o.account_id, o.expires) for o in offers])


# ---------------------------------------------------------------- notifications


def add_notification(conn: sqlite3.Connection, account_id: str, code: str, text: str,
                     params: dict[str, str], vin: str | None, request_id: str | None,
                     actions: tuple[str, ...], now: float) -> int:
    cur = conn.execute(
        "INSERT INTO notifications(account_id, code, text, params, vin, request_id, actions, "
        "created) VALUES (?,?,?,?,?,?,?,?)",
        (account_id, code, text, json.dumps(params), vin, request_id, json.dumps(actions), now))
    return int(cur.lastrowid or 0)


def notifications_of(conn: sqlite3.Connection, account_id: str, *, unread_only: bool = False,
                     limit: int = 100) -> list[dict]:
    """Newest first. Answers are offered (``actions``) only while their request is pending."""
    rows = conn.execute(
        "SELECT n.*, f.status AS request_status FROM notifications n "
        "LEFT JOIN force_unbinds f ON f.request_id=n.request_id WHERE n.account_id=?"
        + (" AND n.read IS NULL" if unread_only else "")
        + " ORDER BY n.id DESC LIMIT ?", (account_id, limit)).fetchall()
    return [{"id": r["id"], "code": r["code"], "text": r["text"],
             "params": json.loads(r["params"]), "vin": r["vin"], "request_id": r["request_id"],
             "actions": json.loads(r["actions"]) if r["request_status"] == "pending" else [],
             "created": r["created"], "read": r["read"] is not None} for r in rows]


def unread_count(conn: sqlite3.Connection, account_id: str) -> int:
    return conn.execute("SELECT COUNT(*) FROM notifications WHERE account_id=? AND read IS NULL",
                        (account_id,)).fetchone()[0]


def mark_read(conn: sqlite3.Connection, account_id: str, ids: list[int] | None,
              now: float) -> int:
    """Mark ``ids`` (all when None) of ``account_id`` read; returns how many changed."""
    if ids is None:
        cur = conn.execute("UPDATE notifications SET read=? WHERE account_id=? AND read IS NULL",
                           (now, account_id))
    else:
        cur = conn.executemany(
            "UPDATE notifications SET read=? WHERE account_id=? AND id=? AND read IS NULL",
            [(now, account_id, i) for i in ids])
    return cur.rowcount


# ---------------------------------------------------------------- audit log and feedback


def audit(conn: sqlite3.Connection, vin: str, action: str, actor: str, reason: str,
          params: dict[str, str], now: float) -> None:
    conn.execute("INSERT INTO audit_log(at, real_at, vin, action, actor, reason, params) "
                 "VALUES (?,?,?,?,?,?,?)",
                 (now, time.time(), vin, action, actor, reason, json.dumps(params)))


def audit_log(conn: sqlite3.Connection, vin: str | None = None, limit: int = 200) -> list[dict]:
    rows = conn.execute(
        "SELECT * FROM audit_log" + (" WHERE vin=?" if vin else "") + " ORDER BY id DESC LIMIT ?",
        ((vin, limit) if vin else (limit,))).fetchall()
    return [{"id": r["id"], "at": r["at"], "real_at": r["real_at"], "vin": r["vin"],
             "action": r["action"], "actor": r["actor"], "reason": r["reason"],
             "params": json.loads(r["params"])} for r in rows]


def add_feedback(conn: sqlite3.Connection, account_id: str, identifier: str, display_name: str,
                 text: str, vin: str | None, now: float) -> int:
    cur = conn.execute("INSERT INTO feedback(account_id, identifier, display_name, text, vin, "
                       "created) VALUES (?,?,?,?,?,?)",
                       (account_id, identifier, display_name, text, vin, now))
    return int(cur.lastrowid or 0)


def feedback_list(conn: sqlite3.Connection, limit: int = 200) -> list[dict]:
    rows = conn.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [{"id": r["id"], "from": r["identifier"], "name": r["display_name"],
             "account_id": r["account_id"], "text": r["text"], "vin": r["vin"],
             "created": r["created"]} for r in rows]
