"""Runs a fleet through its phases and adds up what its workers report.

Phases: *starting* (cars connect, each is bound to its account) → *warm-up* → *measuring*
(the window the figures come from) → *draining* (publishing stops; what is on its way may
still arrive, then whatever has not arrived is lost) → the summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .stats import Histogram
from .worker import FleetConfig, Worker, config_json

INTS = ("cars", "connected", "bound", "bind_failed", "published", "received", "outstanding")


@dataclass(frozen=True)
class Plan:
    duration: float | None = None  # seconds of measuring; None: until interrupted
    warmup: float = 5.0
    drain: float = 10.0
    ready_timeout: float | None = None  # default: 60 s + 20 ms a car


class Share(Protocol):
    def start(self) -> None: ...
    def snapshot(self) -> dict[str, Any]: ...
    def begin_window(self) -> None: ...
    def end_window(self) -> None: ...
    def summary(self) -> dict[str, Any]: ...
    def stop(self) -> None: ...


class LocalShare:
    """A worker in this process."""

    def __init__(self, config: FleetConfig, first: int, count: int) -> None:
        self.worker = Worker(config, first, count)

    def start(self) -> None:
        self.worker.start()

    def snapshot(self) -> dict[str, Any]:
        return self.worker.snapshot()

    def begin_window(self) -> None:
        self.worker.begin_window()

    def end_window(self) -> None:
        self.worker.end_window()

    def summary(self) -> dict[str, Any]:
        return self.worker.summary()

    def stop(self) -> None:
        self.worker.stop()


class ProcessShare:
    """A worker in a child process, steered over its stdin."""

    def __init__(self, config: FleetConfig, first: int, count: int) -> None:
        self.args = [sys.executable, "-m", "firmware_sim.fleet.worker", "--config",
                     config_json(config), "--first", str(first), "--count", str(count)]
        self.count = count
        self._snaps: list[dict[str, Any]] = []
        self._last: dict[str, Any] = {k: 0 for k in INTS} | {"cars": count,
                                                            "binding_finished": False}
        self._summary: dict[str, Any] | None = None
        self._cond = threading.Condition()
        self.p: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.p = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1, env=os.environ.copy())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.p is not None and self.p.stdout is not None
        for line in self.p.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            with self._cond:
                if "snapshot" in msg:
                    self._snaps.append(msg["snapshot"])
                elif "summary" in msg:
                    self._summary = msg["summary"]
                self._cond.notify_all()

    def _send(self, cmd: str) -> None:
        assert self.p is not None and self.p.stdin is not None
        try:
            self.p.stdin.write(cmd + "\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def snapshot(self) -> dict[str, Any]:
        with self._cond:
            snaps, self._snaps = self._snaps, []
        if not snaps:
            return {**self._last, "latency": Histogram().to_json()}
        latency = Histogram()
        for s in snaps:
            latency.merge(Histogram.from_json(s["latency"]))
        self._last = {k: v for k, v in snaps[-1].items() if k != "latency"}
        return {**self._last, "latency": latency.to_json()}

    def begin_window(self) -> None:
        self._send("window")

    def end_window(self) -> None:
        self._send("end")

    def summary(self) -> dict[str, Any]:
        with self._cond:
            self._summary = None
        self._send("summary")
        with self._cond:
            self._cond.wait_for(lambda: self._summary is not None, 30)
            if self._summary is None:
                raise RuntimeError(f"a fleet worker (pid {self.p.pid if self.p else '?'}) "
                                   "did not answer; see its messages above")
            return self._summary

    def stop(self) -> None:
        if self.p is None:
            return
        self._send("stop")
        try:
            self.p.wait(60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)


def shares(config: FleetConfig, processes: int) -> list[Share]:
    n, p = config.vehicles, max(1, min(processes, config.vehicles))
    bounds = [n * k // p for k in range(p + 1)]
    if p == 1:
        return [LocalShare(config, 0, n)]
    return [ProcessShare(config, bounds[k], bounds[k + 1] - bounds[k]) for k in range(p)]


def combine(snaps: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {k: sum(s.get(k, 0) for s in snaps) for k in INTS}
    out["binding_finished"] = all(s.get("binding_finished") for s in snaps)
    h = Histogram()
    for s in snaps:
        h.merge(Histogram.from_json(s["latency"]))
    out["latency"] = h
    return out


def run(config: FleetConfig, processes: int, plan: Plan,
        report: Callable[[dict[str, Any]], None], stop: threading.Event | None = None
        ) -> dict[str, Any]:
    """Run the fleet; ``report`` gets a progress dict every second; returns the summary.
    Setting ``stop`` ends the measuring early (Ctrl-C)."""
    stop = stop or threading.Event()
    parts = shares(config, processes)
    t_start = time.monotonic()
    ready_timeout = plan.ready_timeout or 60.0 + 0.02 * config.vehicles
    for part in parts:
        part.start()
    phase, phase_at, last_received, last_t = "starting", time.monotonic(), 0, time.monotonic()
    window_s = 0.0
    while True:
        stopped = stop.wait(1.0)
        now = time.monotonic()
        snap = combine([p.snapshot() for p in parts])
        rate = (snap["received"] - last_received) / max(now - last_t, 1e-6)
        last_received, last_t = snap["received"], now
        h: Histogram = snap.pop("latency")
        report({"event": "progress", "phase": phase, "elapsed": round(now - t_start, 1),
                **{k: snap[k] for k in INTS}, "status_per_s": round(rate, 1),
                "p50_ms": h.percentile(50), "p99_ms": h.percentile(99)})
        if phase == "starting":
            settled = snap["binding_finished"] and snap["connected"] >= snap["cars"]
            if settled or now - phase_at >= ready_timeout or stopped:
                if config.bind_only:
                    break
                phase, phase_at = "warm-up", now
        if phase == "warm-up" and (now - phase_at >= plan.warmup or stopped):
            for part in parts:
                part.begin_window()
            phase, phase_at = "measuring", now
        elif phase == "measuring" and (stopped or (plan.duration is not None
                                                   and now - phase_at >= plan.duration)):
            for part in parts:
                part.end_window()
            window_s = now - phase_at
            phase, phase_at = "draining", now
        elif phase == "draining" and (snap["outstanding"] == 0 or now - phase_at >= plan.drain):
            break
    sums = [p.summary() for p in parts]
    for part in parts:
        part.stop()
    return summarise(config, processes, sums, window_s, time.monotonic() - t_start)


def summarise(config: FleetConfig, processes: int, sums: list[dict[str, Any]],
              window_s: float, elapsed: float) -> dict[str, Any]:
    keys = ("cars", "connected", "bound", "bind_failed", "published", "received",
            "window_published", "window_received", "lost")
    total = {k: sum(s[k] for s in sums) for k in keys}
    h = Histogram()
    for s in sums:
        h.merge(Histogram.from_json(s["window_latency"]))
    errors = [e for s in sums for e in s["errors"]][:10]
    ok = total["bound"] == config.vehicles and total["lost"] == 0 \
        and (config.bind_only or total["window_received"] > 0)
    return {
        "event": "summary", "vehicles": config.vehicles, "rate": config.rate,
        "processes": processes, **total, "window_s": round(window_s, 2),
        "status_per_s": round(total["window_received"] / window_s, 1) if window_s else 0.0,
        "latency_ms": {"n": h.count, "p50": h.percentile(50), "p90": h.percentile(90),
                       "p99": h.percentile(99), "max": h.max if h.count else None},
        "elapsed_s": round(elapsed, 1), "ok": ok, "errors": errors,
    }
