"""The cloud's operations for ownership changes, contact and feedback, and its clock.

Unbind with a verification code, force unbinding (request, Agree / Reject, the 72-hour rule
through the sweeper), dealer unbind with an audit log, phone notifications, feedback, and
moving the simulated clock. Each runs under the service's lock and one SQLite transaction and
goes through the pure lifecycle (:mod:`.lifecycle`, :mod:`.force_unbind`); the HTTP API
(:mod:`.http_ownership`) and the CLI call these.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from typing import TYPE_CHECKING

from headunit.protocol.errors import CloudError
from headunit.protocol.messages import MAX_TIME
from headunit.protocol.support import SUPPORT_EMAIL, mailto

from . import accounts, codes, db, db_ownership, notifications
from . import lifecycle as lc
from .accounts import Account

if TYPE_CHECKING:
    from .service import CloudService

log = logging.getLogger(__name__)

CASE_MAX = 64
FEEDBACK_MAX = 2000


def unbind_purpose(vin: str) -> str:
    """Verification codes to unbind are per car: a code for one car cannot unbind another."""
    return f"unbind:{vin}"


class Ownership:
    def __init__(self, service: CloudService) -> None:
        self.s = service

    # ============================================================ unbind with a code

    def _bound_vehicle(self, conn: sqlite3.Connection, account: Account,
                       vin: str) -> lc.Vehicle:
        v = db.load_vehicle(conn, vin)
        if v is None:
            raise CloudError("unknown_vehicle", status=404)
        if v.bound_user != account.id:
            raise CloudError("not_bound_to_you", status=403)
        return v

    def request_unbind_code(self, account: Account, vin: str) -> dict:
        """Send a 6-digit code (SMS or e-mail) that confirms unbinding ``vin``."""
        now = self.s.clock.now()
        purpose = unbind_purpose(vin)
        with self.s.limits.code_request(account.identifier, None, now), self.s.lock, \
                db.Transaction(self.s.db) as conn:  # abuse limits: see ratelimit.py
            v = self._bound_vehicle(conn, account, vin)
            code = codes.issue(accounts.load_code(conn, account.identifier, purpose),
                               account.identifier, purpose, now)
            accounts.save_code(conn, code)
            body = (f"Your iSmart code to unbind {v.model} (VIN ending …{vin[-4:]}) is "
                    f"{code.code}. It expires in {int(codes.LIFETIME // 60)} minutes. If you "
                    "did not ask for it, ignore this message.")
            accounts.send_message(conn, account.identifier, account.channel, body, now)
        log.info("%s to %s: %s", account.channel.upper(), account.identifier, body)
        return {"sent_to": account.identifier, "channel": account.channel,
                "expires_in": codes.LIFETIME, "vin": vin}

    def unbind(self, account: Account, vin: str, code: str) -> dict:
        """Unbind ``vin`` from ``account`` if ``code`` is the code sent for it."""
        now = self.s.clock.now()
        purpose = unbind_purpose(vin)
        with self.s.lock:
            with db.Transaction(self.s.db) as conn:
                v = self._bound_vehicle(conn, account, vin)
                record, refusal = codes.check(
                    accounts.load_code(conn, account.identifier, purpose), code, now)
                if record is not None:
                    accounts.save_code(conn, record)  # a wrong try counts, even when refused
                t = None if refusal else self.s._step_in(conn, vin, lc.Unbind(account.id, now))
            if refusal:
                raise refusal
            assert t is not None
            self.s._carry_out(vin, t)
        return {"result": "unbound", "vehicle": {"vin": vin, "model": v.model,
                                                 "vin_suffix": vin[-4:]},
                "message": f"The unbind is complete: {v.model} is no longer bound to your "
                           "account."}

    # ============================================================ force unbinding

    def request_force_unbind(self, account: Account, vin: str, push_confirmed: bool) -> dict:
        """A new user asks to unbind the previous one (after scanning the car)."""
        request_id = uuid.uuid4().hex[:16]
        with self.s.lock:
            self.s._apply(vin, lc.ForceUnbindRequested(request_id, account.id,
                                                       self.s.clock.now(), push_confirmed))
            return {"result": "requested", "request": self._request(request_id, account)}

    def force_requests(self, account: Account) -> list[dict]:
        """Force unbind requests ``account`` made (role ``requester``) or must answer
        (role ``previous_user``), newest first."""
        with self.s.lock:
            rows = db_ownership.force_requests_of(self.s.db, account.id)
        return [self._request_json(r, account) for r in rows]

    def answer_force_unbind(self, account: Account, request_id: str, agree: bool) -> dict:
        with self.s.lock:
            vin = db_ownership.vin_of_force(self.s.db, request_id)
            if vin is None:
                raise CloudError("force_unbind_not_found", status=404)
            t = self.s._apply(vin, lc.ForceUnbindAnswered(request_id, account.id, agree,
                                                          self.s.clock.now()))
            result = self.s._done(t)
            return {"result": result, "request": self._request(request_id, account),
                    "message": ("The car is unbound from your account." if result == "unbound"
                                else "You rejected the request: the car stays bound to you.")}

    def _request(self, request_id: str, account: Account) -> dict:
        row = next(r for r in db_ownership.force_requests_of(self.s.db, account.id)
                   if r["request_id"] == request_id)
        return self._request_json(row, account)

    @staticmethod
    def _request_json(r: sqlite3.Row, account: Account) -> dict:
        return {"request_id": r["request_id"], "vin": r["vin"], "model": r["model"],
                "role": "requester" if r["requester"] == account.id else "previous_user",
                "status": r["status"], "requested": r["requested"], "deadline": r["deadline"],
                "deadline_text": notifications.when(r["deadline"]), "closed": r["closed"]}

    # ============================================================ dealer

    def dealer_unbind(self, vin: str, case: str, dealer: str, reason: str = "") -> dict:
        """An MG dealer unbinds the car (ownership proven in person); written to the audit log."""
        case, dealer, reason = case.strip(), dealer.strip(), reason.strip()
        if not case or len(case) > CASE_MAX:
            raise CloudError("invalid_request", f"Give the dealer's case number (1 to {CASE_MAX} "
                             "characters), e.g. --case MG-2024-0042.")
        if not dealer:
            raise CloudError("invalid_request", "Give the dealer's name, e.g. --dealer 'MG Aarhus'.")
        with self.s.lock:
            self.s._apply(vin, lc.DealerUnbind(dealer, case, reason, self.s.clock.now()))
            entry = db_ownership.audit_log(self.s.db, vin, limit=1)[0]
        return {"result": "unbound", "vin": vin, "audit": entry}

    def audit_log(self, vin: str | None = None) -> list[dict]:
        with self.s.lock:
            return db_ownership.audit_log(self.s.db, vin)

    # ============================================================ notifications

    def notifications(self, account: Account, *, unread_only: bool = False) -> dict:
        with self.s.lock:
            items = db_ownership.notifications_of(self.s.db, account.id, unread_only=unread_only)
            unread = db_ownership.unread_count(self.s.db, account.id)
        return {"unread": unread, "notifications": items}

    def mark_read(self, account: Account, ids: list[int] | None) -> dict:
        with self.s.lock, db.Transaction(self.s.db) as conn:
            marked = db_ownership.mark_read(conn, account.id, ids, self.s.clock.now())
            unread = db_ownership.unread_count(conn, account.id)
        return {"marked": marked, "unread": unread}

    # ============================================================ contact and feedback

    @staticmethod
    def support() -> dict:
        return {"email": SUPPORT_EMAIL, "mailto": mailto("iSmart app"),
                "text": f"Contact us: {SUPPORT_EMAIL}. Questions can also go through Feedback."}

    def feedback(self, account: Account, text: str, vin: str | None = None) -> dict:
        text = text.strip()
        if not text or len(text) > FEEDBACK_MAX:
            raise CloudError("invalid_request", f"Write your feedback as 1 to {FEEDBACK_MAX} "
                             "characters of text.")
        now = self.s.clock.now()
        with self.s.lock, db.Transaction(self.s.db) as conn:
            fid = db_ownership.add_feedback(conn, account.id, account.identifier,
                                            account.display_name, text, vin, now)
        log.info("feedback #%d from %s: %s", fid, account.identifier, text[:200])
        return {"id": fid, "received": now, "message": "Thank you: your feedback was sent."}

    def feedback_list(self) -> list[dict]:
        with self.s.lock:
            return db_ownership.feedback_list(self.s.db)

    # ============================================================ the clock

    def time_info(self) -> dict:
        now = self.s.clock.now()
        return {"now": now, "text": notifications.when(now), "scale": self.s.clock.spec.scale}

    def advance_time(self, seconds: float) -> dict:
        """Jump the simulated clock forward, then complete whatever fell due (72 h rule)."""
        if not seconds > 0:
            raise CloudError("invalid_request", "Advance by a positive duration, e.g. 72h.")
        if self.s.clock.now() + seconds > MAX_TIME - 86400:
            # QR tokens and every timestamp on the wire end in 2106 (32-bit seconds)
            raise CloudError("invalid_request", "The clock cannot go past the year 2105; "
                             "advance by less.")
        self.s.clock.advance(seconds)  # saves and publishes the clock (on_change)
        self.s.sweep()
        return self.time_info()

    def set_scale(self, scale: float) -> dict:
        if not 0 < scale <= 1_000_000:
            raise CloudError("invalid_request", "The time scale is a number above 0 and at most "
                             "1000000 (simulated seconds per real second).")
        self.s.clock.set_scale(scale)
        return self.time_info()
