"""Accounts: identifiers, registration with a verification code, login, phone sessions.

Functions over an open SQLite connection (inside the service's lock and transaction).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import uuid
from dataclasses import dataclass

from headunit.protocol.errors import CloudError

from . import codes
from .passwords import burn_time, hash_password, verify_password

SESSION_LIFETIME = 30 * 86400.0
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9]{8,15}$")


@dataclass(frozen=True)
class Account:
    id: str
    identifier: str
    channel: str
    display_name: str

    @property
    def initials(self) -> str:
        words = [w for w in re.split(r"[\s._@-]+", self.display_name) if w]
        letters = "".join(w[0] for w in words[:2]).upper()
        return letters or "?"


def normalise(identifier: str) -> tuple[str, str]:
    """``(identifier, channel)``: a lower-case e-mail (email) or a phone number (sms)."""
    text = identifier.strip()
    if "@" in text:
        if not EMAIL.match(text) or len(text) > 254:
            raise CloudError("invalid_identifier")
        return text.lower(), "email"
    digits = re.sub(r"[\s().-]", "", text)
    if not PHONE.match(digits):
        raise CloudError("invalid_identifier")
    return digits, "sms"


def _account(row: sqlite3.Row) -> Account:
    return Account(row["id"], row["identifier"], row["channel"], row["display_name"])


def by_identifier(conn: sqlite3.Connection, identifier: str) -> Account | None:
    row = conn.execute("SELECT * FROM accounts WHERE identifier=?", (identifier,)).fetchone()
    return _account(row) if row else None


def by_id(conn: sqlite3.Connection, account_id: str) -> Account | None:
    row = conn.execute("SELECT * FROM accounts WHERE id=?", (account_id,)).fetchone()
    return _account(row) if row else None


def load_code(conn: sqlite3.Connection, identifier: str, purpose: str) -> codes.Code | None:
    row = conn.execute("SELECT * FROM codes WHERE identifier=? AND purpose=?",
                       (identifier, purpose)).fetchone()
    if row is None:
        return None
    return codes.Code(row["identifier"], row["purpose"], row["code"], row["created"],
                      row["expires"], row["wrong_tries"], bool(row["used"]))


def save_code(conn: sqlite3.Connection, c: codes.Code) -> None:
    conn.execute(
        "INSERT INTO codes(identifier, purpose, code, created, expires, wrong_tries, used) "
        "VALUES (?,?,?,?,?,?,?) ON CONFLICT(identifier, purpose) DO UPDATE SET code=excluded.code,"
        " created=excluded.created, expires=excluded.expires, wrong_tries=excluded.wrong_tries,"
        " used=excluded.used",
        (c.identifier, c.purpose, c.code, c.created, c.expires, c.wrong_tries, int(c.used)))


def send_message(conn: sqlite3.Connection, recipient: str, channel: str, body: str,
                 now: float) -> None:
    """Put a message in the simulated SMS / e-mail outbox."""
    conn.execute("INSERT INTO outbox(recipient, channel, body, created) VALUES (?,?,?,?)",
                 (recipient, channel, body, now))


def outbox(conn: sqlite3.Connection, recipient: str, limit: int = 20) -> list[dict]:
    rows = conn.execute("SELECT * FROM outbox WHERE recipient=? ORDER BY id DESC LIMIT ?",
                        (recipient, limit)).fetchall()
    return [{"id": r["id"], "to": r["recipient"], "channel": r["channel"], "body": r["body"],
             "sent": r["created"]} for r in rows]


def create(conn: sqlite3.Connection, identifier: str, channel: str, display_name: str,
           password: str, now: float, kdf_profile: str) -> Account:
    if len(password) < 8:
        raise CloudError("weak_password")
    name = display_name.strip() or identifier.split("@")[0]
    account = Account(uuid.uuid4().hex[:16], identifier, channel, name[:64])
    conn.execute(
        "INSERT INTO accounts(id, identifier, channel, display_name, password_hash, created) "
        "VALUES (?,?,?,?,?,?)",
        (account.id, identifier, channel, account.display_name,
         hash_password(password, kdf_profile), now))
    return account


def check_password(conn: sqlite3.Connection, lock: threading.RLock, identifier: str,
                   password: str, kdf_profile: str) -> Account:
    """The account if ``password`` is right. The slow KDF runs outside ``lock``."""
    with lock:
        row = conn.execute("SELECT * FROM accounts WHERE identifier=?", (identifier,)).fetchone()
    if row is None:
        burn_time(password, kdf_profile)
        raise CloudError("invalid_credentials", status=401)
    if not verify_password(password, row["password_hash"]):
        raise CloudError("invalid_credentials", status=401)
    return _account(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: sqlite3.Connection, account: Account, now: float) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute("INSERT INTO sessions(token_hash, account_id, created, expires) VALUES (?,?,?,?)",
                 (_token_hash(token), account.id, now, now + SESSION_LIFETIME))
    return token


def close_session(conn: sqlite3.Connection, token: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash=?", (_token_hash(token),))


def session_account(conn: sqlite3.Connection, token: str, now: float) -> Account:
    row = conn.execute(
        "SELECT a.* FROM sessions s JOIN accounts a ON a.id=s.account_id "
        "WHERE s.token_hash=? AND s.expires>?", (_token_hash(token), now)).fetchone()
    if row is None:
        raise CloudError("not_authenticated", status=401)
    return _account(row)
