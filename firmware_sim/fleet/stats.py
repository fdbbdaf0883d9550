"""A fleet's numbers: latency histograms that merge across processes, and the counters of one
car of the fleet (published, received, lost) with their latency bookkeeping.

Latency is measured in one process: the car's simulator publishes status ``seq`` at time t0
(``time.perf_counter``); the head unit of the same car receives it, relayed by the cloud, at
t1. A status published while the head unit follows the car and never received is *lost*.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

BASE = 1.02  # bucket width: 2 %, so a percentile is known to within 2 %
FLOOR_MS = 0.01


class Histogram:
    """Latencies (ms) in logarithmic buckets; mergeable and small to send as JSON."""

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.max = 0.0

    def add(self, ms: float) -> None:
        i = 0 if ms <= FLOOR_MS else int(math.log(ms / FLOOR_MS, BASE)) + 1
        self.buckets[i] = self.buckets.get(i, 0) + 1
        self.count += 1
        if ms > self.max:
            self.max = ms

    def merge(self, other: Histogram) -> Histogram:
        for i, n in other.buckets.items():
            self.buckets[i] = self.buckets.get(i, 0) + n
        self.count += other.count
        self.max = max(self.max, other.max)
        return self

    def percentile(self, p: float) -> float | None:
        """The upper edge of the bucket holding the p-th percentile (ms), None when empty."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * p / 100))
        seen = 0
        for i in sorted(self.buckets):
            seen += self.buckets[i]
            if seen >= rank:
                return min(FLOOR_MS * BASE ** i, self.max)
        return self.max

    def to_json(self) -> dict[str, Any]:
        return {"buckets": {str(i): n for i, n in self.buckets.items()}, "max": self.max}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Histogram:
        h = cls()
        h.buckets = {int(i): int(n) for i, n in data["buckets"].items()}
        h.count = sum(h.buckets.values())
        h.max = float(data["max"])
        return h


@dataclass
class Counters:
    """What a part of the fleet (one process) has done so far; all on the loop's thread except
    where the lock is taken (the histograms, read by the reporter)."""

    cars: int = 0
    connected: int = 0  # cars whose head unit and car are both connected
    bound: int = 0
    bind_failed: int = 0
    published: int = 0  # statuses published while their head unit followed the car
    received: int = 0  # ... and received by it
    in_window: bool = False
    window_published: int = 0
    window_received: int = 0
    interval: Histogram = field(default_factory=Histogram)  # since the last report
    window: Histogram = field(default_factory=Histogram)  # the measurement window
    lock: threading.Lock = field(default_factory=threading.Lock)

    def latency(self, ms: float, in_window: bool) -> None:
        with self.lock:
            self.interval.add(ms)
            if in_window:
                self.window.add(ms)

    def take_interval(self) -> Histogram:
        with self.lock:
            h, self.interval = self.interval, Histogram()
        return h


class Pending:
    """The statuses one car has published and its head unit has not received yet:
    ``seq -> (t0, in_window)``."""

    __slots__ = ("sent", "following")

    def __init__(self) -> None:
        self.sent: dict[int, tuple[float, bool]] = {}
        self.following = False  # the head unit has received a status of this car: subscribed
