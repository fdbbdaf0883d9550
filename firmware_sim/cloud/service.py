"""The cloud's operations, shared by its HTTP API (phones) and its MQTT side (cars).

Each operation runs under one lock and one SQLite transaction: it loads the car's record,
runs the pure lifecycle (:mod:`.lifecycle`), stores the result, commits, then carries out
the effects (publish the session state, tell the car). A refusal raises
:class:`~headunit.protocol.errors.CloudError` with a code the phone and head unit show.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from headunit.clock import ScaledClock
from headunit.protocol import messages as m
from headunit.protocol import qrtoken, topics
from headunit.protocol.errors import CloudError

from . import accounts, codes, db, db_ownership, notifications
from . import lifecycle as lc
from .accounts import Account
from .clock_store import ClockStore
from .ratelimit import AbuseLimits

log = logging.getLogger(__name__)

SCAN_LIFETIME = 120.0
FUTURE_SKEW = 30.0

# HTTP status of each refusal from the lifecycle (default: 409 for "...user", else 400)
REFUSAL_STATUS = {
    "car_not_bound": 409, "not_bound_to_you": 403, "confirmation_required": 400,
    "force_unbind_needs_scan": 403, "force_unbind_pending": 409, "force_unbind_rejected": 409,
    "force_unbind_not_found": 404, "force_unbind_closed": 409,
}


class Publisher(Protocol):
    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None: ...


class NullPublisher:
    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        pass


@dataclass(frozen=True)
class CloudSettings:
    db_path: Path
    public_url: str
    demo: bool = False
    kdf_profile: str = "owasp"


def _refuse_a_key_of_another_car(conn, key_id: str, vin: str) -> None:  # noqa: ANN001
    """A car's key is its own: a key registered to another VIN is refused (a copied key
    would let one car sign codes that name it)."""
    row = conn.execute("SELECT vin FROM vehicles WHERE key_id=? AND vin<>?",
                       (key_id, vin)).fetchone()
    if row is not None:
        raise CloudError("key_in_use", status=409)


class CloudService:
    def __init__(self, settings: CloudSettings, clock: ScaledClock,
                 publisher: Publisher | None = None) -> None:
        self.settings, self.clock = settings, clock
        self.publisher: Publisher = publisher or NullPublisher()
        self.db = db.connect(settings.db_path)
        self.lock = threading.RLock()
        self.limits = AbuseLimits()  # per account and per source; see ratelimit.py
        with self.lock, db.Transaction(self.db):
            self.cloud_id = db.cloud_id(self.db)
        self.clock_store = ClockStore(self.db, self.lock, clock)
        self.clock_store.restore()
        clock.on_change(lambda spec: self._clock_changed())
        from .ownership_service import Ownership

        self.ownership = Ownership(self)
        from .faults import CloudFaults

        self.faults = CloudFaults()  # refusals a test rig arms (admin API); none by default

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # ============================================================ accounts (phone)

    def request_code(self, identifier: str, purpose: str = "register", *,
                     source: str | None = None) -> dict:
        ident, channel = accounts.normalise(identifier)
        now = self.clock.now()
        with self.limits.code_request(ident, source, now), self.lock, \
                db.Transaction(self.db) as conn:
            if purpose == "register" and accounts.by_identifier(conn, ident):
                raise CloudError("account_exists", status=409)
            code = codes.issue(accounts.load_code(conn, ident, purpose), ident, purpose, now)
            accounts.save_code(conn, code)
            body = (f"Your iSmart verification code is {code.code}. "
                    f"It expires in {int(codes.LIFETIME // 60)} minutes.")
            accounts.send_message(conn, ident, channel, body, now)
        log.info("%s to %s: %s", channel.upper(), ident, body)
        return {"sent_to": ident, "channel": channel, "expires_in": codes.LIFETIME}

    def register(self, identifier: str, code: str, password: str, display_name: str = "", *,
                 source: str | None = None) -> dict:
        ident, channel = accounts.normalise(identifier)
        now = self.clock.now()
        with self.limits.code_attempt(source, now), self.lock:
            with db.Transaction(self.db) as conn:
                if accounts.by_identifier(conn, ident):
                    raise CloudError("account_exists", status=409)
                record, refusal = codes.check(accounts.load_code(conn, ident, "register"),
                                              code, now)
                if record is not None:
                    accounts.save_code(conn, record)
            if refusal:  # the wrong try above is committed; nothing else changed
                raise refusal
            with db.Transaction(self.db) as conn:
                account = accounts.create(conn, ident, channel, display_name, password, now,
                                          self.settings.kdf_profile)
        return self.account_json(account)

    def login(self, identifier: str, password: str, accept_agreement: bool,
              accept_privacy: bool, *, source: str | None = None) -> tuple[str, dict]:
        ident, _ = accounts.normalise(identifier)
        if not (accept_agreement and accept_privacy):
            raise CloudError("terms_not_accepted")
        with self.limits.login_attempt(ident, source, self.clock.now()):
            account = accounts.check_password(self.db, self.lock, ident, password,
                                              self.settings.kdf_profile)
        now = self.clock.now()
        with self.lock, db.Transaction(self.db) as conn:
            conn.execute("UPDATE accounts SET agreement_accepted=?, privacy_accepted=? WHERE id=?",
                         (now, now, account.id))
            token = accounts.open_session(conn, account, now)
        return token, self.account_json(account)

    def logout_phone(self, token: str) -> None:
        with self.lock, db.Transaction(self.db) as conn:
            accounts.close_session(conn, token)

    def authenticate(self, token: str) -> Account:
        with self.lock:
            return accounts.session_account(self.db, token, self.clock.now())

    def outbox(self, identifier: str) -> list[dict]:
        ident, _ = accounts.normalise(identifier)
        with self.lock:
            return accounts.outbox(self.db, ident)

    @staticmethod
    def account_json(a: Account) -> dict:
        return {"account_id": a.id, "identifier": a.identifier, "display_name": a.display_name,
                "initials": a.initials}

    # ============================================================ scans (phone)

    def scan(self, account: Account, content: str) -> dict:
        """A phone presents the content of a QR code it scanned."""
        try:
            token = qrtoken.parse(qrtoken.token_from_content(content))
        except qrtoken.TokenError as exc:
            raise CloudError("bad_token", f"This is not an iSmart car code ({exc}). "
                             "Scan the QR code on the car's User screen.") from None
        claims = token.claims
        now = self.clock.now()
        with self.lock:
            row = self.db.execute("SELECT * FROM vehicles WHERE key_id=?",
                                  (claims.key_id.hex(),)).fetchone()
            if row is None:
                known = self.db.execute("SELECT 1 FROM vehicles WHERE vin=?",
                                        (claims.vin,)).fetchone()
                raise CloudError("bad_signature" if known else "unknown_vehicle")
            if row["vin"] != claims.vin:
                raise CloudError("wrong_vehicle")
            if not qrtoken.verify_signature(token, qrtoken.unb64url(row["public_key"])):
                raise CloudError("bad_signature")
            if now >= claims.expires:
                raise CloudError("expired_token")
            if claims.issued > now + FUTURE_SKEW:
                raise CloudError("bad_token", "This code is dated in the future. "
                                 "Check the car's clock and scan again.")
            if self.db.execute("SELECT 1 FROM used_nonces WHERE nonce=?",
                               (claims.nonce_hex,)).fetchone():
                raise CloudError("token_used")
            scan_id = uuid.uuid4().hex[:16]
            event = lc.ScanAccepted(scan_id, claims.purpose, account.id, now,
                                    now + SCAN_LIFETIME)
            self._apply(claims.vin, event, nonce=(claims.nonce_hex, claims.expires))
            v = db.load_vehicle(self.db, claims.vin)
        assert v is not None
        return {
            "scan_id": scan_id, "purpose": claims.purpose, "expires": now + SCAN_LIFETIME,
            "vehicle": self._vehicle_public(v),
            "question": (f"Log in to {v.model}, VIN ending …{v.vin[-4:]}?"
                         if claims.purpose == "login" else
                         f"Bind {v.model}, VIN ending …{v.vin[-4:]}, to your account?"),
        }

    def confirm_scan(self, account: Account, scan_id: str) -> dict:
        with self.lock:
            vin = self._vin_of_scan(scan_id)
            t = self._apply(vin, lc.ScanConfirmed(scan_id, account.id, self.clock.now()))
            v = db.load_vehicle(self.db, vin)
        assert v is not None
        return {"result": self._done(t), "vehicle": self._vehicle_public(v)}

    def cancel_scan(self, account: Account, scan_id: str) -> dict:
        with self.lock:
            vin = self._vin_of_scan(scan_id)
            self._apply(vin, lc.ScanCancelled(scan_id, account.id))
        return {"result": "cancelled"}

    def vehicles_for(self, account: Account) -> list[dict]:
        with self.lock:
            rows = self.db.execute(
                "SELECT * FROM vehicles WHERE bound_user=? OR car_user=? ORDER BY vin",
                (account.id, account.id)).fetchall()
        out = []
        for r in rows:
            v = db.vehicle_from_row(r)
            out.append({**self._vehicle_public(v), "vin": v.vin,
                        "bound": v.bound_user == account.id, "bound_since": v.bound_since,
                        "logged_in": v.car_user == account.id})
        return out

    def logout_car_from_phone(self, account: Account, vin: str) -> dict:
        with self.lock:
            t = self._apply(vin, lc.LoggedOut(account.id))
        return {"result": self._done(t)}

    # ------------------------------------------------------------ ownership checks

    def is_bound_user(self, account_id: str, vin: str) -> bool:
        """Whether ``account_id`` is the user bound to the car ``vin``: the one place that
        decides who may see the car's status and command it."""
        with self.lock:
            row = self.db.execute("SELECT bound_user FROM vehicles WHERE vin=?",
                                  (vin,)).fetchone()
        return bool(row and row["bound_user"] == account_id)

    def vehicle_record(self, vin: str) -> lc.Vehicle | None:
        with self.lock:
            return db.load_vehicle(self.db, vin)

    def _vin_of_scan(self, scan_id: str) -> str:
        row = self.db.execute("SELECT vin FROM vehicles WHERE scan_id=?", (scan_id,)).fetchone()
        if row is None:
            raise CloudError("scan_not_found", status=404)
        return row["vin"]

    @staticmethod
    def _vehicle_public(v: lc.Vehicle) -> dict:
        return {"model": v.model, "vin_suffix": v.vin[-4:]}

    # ============================================================ head units (MQTT)

    def headunit_hello(self, vin: str, hello: m.Hello) -> dict:
        key = qrtoken.unb64url(hello.public_key)
        kid = qrtoken.key_id(key).hex()
        now = self.clock.now()
        with self.lock:
            with db.Transaction(self.db) as conn:
                _refuse_a_key_of_another_car(conn, kid, vin)
                row = conn.execute("SELECT * FROM vehicles WHERE vin=?", (vin,)).fetchone()
                if row is None:
                    if not self.settings.demo:
                        raise CloudError("unknown_vehicle")
                    conn.execute(
                        "INSERT INTO vehicles(vin, model, public_key, key_id, provisioned, created)"
                        " VALUES (?,?,?,?,?,?)",
                        (vin, hello.model, hello.public_key, kid, "first_contact", now))
                    log.info("trusted %s (%s) on first contact", vin, hello.model)
                elif row["public_key"] != hello.public_key:
                    if not self.settings.demo:
                        raise CloudError("key_mismatch")
                    log.warning("%s presents a new key; trusting it (demo mode)", vin)
                    conn.execute("UPDATE vehicles SET public_key=?, key_id=? WHERE vin=?",
                                 (hello.public_key, kid, vin))
            v = db.load_vehicle(self.db, vin)
            assert v is not None
            state = self._session_state(v)
            self._publish_session(state)
        return {"session": state.model_dump()}

    def headunit_password_login(self, vin: str, req: m.PasswordLogin) -> dict:
        try:
            ident, _ = accounts.normalise(req.identifier)
        except CloudError:
            raise CloudError("invalid_credentials", status=401) from None
        with self.limits.login_attempt(ident, f"vin:{vin}", self.clock.now()):
            account = accounts.check_password(self.db, self.lock, ident, req.password,
                                              self.settings.kdf_profile)
        with self.lock:
            t = self._apply(vin, lc.PasswordLoggedIn(account.id, self.clock.now()))
        return {"result": self._done(t), "user": self._user_info(account).model_dump()}

    def headunit_logout(self, vin: str) -> dict:
        with self.lock:
            t = self._apply(vin, lc.LoggedOut(None))
        return {"result": self._done(t)}

    # ============================================================ admin

    def provision(self, vin: str, public_key_b64: str, model: str) -> dict:
        topics.check_vin(vin)
        try:
            raw = qrtoken.unb64url(public_key_b64)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise CloudError("invalid_request", "The public key must be 32 bytes of raw Ed25519 "
                             "key in base64url (as ismart-headunit prints at start).")
        with self.lock, db.Transaction(self.db) as conn:
            _refuse_a_key_of_another_car(conn, qrtoken.key_id(raw).hex(), vin)
            conn.execute(
                "INSERT INTO vehicles(vin, model, public_key, key_id, provisioned, created) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(vin) DO UPDATE SET model=excluded.model, "
                "public_key=excluded.public_key, key_id=excluded.key_id, provisioned='provisioned'",
                (vin, model, public_key_b64, qrtoken.key_id(raw).hex(), "provisioned",
                 self.clock.now()))
        return {"vin": vin, "model": model}

    def vehicle_state(self, vin: str) -> dict | None:
        """The cloud's view of one car, for tests and admins."""
        with self.lock:
            v = db.load_vehicle(self.db, vin)
            return None if v is None else self._session_state(v).model_dump()

    def sweep(self) -> None:
        """Expire what has waited too long (pending scans, spent nonces, force-unbind offers)
        and complete force unbinds whose 72 hours are over."""
        now = self.clock.now()
        with self.lock:
            rows = self.db.execute("SELECT vin FROM vehicles WHERE scan_expires<=?",
                                   (now,)).fetchall()
            vins = {r["vin"] for r in rows} | set(db_ownership.due_vins(self.db, now))
            for vin in sorted(vins):
                self._apply(vin, lc.Swept(now))
            with db.Transaction(self.db) as conn:
                conn.execute("DELETE FROM used_nonces WHERE expires<?", (now - 60,))
            self.clock_store.save(force=False)

    def publish_all(self) -> None:
        """Publish every retained topic the cloud owns (after a (re)connect: the broker may
        have restarted and lost them)."""
        self.publish_info()
        self.publish_clock()
        with self.lock:
            for v in db.all_vehicles(self.db):
                self._publish_session(self._session_state(v))

    def publish_info(self) -> None:
        info = m.CloudInfo(cloud_id=self.cloud_id, public_url=self.settings.public_url,
                           demo=self.settings.demo)
        self.publisher.publish(topics.CLOUD_INFO, m.encode(info), retain=True)

    def publish_clock(self) -> None:
        spec = self.clock.spec
        state = m.ClockState(anchor_real=spec.anchor_real, anchor_sim=spec.anchor_sim,
                             scale=spec.scale)
        self.publisher.publish(topics.CLOUD_CLOCK, m.encode(state), retain=True)

    # ============================================================ internals

    def _apply(self, vin: str, event: lc.Event, nonce: tuple[str, float] | None = None
               ) -> lc.Transition:
        """Run ``event`` on the car's record in one transaction, then carry out the effects."""
        with db.Transaction(self.db) as conn:
            t = self._step_in(conn, vin, event, nonce)
        self._carry_out(vin, t)
        return t

    def _step_in(self, conn: sqlite3.Connection, vin: str, event: lc.Event,
                 nonce: tuple[str, float] | None = None) -> lc.Transition:
        """Run ``event`` inside the caller's transaction; store the record and the effects that
        are rows (phone notifications, audit log), so they commit together."""
        v = db.load_vehicle(conn, vin)
        if v is None:
            raise CloudError("unknown_vehicle", status=404)
        t = lc.step(v, event)
        if t.vehicle != v:
            db.save_vehicle(conn, t.vehicle)
        if nonce and not t.refused:
            conn.execute("INSERT INTO used_nonces(nonce, vin, expires) VALUES (?,?,?)",
                         (nonce[0], vin, nonce[1]))
        now = self.clock.now()
        for effect in t.effects:
            if isinstance(effect, lc.NotifyPhone):
                params = dict(effect.params)
                db_ownership.add_notification(
                    conn, effect.account_id, effect.code,
                    notifications.render(effect.code, params), params, vin, effect.request_id,
                    effect.actions, now)
            elif isinstance(effect, lc.Audit):
                db_ownership.audit(conn, vin, effect.action, effect.actor, effect.reason,
                                   dict(effect.params), now)
        return t

    def _carry_out(self, vin: str, t: lc.Transition) -> None:
        """After the commit: publish, tell the car; raise the refusal, if any."""
        for effect in t.effects:
            if isinstance(effect, lc.PublishSession):
                self._publish_session(self._session_state(t.vehicle))
            elif isinstance(effect, lc.TellCar):
                self._tell_car(vin, effect)
        refusal = t.refusal
        if refusal is not None:
            raise self._refusal_error(refusal)

    @staticmethod
    def _refusal_error(r: lc.Refuse) -> CloudError:
        status = REFUSAL_STATUS.get(r.code, 409 if r.code.endswith("user") else 400)
        details = dict(r.details) or None
        message = None
        if details and "deadline" in details:
            message = (f"{CloudError(r.code).message} It completes at the latest at "
                       f"{notifications.when(details['deadline'])}.")
        return CloudError(r.code, message, status=status, details=details)

    def _clock_changed(self) -> None:
        self.clock_store.save()
        self.publish_clock()

    @staticmethod
    def _done(t: lc.Transition) -> str:
        return next((e.result for e in t.effects if isinstance(e, lc.Done)), "none")

    def _user_info(self, a: Account) -> m.UserInfo:
        return m.UserInfo(account_id=a.id, display_name=a.display_name, initials=a.initials)

    def _session_state(self, v: lc.Vehicle) -> m.SessionState:
        user = accounts.by_id(self.db, v.car_user) if v.car_user else None
        bound = accounts.by_id(self.db, v.bound_user) if v.bound_user else None
        f = v.force
        force = (m.ForceUnbindState(status=f.status, requested=f.requested, deadline=f.deadline)
                 if f is not None and f.open and bound else None)
        return m.SessionState(
            vin=v.vin, cloud_id=self.cloud_id, seq=v.seq,
            user=self._user_info(user) if user else None,
            binding=m.Binding(account_id=bound.id, display_name=bound.display_name,
                              since=v.bound_since or 0.0) if bound else None,
            force_unbind=force)

    def _publish_session(self, state: m.SessionState) -> None:
        self.publisher.publish(topics.vehicle(state.vin, topics.SESSION), m.encode(state),
                               retain=True)

    def _tell_car(self, vin: str, effect: lc.TellCar) -> None:
        fields = dict(effect.fields)
        msg: m.Message
        if effect.kind == "scanned":
            msg = m.Scanned(**fields)
        elif effect.kind == "scan_closed":
            msg = m.ScanClosed(**fields)
        else:
            msg = m.Notice(code=str(fields["code"]), params=dict(fields.get("params") or ()))
        self.publisher.publish(topics.vehicle(vin, topics.EVENTS), m.encode(msg))
