"""The one clock every part of the system asks for the time.

Anything that waits (QR rotation, code expiry, the 72-hour force-unbind rule) takes a
:class:`Clock` instead of calling :func:`time.time`, so tests and demos can move time:
a :class:`ScaledClock` runs faster than real time (``--time-scale``) and can jump
forward (``advance``); a :class:`ManualClock` stands still until a test moves it.

Simulated time is expressed like :func:`time.time`: seconds since the Unix epoch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """What a component needs to know about time."""

    def now(self) -> float:
        """Seconds since the epoch, in simulated time."""
        ...


@dataclass(frozen=True)
class ClockSpec:
    """The parameters of a scaled clock, as the cloud publishes them to the head units.

    At real time ``anchor_real`` the simulated time was ``anchor_sim``; since then simulated
    time runs ``scale`` times as fast as real time.
    """

    anchor_real: float
    anchor_sim: float
    scale: float

    def at(self, real: float) -> float:
        return self.anchor_sim + (real - self.anchor_real) * self.scale


class SystemClock:
    """Real time, unscaled."""

    def now(self) -> float:
        return time.time()


class ScaledClock:
    """Simulated time that can run faster than real time and jump forward.

    Thread-safe. Listeners registered with :meth:`on_change` hear about every jump or
    change of scale (the cloud republishes its clock to the head units then).
    """

    def __init__(
        self, scale: float = 1.0, *, start: float | None = None, real: Callable[[], float] = time.time
    ) -> None:
        if scale <= 0:
            raise ValueError(f"time scale must be positive, got {scale}")
        self._real = real
        now_real = real()
        self._spec = ClockSpec(now_real, now_real if start is None else start, float(scale))
        self._lock = threading.Lock()
        self._listeners: list[Callable[[ClockSpec], None]] = []

    def now(self) -> float:
        return self._spec.at(self._real())

    @property
    def spec(self) -> ClockSpec:
        return self._spec

    def advance(self, seconds: float) -> float:
        """Jump ``seconds`` of simulated time forward; returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward; give a positive duration")
        with self._lock:
            real = self._real()
            self._spec = ClockSpec(real, self._spec.at(real) + seconds, self._spec.scale)
            spec = self._spec
        self._notify(spec)
        return spec.anchor_sim

    def set_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError(f"time scale must be positive, got {scale}")
        with self._lock:
            real = self._real()
            self._spec = ClockSpec(real, self._spec.at(real), float(scale))
            spec = self._spec
        self._notify(spec)

    def adopt(self, spec: ClockSpec) -> None:
        """Follow another clock (the head unit follows the cloud's)."""
        with self._lock:
            self._spec = spec
        self._notify(spec)

    def on_change(self, listener: Callable[[ClockSpec], None]) -> None:
        self._listeners.append(listener)

    def _notify(self, spec: ClockSpec) -> None:
        for listener in list(self._listeners):
            listener(spec)


class ManualClock:
    """A clock that moves only when told to: for unit tests of the pure core."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        self._now += seconds
        return self._now

    def set(self, value: float) -> None:
        self._now = value


def parse_duration(text: str) -> float:
    """Parse ``90``, ``90s``, ``15m``, ``72h``, ``3d`` or ``1h30m`` into seconds.

    Raises ``ValueError`` with a message that says what a valid duration looks like.
    """
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if not text:
        raise ValueError("empty duration; write e.g. 72h, 15m or 30s")
    try:
        return float(text)
    except ValueError:
        pass
    total = 0.0
    number = ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
        else:
            raise ValueError(f"cannot read duration {text!r}; write e.g. 72h, 15m, 30s or 1h30m")
    if number:
        raise ValueError(f"duration {text!r} ends without a unit; write e.g. 72h, 15m or 30s")
    return total
