"""The head unit's controller: the session machine, the QR rotator and the link, wired.

It owns the one :class:`~headunit.session.Session`, feeds it events from any thread (under a
lock), carries out its effects, and tells observers about every change with a frozen
:class:`View`. Observers run on the caller's thread: the Kivy UI hops to the Kivy clock,
the headless runner prints a JSON line.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import __version__
from . import car as carpanel
from .clock import ClockSpec, ScaledClock
from .identity import Identity
from .protocol import messages as m
from .protocol.support import SUPPORT_EMAIL
from .qr import Qr, QrRotator
from .session import (
    CancelPasswordLogin,
    Event,
    LogoutPressed,
    OpenPasswordLogin,
    Persist,
    RequestAnswered,
    Send,
    Session,
    State,
    SubmitPassword,
    Tick,
    restore,
    step,
)
from .store import Remembered, SessionStore

log = logging.getLogger(__name__)

SAVE_RETRY = 2.0  # seconds between attempts to save after the data directory failed


@dataclass(frozen=True)
class View:
    """Everything a screen shows, at one moment."""

    state: str
    vin: str
    model: str
    online: bool
    broker_connected: bool
    user: m.UserInfo | None
    binding: m.Binding | None
    qr: Qr | None
    scan_expires: float | None
    notice: str | None
    notice_params: dict[str, str]
    login_error: str | None
    public_url: str | None
    vehicle: carpanel.CarPanel | None = None  # the car: status, services, commands
    # an open force unbind of this car: "bound to another user: force unbinding requested,
    # waiting for the previous owner" (pending, until its deadline) or rejected by them
    force_unbind: m.ForceUnbindState | None = None
    support_email: str = SUPPORT_EMAIL  # Contact us
    storage_error: str | None = None  # the data directory cannot be written (full, read-only)

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state, "vin": self.vin, "model": self.model, "online": self.online,
            "broker_connected": self.broker_connected,
            "user": self.user.model_dump() if self.user else None,
            "binding": self.binding.model_dump() if self.binding else None,
            "bound": bool(self.user and self.binding
                          and self.user.account_id == self.binding.account_id),
            "qr": asdict(self.qr) if self.qr else None,
            "scan_expires": self.scan_expires, "notice": self.notice,
            "notice_params": self.notice_params, "login_error": self.login_error,
            "public_url": self.public_url,
            "vehicle": self.vehicle.to_json() if self.vehicle else None,
            "force_unbind": self.force_unbind.model_dump() if self.force_unbind else None,
            "support_email": self.support_email,
            "storage_error": self.storage_error,
        }


class HeadUnit:
    def __init__(self, identity: Identity, data_dir: Path, clock: ScaledClock, *,
                 public_url: str | None = None, qr_period: float = 20.0,
                 qr_lifetime: float = 30.0) -> None:
        self.identity, self.clock = identity, clock
        self.store = SessionStore(data_dir)
        remembered = self.store.load()
        self._public_url_override = public_url
        self._remembered = remembered
        self.session: Session = restore(remembered.user, remembered.binding,
                                        remembered.cloud_id, remembered.seq,
                                        remembered.pending_logout)
        self.rotator = QrRotator(identity.private_key, identity.vin, clock, self.public_url,
                                 period=qr_period, lifetime=qr_lifetime)
        self.link: Any = None  # HeadUnitLink, attached by the runner
        self.car = carpanel.new_panel(identity.model)
        self.car_link: Any = None  # CarLink, attached by the runner
        self._lock = threading.RLock()
        self._listeners: list[Callable[[View], None]] = []
        self._last_view: View | None = None
        self._storage_error: str | None = None
        self._save_retry_at = 0.0

    # -------------------------------------------------------------- wiring

    def public_url(self) -> str | None:
        return self._public_url_override or self._remembered.public_url

    def hello(self) -> m.Hello:
        return m.Hello(vin=self.identity.vin, public_key=self.identity.public_key_b64,
                       model=self.identity.model, software=f"ismart-headunit {__version__}")

    def on_change(self, listener: Callable[[View], None]) -> None:
        self._listeners.append(listener)

    def adopt_clock(self, spec: ClockSpec) -> None:
        self.clock.adopt(spec)
        self.tick()

    def adopt_cloud_info(self, info: m.CloudInfo) -> None:
        with self._lock:
            if info.public_url != self._remembered.public_url:
                self._save(public_url=info.public_url)
            self._refresh()

    # -------------------------------------------------------------- events

    def dispatch(self, event: Event) -> None:
        with self._lock:
            before = self.session.state
            transition = step(self.session, event)
            self.session = transition.session
            for effect in transition.effects:
                self._carry_out(effect)
            if self.session.state != before and before in (State.NO_USER, State.LOGGED_IN):
                self.rotator.invalidate()  # the code on screen was used or left behind
            self._refresh()

    def tick(self) -> None:
        """Advance time: expire scans, notices and requests, rotate the QR code."""
        if self.link is not None:
            self.link.expire_requests()
        if self._storage_error and time.monotonic() >= self._save_retry_at:
            with self._lock:
                self._save()  # what could not be written is written as soon as it can be
        self.dispatch(Tick(self.clock.now()))
        self.dispatch_car(carpanel.Expire(time.monotonic()))

    # -------------------------------------------------------------- the car

    def dispatch_car(self, event: carpanel.CarEvent) -> None:
        """Feed the car panel (status, availability, command results) from any thread."""
        with self._lock:
            t = carpanel.step(self.car, event)
            self.car = t.panel
            for effect in t.effects:
                if self.car_link is not None:
                    self.car_link.send(effect.message)
                else:
                    self.car = carpanel.step(self.car, carpanel.CommandAnswered(
                        carpanel.pv.error_result(effect.message.request_id, "offline",
                                                 "The head unit has no link to the cloud."))
                    ).panel
            self._refresh()

    def car_command(self, command: Any, request_id: str | None = None) -> str:
        """The driver asks the car for ``command`` (a headunit.protocol.vehicle command);
        returns its request id. The outcome shows in ``View.vehicle.commands``."""
        rid = request_id or uuid.uuid4().hex
        self.dispatch_car(carpanel.CommandRequested(rid, command, time.monotonic()))
        return rid

    # touchscreen actions
    def open_password_login(self) -> None:
        self.dispatch(OpenPasswordLogin())

    def cancel_password_login(self) -> None:
        self.dispatch(CancelPasswordLogin())

    def submit_password(self, identifier: str, password: str) -> None:
        self.dispatch(SubmitPassword(identifier, password))

    def logout(self) -> None:
        self.dispatch(LogoutPressed())

    def kiosk_reset(self, on_answer: Callable[[RequestAnswered], None]) -> None:
        """A kiosk asks the cloud to reset this car for the next visitor (logged out, unbound);
        the answer (or "offline" / "timeout") goes to ``on_answer``. The screen follows the
        session state the cloud publishes."""
        if self.link is None or not self.link.online:
            on_answer(RequestAnswered("kiosk_reset", False, "offline"))
            return
        self.link.request(m.KioskReset(), on_answer=on_answer)

    # -------------------------------------------------------------- effects

    def _carry_out(self, effect: object) -> None:
        if isinstance(effect, Send):
            if self.link is None:
                self.session = step(self.session, RequestAnswered(
                    effect.message.type, False, "offline")).session
            else:
                self.link.request(effect.message)
        elif isinstance(effect, Persist):
            self._save(user=effect.user, binding=effect.binding, cloud_id=effect.cloud_id,
                       seq=effect.seq, pending_logout=effect.pending_logout)

    def _save(self, **changes: Any) -> None:
        r = self._remembered
        self._remembered = Remembered(**{**r.__dict__, **changes})
        try:
            self.store.save(self._remembered)
        except OSError as exc:
            error = f"cannot save to {self.store.path.parent}: {exc.strerror or exc}"
            if error != self._storage_error:
                log.error("%s (the screen stays right; saving is retried every %.0f s)",
                          error, SAVE_RETRY)
            self._storage_error = error
            self._save_retry_at = time.monotonic() + SAVE_RETRY
            return
        if self._storage_error:
            log.info("saved the session to %s again", self.store.path)
        self._storage_error = None

    # -------------------------------------------------------------- views

    def view(self) -> View:
        with self._lock:
            s = self.session
            qr = self.rotator.current(s.qr_purpose)
            connected = bool(self.link and self.link.conn.connected)
            return View(
                state=s.state.value, vin=self.identity.vin, model=self.identity.model,
                online=s.online, broker_connected=connected, user=s.user, binding=s.binding,
                qr=qr, scan_expires=s.scan.expires if s.scan else None,
                notice=s.notice.code if s.notice else None,
                notice_params=dict(s.notice.params) if s.notice else {},
                login_error=s.login_error, public_url=self.public_url(),
                force_unbind=s.force_unbind, vehicle=self.car,
                storage_error=self._storage_error)

    def _refresh(self) -> None:
        v = self.view()
        if v == self._last_view:
            return
        self._last_view = v
        for listener in list(self._listeners):
            try:
                listener(v)
            except Exception:
                log.exception("view listener failed")
