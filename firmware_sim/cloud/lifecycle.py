"""The cloud's side of a car's life with its users, as a pure state machine.

One :class:`Vehicle` record per car: who is logged into it (``car_user``), who it is bound
to (``bound_user``), and the scan waiting for a phone's confirmation. ``step(vehicle, event)``
returns the new record and the effects (publish the session state, send an event to the
head unit, refuse with an error code). The service layer does the I/O: SQLite, MQTT.

The seed's rule holds here: a car has at most one bound user. Another account scanning a
bound car is refused with ``bound_to_other_user``, and the person at the car is told; that
account is then offered force unbinding for a while (an :class:`Offer`).

Ownership changes (unbind with a code, force unbinding with Agree / Reject / 72 hours, dealer
unbind) are events of the same machine; their transitions live in :mod:`.force_unbind`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union


@dataclass(frozen=True)
class PendingScan:
    scan_id: str
    purpose: str  # login | bind
    account_id: str
    expires: float


FORCE_UNBIND_WAIT = 72 * 3600.0  # no answer from the previous user: unbound after this
OFFER_LIFETIME = 600.0  # a refused scan offers force unbinding for this long
MAX_OFFERS = 20


@dataclass(frozen=True)
class Offer:
    """``account_id`` scanned the car while it was bound to someone else: it may ask for a
    force unbind until ``expires`` (proof that the asker is at the car)."""

    account_id: str
    expires: float


@dataclass(frozen=True)
class ForceRequest:
    """A force unbind asked for by ``requester`` against ``previous_user``.

    ``status``: ``pending`` (waiting for Agree / Reject until ``deadline``), ``rejected`` (only a
    dealer can unbind now), or closed: ``agreed``, ``timed_out``, ``dealer``, ``unbound`` (the
    previous user unbound the car themselves).
    """

    request_id: str
    requester: str
    previous_user: str
    requested: float
    deadline: float
    status: str = "pending"
    closed: float | None = None

    @property
    def open(self) -> bool:
        return self.status in ("pending", "rejected")


@dataclass(frozen=True)
class Vehicle:
    vin: str
    model: str
    car_user: str | None = None
    bound_user: str | None = None
    bound_since: float | None = None
    scan: PendingScan | None = None
    seq: int = 0
    force: ForceRequest | None = None  # the car's latest force unbind request, open or closed
    offers: tuple[Offer, ...] = ()


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class ScanAccepted:
    """A phone presented a valid, fresh, correctly signed token (checked by the service)."""

    scan_id: str
    purpose: str
    account_id: str
    now: float
    expires: float


@dataclass(frozen=True)
class ScanConfirmed:
    scan_id: str
    account_id: str
    now: float


@dataclass(frozen=True)
class ScanCancelled:
    scan_id: str
    account_id: str


@dataclass(frozen=True)
class PasswordLoggedIn:
    """Account and password typed on the head unit were right (checked by the service)."""

    account_id: str
    now: float | None = None  # when given, a refused login at a bound car offers force unbind


@dataclass(frozen=True)
class LoggedOut:
    """The user logs out of the car, on the head unit or from the phone."""

    account_id: str | None  # None: from the head unit, whoever is in the car


@dataclass(frozen=True)
class Swept:
    """Time passed: expire a waiting scan and old offers, complete a force unbind whose
    72 hours are over."""

    now: float


@dataclass(frozen=True)
class Unbind:
    """The bound user unbinds the car from the phone (the service checked the SMS code)."""

    account_id: str
    now: float


@dataclass(frozen=True)
class ForceUnbindRequested:
    """A new user asks to unbind the previous one, having confirmed that a push goes to them."""

    request_id: str
    account_id: str
    now: float
    push_confirmed: bool


@dataclass(frozen=True)
class ForceUnbindAnswered:
    """The previous user answers a force unbind request: Agree or Reject."""

    request_id: str
    account_id: str
    agree: bool
    now: float


@dataclass(frozen=True)
class DealerUnbind:
    """An MG dealer, with ownership proven in person, unbinds the car."""

    dealer: str
    case: str
    reason: str
    now: float


OWNERSHIP_EVENTS = (Unbind, ForceUnbindRequested, ForceUnbindAnswered, DealerUnbind)

Event = Union[ScanAccepted, ScanConfirmed, ScanCancelled, PasswordLoggedIn, LoggedOut, Swept,
              Unbind, ForceUnbindRequested, ForceUnbindAnswered, DealerUnbind]


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class PublishSession:
    """Publish the car's retained session state (built from the new record)."""


@dataclass(frozen=True)
class TellCar:
    """Send an event to the head unit: ``kind`` is scanned | scan_closed | notice."""

    kind: str
    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Refuse:
    code: str
    details: tuple[tuple[str, str], ...] = ()  # e.g. the VIN and what the phone may offer


@dataclass(frozen=True)
class Done:
    """What the caller asked for happened; ``result`` says what (e.g. logged_in, bound)."""

    result: str


@dataclass(frozen=True)
class NotifyPhone:
    """Put a notification in an account's list on the phone (a push message). ``actions``:
    the answers the phone offers (``agree``, ``reject``) for ``request_id``."""

    account_id: str
    code: str
    params: tuple[tuple[str, str], ...] = ()
    request_id: str | None = None
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Audit:
    """Record an ownership change in the audit log: what, who (``actor``), why."""

    action: str
    actor: str
    reason: str
    params: tuple[tuple[str, str], ...] = ()


Effect = Union[PublishSession, TellCar, Refuse, Done, NotifyPhone, Audit]


@dataclass(frozen=True)
class Transition:
    vehicle: Vehicle
    effects: tuple[Effect, ...]

    @property
    def refused(self) -> str | None:
        return next((e.code for e in self.effects if isinstance(e, Refuse)), None)

    @property
    def refusal(self) -> Refuse | None:
        return next((e for e in self.effects if isinstance(e, Refuse)), None)


def _refuse(v: Vehicle, code: str, *extra: Effect,
            details: tuple[tuple[str, str], ...] = ()) -> Transition:
    return Transition(v, (Refuse(code, details), *extra))


def notice(code: str, **params: str) -> TellCar:
    return TellCar("notice", (("code", code), ("params", tuple(sorted(params.items())))))


def _closed(scan: PendingScan, outcome: str) -> TellCar:
    return TellCar("scan_closed", (("scan_id", scan.scan_id), ("outcome", outcome)))


def _changed(v: Vehicle, **changes: object) -> Vehicle:
    return replace(v, seq=v.seq + 1, **changes)


# ---------------------------------------------------------------- the machine


def step(v: Vehicle, event: Event) -> Transition:
    if isinstance(event, ScanAccepted):
        return _scan(v, event)
    if isinstance(event, ScanConfirmed):
        return _confirm(v, event)
    if isinstance(event, ScanCancelled):
        s = v.scan
        if s is None or s.scan_id != event.scan_id or s.account_id != event.account_id:
            return _refuse(v, "scan_not_found")
        return Transition(replace(v, scan=None), (_closed(s, "cancelled"), Done("cancelled")))
    if isinstance(event, PasswordLoggedIn):
        return _password_login(v, event.account_id, event.now)
    if isinstance(event, LoggedOut):
        if v.car_user is None or (event.account_id and event.account_id != v.car_user):
            return _refuse(v, "not_car_user") if event.account_id else Transition(v, (Done("none"),))
        closing = (_closed(v.scan, "cancelled"),) if v.scan else ()
        return Transition(_changed(v, car_user=None, scan=None),
                          (PublishSession(), *closing, Done("logged_out")))
    if isinstance(event, (Swept, *OWNERSHIP_EVENTS)):
        from . import force_unbind  # the ownership changes; it imports this module

        if isinstance(event, Swept):
            return force_unbind.swept(v, event.now)
        return force_unbind.step(v, event)
    from . import kiosk_reset  # a kiosk car's reset for the next visitor (issue 7)

    if isinstance(event, kiosk_reset.KioskReset):
        return kiosk_reset.step(v, event)
    raise TypeError(f"unknown event {event!r}")


def _ownership_refusal(v: Vehicle, account_id: str, purpose: str) -> str | None:
    if v.bound_user is not None and v.bound_user != account_id:
        return "bound_to_other_user"
    if purpose == "login":
        return "wrong_purpose" if v.car_user is not None else None
    # bind
    if v.car_user is None:
        return "wrong_purpose"
    if v.car_user != account_id:
        return "not_car_user"
    if v.bound_user == account_id:
        return "already_bound"
    return None


def offer_force_unbind(v: Vehicle, account_id: str, now: float) -> Transition:
    """Refuse ``account_id`` at a car bound to someone else; the person at the car sees why,
    and the account may ask for a force unbind for :data:`OFFER_LIFETIME` seconds."""
    kept = tuple(o for o in v.offers if o.account_id != account_id and o.expires > now)
    offers = (*kept[-(MAX_OFFERS - 1):], Offer(account_id, now + OFFER_LIFETIME))
    f = v.force
    status = f.status if f is not None and f.open else "available"
    details = (("vin", v.vin), ("force_unbind", status))
    return _refuse(replace(v, offers=offers), "bound_to_other_user",
                   notice("bound_to_other_user"), details=details)


def _scan(v: Vehicle, e: ScanAccepted) -> Transition:
    code = _ownership_refusal(v, e.account_id, e.purpose)
    if code == "bound_to_other_user":
        return offer_force_unbind(v, e.account_id, e.now)
    if code:
        return _refuse(v, code)
    superseded = (_closed(v.scan, "cancelled"),) if v.scan else ()
    scan = PendingScan(e.scan_id, e.purpose, e.account_id, e.expires)
    told = TellCar("scanned", (("scan_id", e.scan_id), ("purpose", e.purpose),
                               ("expires", e.expires)))
    return Transition(replace(v, scan=scan), (*superseded, told, Done("scanned")))


def _confirm(v: Vehicle, e: ScanConfirmed) -> Transition:
    s = v.scan
    if s is None or s.scan_id != e.scan_id or s.account_id != e.account_id:
        return _refuse(v, "scan_not_found")
    if e.now >= s.expires:
        return _refuse(replace(v, scan=None), "scan_expired", _closed(s, "expired"))
    code = _ownership_refusal(v, e.account_id, s.purpose)  # the car may have moved on
    if code:
        return _refuse(replace(v, scan=None), code, _closed(s, "cancelled"))
    if s.purpose == "login":
        new = _changed(v, car_user=e.account_id, scan=None)
        result = "bound" if v.bound_user == e.account_id else "logged_in"
    else:
        new = _changed(v, bound_user=e.account_id, bound_since=e.now, scan=None)
        result = "bound"
    return Transition(new, (PublishSession(), _closed(s, "confirmed"), Done(result)))


def _password_login(v: Vehicle, account_id: str, now: float | None) -> Transition:
    code = _ownership_refusal(v, account_id, "login")
    if code == "wrong_purpose" and v.car_user == account_id:
        return Transition(v, (Done("logged_in"),))  # already in: answer again, change nothing
    if code == "bound_to_other_user" and now is not None:
        return offer_force_unbind(v, account_id, now)
    if code:
        return _refuse(v, code)
    closing = (_closed(v.scan, "cancelled"),) if v.scan else ()
    new = _changed(v, car_user=account_id, scan=None)
    return Transition(new, (PublishSession(), *closing,
                            Done("bound" if v.bound_user == account_id else "logged_in")))
