"""Kiosk mode as a pure state machine: attract screen, idle timeout, admin gesture and PIN.

``step(kiosk, event) -> Transition(kiosk, effects)``: no I/O, no clock reads, no Kivy. The
window's kiosk shell (:mod:`headunit.ui.kiosk`) feeds it touches, session activity and a
tick, and carries out the effects (show a screen, ask the cloud for a reset, persist, exit).

Modes::

    ATTRACT ──a touch, or a phone scans──▶ ACTIVE ──idle for idle_timeout──▶ ATTRACT
       │                                    │              (+ reset for the next visitor)
       └──── N taps in the corner ──────────┴──▶ PIN ──right PIN──▶ ADMIN
                                                  │ wrong: try again; too many: locked a while
                                                  └──cancel / idle──▶ back (or ATTRACT)

- A visitor's touch or a phone's scan (the session moving on from "no user") counts as
  activity; the session changing because of a reset does not.
- With ``reset_on_idle``, going idle while someone is logged in or the car is bound asks the
  cloud for a kiosk reset (logged out, unbound). Until the cloud says yes (or refuses for
  good: ``not_kiosk_car``) it is asked again every ``retry_every`` seconds; the pending reset
  is persisted, so a crash or power cut cannot leave a visitor's binding behind.
- The admin menu is never restored after a restart: a restart comes back to the attract
  screen or the visitor's screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Union


class Mode(StrEnum):
    ATTRACT = "attract"
    ACTIVE = "active"
    PIN = "pin"        # the PIN pad is open
    ADMIN = "admin"    # the right PIN was entered: the admin menu


ADMIN_ACTIONS = ("close", "reset", "exit")


@dataclass(frozen=True)
class KioskSettings:
    idle_timeout: float = 300.0
    reset_on_idle: bool = False
    gesture_taps: int = 5
    gesture_window: float = 4.0   # the corner taps must all come within this many seconds
    pin_tries: int = 5            # wrong PINs in a row before the pad locks
    lockout: float = 60.0
    retry_every: float = 10.0     # a reset the cloud did not confirm is asked again

    def __post_init__(self) -> None:
        if self.idle_timeout <= 0:
            raise ValueError("the idle timeout must be more than 0 seconds")


@dataclass(frozen=True)
class Kiosk:
    settings: KioskSettings
    mode: Mode = Mode.ATTRACT
    last_touch: float = 0.0
    back_to: Mode = Mode.ACTIVE      # where cancelling the PIN pad / admin menu returns
    corner_taps: tuple[float, ...] = ()
    failures: int = 0
    locked_until: float = 0.0
    pin_error: str | None = None     # wrong_pin | locked
    reset_pending: bool = False
    reset_waiting: bool = False      # a reset request is out, unanswered
    reset_due: float = 0.0           # when to ask (again)
    reset_error: str | None = None

    @property
    def attract(self) -> bool:
        return (self.back_to if self.mode in (Mode.PIN, Mode.ADMIN) else self.mode) \
            is Mode.ATTRACT


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Touched:
    now: float
    corner: bool = False  # in the admin corner (counts towards the gesture only)


@dataclass(frozen=True)
class Activity:
    """The session moved on because of a visitor (a phone scanned or confirmed)."""

    now: float


@dataclass(frozen=True)
class Tick:
    now: float
    in_use: bool  # someone is logged in, the car is bound, or a scan waits


@dataclass(frozen=True)
class PinEntered:
    now: float
    ok: bool


@dataclass(frozen=True)
class PinCancelled:
    now: float


@dataclass(frozen=True)
class AdminChose:
    now: float
    action: str  # close | reset | exit
    in_use: bool = True


@dataclass(frozen=True)
class ResetAnswered:
    now: float
    ok: bool
    error: str | None = None


Event = Union[Touched, Activity, Tick, PinEntered, PinCancelled, AdminChose, ResetAnswered]


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class ShowAttract:
    """Show the attract screen (Tap to start / scan to try iSmart)."""


@dataclass(frozen=True)
class ShowStart:
    """Leave the attract screen for the User menu."""


@dataclass(frozen=True)
class RequestReset:
    """Ask the cloud to reset the car for the next visitor (an MQTT ``kiosk_reset``)."""


@dataclass(frozen=True)
class Persist:
    """Write the attract flag and the pending reset atomically (they survive kill -9)."""

    attract: bool
    reset_pending: bool


@dataclass(frozen=True)
class Exit:
    """The admin left kiosk mode: close the app."""


Effect = Union[ShowAttract, ShowStart, RequestReset, Persist, Exit]


@dataclass(frozen=True)
class Transition:
    kiosk: Kiosk
    effects: tuple[Effect, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- the machine


def restore(settings: KioskSettings, now: float, *, attract: bool = True,
            reset_pending: bool = False) -> Kiosk:
    """The kiosk after a (re)start, from what it persisted (a first start: attract)."""
    return Kiosk(settings, mode=Mode.ATTRACT if attract else Mode.ACTIVE, last_touch=now,
                 reset_pending=reset_pending, reset_due=now)


def _persist(k: Kiosk) -> Persist:
    return Persist(k.attract, k.reset_pending)


def _to_attract(k: Kiosk, now: float, reset: bool) -> Transition:
    """Back to the attract screen; with ``reset``, the car is reset for the next visitor."""
    k = replace(k, mode=Mode.ATTRACT, back_to=Mode.ACTIVE, corner_taps=(), pin_error=None)
    effects: list[Effect] = [ShowAttract()]
    if reset:  # asked now even if an older request is still out: a reset is idempotent
        k = replace(k, reset_pending=True, reset_waiting=True, reset_due=now, reset_error=None)
        effects.append(RequestReset())
    effects.append(_persist(k))
    return Transition(k, tuple(effects))


def step(k: Kiosk, event: Event) -> Transition:
    if isinstance(event, Touched):
        return _touched(k, event)
    if isinstance(event, Activity):
        k = replace(k, last_touch=max(k.last_touch, event.now))
        if k.mode is Mode.ATTRACT:
            k = replace(k, mode=Mode.ACTIVE)
            return Transition(k, (ShowStart(), _persist(k)))
        if k.mode in (Mode.PIN, Mode.ADMIN) and k.back_to is Mode.ATTRACT:
            k = replace(k, back_to=Mode.ACTIVE)
            return Transition(k, (_persist(k),))
        return Transition(k)
    if isinstance(event, Tick):
        return _tick(k, event)
    if isinstance(event, PinEntered):
        return _pin(k, event)
    if isinstance(event, PinCancelled):
        if k.mode is not Mode.PIN:
            return Transition(k)
        return Transition(replace(k, mode=k.back_to, pin_error=None, last_touch=event.now))
    if isinstance(event, AdminChose):
        return _admin(k, event)
    if isinstance(event, ResetAnswered):
        return _answered(k, event)
    raise TypeError(f"unknown kiosk event {event!r}")


def _touched(k: Kiosk, e: Touched) -> Transition:
    k = replace(k, last_touch=max(k.last_touch, e.now))
    if e.corner:
        if k.mode in (Mode.PIN, Mode.ADMIN):
            return Transition(k)
        taps = tuple(t for t in k.corner_taps if e.now - t < k.settings.gesture_window)
        taps += (e.now,)
        if len(taps) < k.settings.gesture_taps:
            return Transition(replace(k, corner_taps=taps))
        locked = e.now < k.locked_until
        return Transition(replace(k, mode=Mode.PIN, back_to=k.mode, corner_taps=(),
                                  pin_error="locked" if locked else None))
    if k.mode is Mode.ATTRACT:
        k = replace(k, mode=Mode.ACTIVE, corner_taps=())
        return Transition(k, (ShowStart(), _persist(k)))
    return Transition(k)


def _tick(k: Kiosk, e: Tick) -> Transition:
    s = k.settings
    if k.mode is not Mode.ATTRACT and e.now - k.last_touch >= s.idle_timeout:
        return _to_attract(k, e.now, reset=s.reset_on_idle and e.in_use)
    if k.reset_pending and not k.reset_waiting and e.now >= k.reset_due:
        return Transition(replace(k, reset_waiting=True), (RequestReset(),))
    if k.pin_error == "locked" and e.now >= k.locked_until:
        return Transition(replace(k, pin_error=None))
    return Transition(k)


def _pin(k: Kiosk, e: PinEntered) -> Transition:
    if k.mode is not Mode.PIN:
        return Transition(k)
    k = replace(k, last_touch=max(k.last_touch, e.now))
    if e.now < k.locked_until:
        return Transition(replace(k, pin_error="locked"))
    if e.ok:
        return Transition(replace(k, mode=Mode.ADMIN, failures=0, pin_error=None))
    failures = k.failures + 1
    if failures >= k.settings.pin_tries:
        return Transition(replace(k, failures=0, locked_until=e.now + k.settings.lockout,
                                  pin_error="locked"))
    return Transition(replace(k, failures=failures, pin_error="wrong_pin"))


def _admin(k: Kiosk, e: AdminChose) -> Transition:
    if k.mode is not Mode.ADMIN:
        return Transition(k)
    if e.action == "close":
        return Transition(replace(k, mode=k.back_to, last_touch=e.now))
    if e.action == "reset":
        return _to_attract(replace(k, last_touch=e.now), e.now, reset=e.in_use)
    if e.action == "exit":
        return Transition(k, (Exit(),))
    raise ValueError(f"unknown admin action {e.action!r}; known: {', '.join(ADMIN_ACTIONS)}")


def _answered(k: Kiosk, e: ResetAnswered) -> Transition:
    k = replace(k, reset_waiting=False)
    if e.ok:
        k = replace(k, reset_pending=False, reset_error=None)
        return Transition(k, (_persist(k),))
    if e.error == "not_kiosk_car":  # asking again cannot help: the cloud must mark the car
        k = replace(k, reset_pending=False, reset_error=e.error)
        return Transition(k, (_persist(k),))
    return Transition(replace(k, reset_due=e.now + k.settings.retry_every,
                              reset_error=e.error or "internal"))
