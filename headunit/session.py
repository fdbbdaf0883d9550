"""The head unit's user session as a pure state machine.

``step(session, event) -> (session, effects)``: no I/O, no clock reads, no Kivy. The
controller feeds it events (from MQTT, the touchscreen, the timer) and carries out the
effects it returns (send a request, persist). Tests call :func:`step` directly.

States, as the User menu shows them::

    NO_USER ──scan──▶ LOGIN_SCANNED ──phone confirms──▶ LOGGED_IN ──scan──▶ BIND_SCANNED
       │  ▲                                                ▲   │                  │
       │  └──── log out / scan cancelled or expired ───────┘   │                  ▼
       └─▶ PASSWORD_ENTRY ──submit──▶ PASSWORD_SUBMITTED ──ok──┘              BOUND

Which state follows a session change is derived from who is logged into the car and who it
is bound to (:func:`settled`): no user → NO_USER; user bound to the car → BOUND; else
LOGGED_IN. A logged-out car that is still bound shows the login QR (the owner logs in again
with one scan; anyone else is refused by the cloud).

Ownership changes (issue 4) ride on the same session state: when the binding goes away
(unbound with a code, force unbind completed, dealer) the car shows the login QR with the
notice ``binding_removed`` (the cloud's notice, e.g. ``unbind_completed``, follows); while a
force unbind is open, ``Session.force_unbind`` says so ("bound to another user: force
unbinding requested, waiting for the previous owner", or rejected by them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Union

from .protocol.messages import (
    Binding,
    ForceUnbindState,
    Logout,
    Message,
    PasswordLogin,
    SessionState,
    UserInfo,
)

NOTICE_SECONDS = 12.0


class State(StrEnum):
    NO_USER = "no_user"
    LOGIN_SCANNED = "login_scanned"
    PASSWORD_ENTRY = "password_entry"
    PASSWORD_SUBMITTED = "password_submitted"
    LOGGED_IN = "logged_in"
    BIND_SCANNED = "bind_scanned"
    BOUND = "bound"


QR_PURPOSE = {State.NO_USER: "login", State.LOGGED_IN: "bind"}
SCANNED_STATE = {"login": State.LOGIN_SCANNED, "bind": State.BIND_SCANNED}


@dataclass(frozen=True)
class Scan:
    scan_id: str
    purpose: str
    expires: float


@dataclass(frozen=True)
class Notice:
    code: str
    params: tuple[tuple[str, str], ...] = ()
    until: float = 0.0


@dataclass(frozen=True)
class Session:
    state: State = State.NO_USER
    user: UserInfo | None = None
    binding: Binding | None = None
    scan: Scan | None = None
    notice: Notice | None = None
    online: bool = False
    cloud_id: str | None = None
    seq: int = -1
    pending_logout: bool = False
    login_error: str | None = None
    now: float = 0.0
    force_unbind: ForceUnbindState | None = None  # an open force unbind of this car

    @property
    def qr_purpose(self) -> str | None:
        return QR_PURPOSE.get(self.state)

    @property
    def bound_to_user(self) -> bool:
        return bool(self.user and self.binding and self.binding.account_id == self.user.account_id)


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class CloudSession:
    """The cloud's retained session state for this car."""

    state: SessionState


@dataclass(frozen=True)
class ScanStarted:
    scan_id: str
    purpose: str
    expires: float


@dataclass(frozen=True)
class ScanEnded:
    scan_id: str
    outcome: str  # confirmed | cancelled | expired


@dataclass(frozen=True)
class NoticeReceived:
    code: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Tick:
    now: float


@dataclass(frozen=True)
class Connectivity:
    online: bool


@dataclass(frozen=True)
class OpenPasswordLogin:
    pass


@dataclass(frozen=True)
class CancelPasswordLogin:
    pass


@dataclass(frozen=True)
class SubmitPassword:
    identifier: str
    password: str


@dataclass(frozen=True)
class LogoutPressed:
    pass


@dataclass(frozen=True)
class RequestAnswered:
    """The cloud answered (or failed to answer) a request this machine asked to send."""

    request: str
    ok: bool
    error: str | None = None


Event = Union[CloudSession, ScanStarted, ScanEnded, NoticeReceived, Tick, Connectivity,
              OpenPasswordLogin, CancelPasswordLogin, SubmitPassword, LogoutPressed,
              RequestAnswered]


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class Send:
    """Publish ``message`` as a request to the cloud; its answer comes back as RequestAnswered."""

    message: Message


@dataclass(frozen=True)
class Persist:
    """Write who is logged in and the binding, atomically, so they survive kill -9."""

    user: UserInfo | None
    binding: Binding | None
    cloud_id: str | None
    seq: int
    pending_logout: bool = False  # a logout the cloud has not confirmed: resent after restart


Effect = Union[Send, Persist]


@dataclass(frozen=True)
class Transition:
    session: Session
    effects: tuple[Effect, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- the machine


def settled(user: UserInfo | None, binding: Binding | None) -> State:
    if user is None:
        return State.NO_USER
    if binding is not None and binding.account_id == user.account_id:
        return State.BOUND
    return State.LOGGED_IN


def restore(user: UserInfo | None, binding: Binding | None, cloud_id: str | None = None,
            seq: int = -1, pending_logout: bool = False) -> Session:
    """The session a head unit starts in, from what it persisted."""
    return Session(state=settled(user, binding), user=user, binding=binding,
                   cloud_id=cloud_id, seq=seq, pending_logout=pending_logout)


def _notice(s: Session, code: str, params: tuple[tuple[str, str], ...] = ()) -> Notice:
    return Notice(code, params, s.now + NOTICE_SECONDS)


def _persist(s: Session) -> Persist:
    return Persist(s.user, s.binding, s.cloud_id, s.seq, s.pending_logout)


def step(s: Session, event: Event) -> Transition:
    """Apply ``event`` to ``s``; return the new session and the effects to carry out."""
    if isinstance(event, Tick):
        return _tick(s, event.now)
    if isinstance(event, Connectivity):
        out = replace(s, online=event.online)
        if event.online and not s.online and s.pending_logout:
            # a logout made while the cloud was away: send it again now that it is back
            return Transition(out, (Send(Logout()),))
        return Transition(out)
    if isinstance(event, CloudSession):
        return _cloud_session(s, event.state)
    if isinstance(event, ScanStarted):
        return _scan_started(s, event)
    if isinstance(event, ScanEnded):
        return _scan_ended(s, event)
    if isinstance(event, NoticeReceived):
        return Transition(replace(s, notice=_notice(s, event.code, event.params)))
    if isinstance(event, OpenPasswordLogin):
        if s.state is State.NO_USER:
            return Transition(replace(s, state=State.PASSWORD_ENTRY, login_error=None))
        return Transition(s)
    if isinstance(event, CancelPasswordLogin):
        if s.state in (State.PASSWORD_ENTRY, State.PASSWORD_SUBMITTED):
            return Transition(replace(s, state=settled(s.user, s.binding), login_error=None))
        return Transition(s)
    if isinstance(event, SubmitPassword):
        return _submit_password(s, event)
    if isinstance(event, LogoutPressed):
        if s.user is None:
            return Transition(s)
        out = replace(s, user=None, state=settled(None, s.binding), scan=None,
                      pending_logout=True, notice=_notice(s, "logged_out"))
        return Transition(out, (Send(Logout()), _persist(out)))
    if isinstance(event, RequestAnswered):
        return _answered(s, event)
    raise TypeError(f"unknown event {event!r}")


def _tick(s: Session, now: float) -> Transition:
    s = replace(s, now=now)
    if s.notice is not None and now >= s.notice.until:
        s = replace(s, notice=None)
    if s.scan is not None and now >= s.scan.expires:
        s = replace(s, scan=None, state=settled(s.user, s.binding),
                    notice=_notice(s, "scan_expired"))
    return Transition(s)


def _cloud_session(s: Session, cs: SessionState) -> Transition:
    if cs.cloud_id == s.cloud_id and cs.seq < s.seq:
        return Transition(s)  # older than what we know: a late retained copy
    if s.pending_logout and cs.user is not None:
        # our logout is still on its way; this state predates it
        return Transition(replace(s, binding=cs.binding, force_unbind=cs.force_unbind))
    changed = (cs.user, cs.binding) != (s.user, s.binding)
    out = replace(s, user=cs.user, binding=cs.binding, cloud_id=cs.cloud_id, seq=cs.seq,
                  pending_logout=s.pending_logout and cs.user is not None,
                  force_unbind=cs.force_unbind)
    keep = out.state in (State.PASSWORD_ENTRY,) or (
        not changed and out.state in (State.LOGIN_SCANNED, State.BIND_SCANNED))
    if not keep:
        new_state = settled(out.user, out.binding)
        if new_state != out.state or changed:
            out = replace(out, state=new_state, scan=None, login_error=None)
    if s.binding is not None and out.binding is None:
        out = replace(out, notice=_notice(s, "binding_removed"))
    elif s.user is not None and out.user is None and not s.pending_logout:
        out = replace(out, notice=_notice(s, "logged_out_by_cloud"))
    return Transition(out, (_persist(out),) if (changed or cs.seq != s.seq) else ())


def _scan_started(s: Session, e: ScanStarted) -> Transition:
    fits = s.qr_purpose == e.purpose or (s.state is State.PASSWORD_ENTRY and e.purpose == "login")
    if not fits:
        return Transition(s)
    return Transition(replace(s, state=SCANNED_STATE[e.purpose],
                              scan=Scan(e.scan_id, e.purpose, e.expires), notice=None))


def _scan_ended(s: Session, e: ScanEnded) -> Transition:
    if s.scan is None or s.scan.scan_id != e.scan_id:
        return Transition(s)
    notice = None if e.outcome == "confirmed" else _notice(s, f"scan_{e.outcome}")
    return Transition(replace(s, scan=None, state=settled(s.user, s.binding), notice=notice))


def _submit_password(s: Session, e: SubmitPassword) -> Transition:
    if s.state is not State.PASSWORD_ENTRY:
        return Transition(s)
    if not e.identifier.strip() or not e.password:
        return Transition(replace(s, login_error="missing_credentials"))
    if not s.online:
        return Transition(replace(s, login_error="offline"))
    return Transition(replace(s, state=State.PASSWORD_SUBMITTED, login_error=None),
                      (Send(PasswordLogin(identifier=e.identifier.strip(), password=e.password)),))


def _answered(s: Session, e: RequestAnswered) -> Transition:
    if e.request == "password_login" and s.state is State.PASSWORD_SUBMITTED:
        if e.ok:
            # the session state carrying the user is published before the answer; if it is
            # already here we moved on, else it follows
            return Transition(replace(s, state=settled(s.user, s.binding))
                              if s.user is not None else s)
        return Transition(replace(s, state=State.PASSWORD_ENTRY, login_error=e.error or "internal"))
    if e.request == "logout":
        if not e.ok and e.error in ("timeout", "offline") and s.pending_logout:
            # not delivered yet: keep it pending; sent again at once if the cloud is there,
            # else when it comes back (see Connectivity)
            return Transition(s, (Send(Logout()),) if s.online else ())
        out = replace(s, pending_logout=False)
        return Transition(out, (_persist(out),) if s.pending_logout else ())
    return Transition(s)
