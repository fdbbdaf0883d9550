"""A share of the fleet in one process: its cars on one network loop, binding threads, and the
pace at which the cars publish their status.

``ismart-fleet`` runs one :class:`Worker` in its own process, or with ``--processes P`` one
per child process (``python -m firmware_sim.fleet.worker``), which it steers with one-word
commands on stdin and which answers with JSON lines on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import resource
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from headunit.mqtt_loop import NetworkLoop, Timer
from headunit.vehicle_models import find_model

from .binding import Binder, BindError
from .car import FleetCar
from .stats import Counters

log = logging.getLogger(__name__)

SLOTS = 200  # the cars of a worker publish in this many groups spread over the period
FDS_PER_CAR = 2  # the head unit's and the car's MQTT connections


@dataclass(frozen=True)
class FleetConfig:
    vehicles: int
    broker: str
    cloud: str
    data_dir: Path
    rate: float = 1.0
    model: str = "mg4"
    bind_workers: int = 32
    tick: float = 1.0  # seconds between head-unit ticks (QR rotation, expiries)
    bind_timeout: float = 60.0
    bind_only: bool = False  # bind every car, push no status (prepare a fleet)


def raise_fd_limit(needed: int) -> None:
    """Let this process open ``needed`` files; SystemExit saying what to do if it cannot."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if needed <= soft:
        return
    try:
        new_hard = hard if hard == resource.RLIM_INFINITY or hard >= needed else needed
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, new_hard))
    except (ValueError, OSError):
        raise SystemExit(
            f"ismart-fleet: this share of the fleet needs {needed} open files (two MQTT "
            f"connections a car) but the limit is {hard}; raise it (ulimit -n) or use "
            "--processes") from None


class Worker:
    def __init__(self, config: FleetConfig, first: int, count: int) -> None:
        self.config, self.first, self.count = config, first, count
        self.counters = Counters(cars=count)
        self.loop = NetworkLoop("fleet-loop")
        self.cars: list[FleetCar] = []
        self.binder = Binder(config.cloud, config.bind_workers, config.bind_timeout)
        self.errors: list[str] = []
        self._binding_done = 0
        self._timers: list[Timer] = []
        self._lock = threading.Lock()

    # -------------------------------------------------------------- life

    def start(self) -> None:
        raise_fd_limit(FDS_PER_CAR * self.count + 256)
        # the network thread gives the GIL up at every socket call; with the default 5 ms
        # switch interval it then waits behind the binding threads' HTTP work for that long
        sys.setswitchinterval(0.0005)
        model = find_model(self.config.model)
        self.loop.start()
        for i in range(self.first, self.first + self.count):
            car = FleetCar(i, self.config.broker, self.config.data_dir, model, self.loop,
                           self.counters)
            self.cars.append(car)
            car.start()
            self.binder.submit(car).add_done_callback(self._bound)
        # thousands of long-lived objects: keep the cyclic GC from walking them again and
        # again (each full collection would stall every car for tens of milliseconds)
        gc.collect()
        gc.freeze()
        period = 1.0 / self.config.rate
        slots = max(1, min(self.count, SLOTS))
        for k in range(slots):
            group = self.cars[k::slots]
            if not self.config.bind_only:
                self._timers.append(self.loop.call_every(
                    period, lambda g=group: self._each(g, FleetCar.publish),
                    first=k * period / slots))
            self._timers.append(self.loop.call_every(
                self.config.tick, lambda g=group: self._each(g, FleetCar.tick),
                first=k * self.config.tick / slots))

    @staticmethod
    def _each(cars: list[FleetCar], fn: Callable[[FleetCar], Any]) -> None:
        for car in cars:
            try:
                fn(car)
            except Exception:
                log.exception("%s of %s failed", fn.__name__, car.vin)

    def _bound(self, future: Any) -> None:
        with self._lock:
            self._binding_done += 1
            if future.cancelled():  # the fleet is stopping
                return
            exc = future.exception()
            if exc is not None:
                self.counters.bind_failed += 1
                text = str(exc) if isinstance(exc, BindError | TimeoutError) else repr(exc)
                if len(self.errors) < 20:
                    self.errors.append(text)
                log.warning("binding failed: %s", text)

    def stop(self) -> None:
        self.binder.close()  # first: its threads wait on the cars
        done = threading.Event()

        def stop_all() -> None:
            for t in self._timers:
                t.cancel()
            for car in self.cars:
                try:
                    car.stop()
                except Exception:
                    log.exception("stopping %s failed", car.vin)
            done.set()

        self.loop.call_soon(stop_all)
        done.wait(60)
        self.loop.stop()

    # -------------------------------------------------------------- phases

    @property
    def binding_finished(self) -> bool:
        return self._binding_done >= self.count

    def begin_window(self) -> None:
        self.loop.call_soon(setattr, self.counters, "in_window", True)

    def end_window(self) -> None:
        """Stop publishing; the window closes. What is on its way may still arrive (drain)."""
        done = threading.Event()

        def end() -> None:
            self.counters.in_window = False
            for t in self._timers:
                t.cancel()
            # the head units keep ticking: restart only their timers
            self._timers.clear()
            slots = max(1, min(self.count, SLOTS))
            for k in range(slots):
                group = self.cars[k::slots]
                self._timers.append(self.loop.call_every(
                    self.config.tick, lambda g=group: self._each(g, FleetCar.tick),
                    first=k * self.config.tick / slots))
            done.set()

        self.loop.call_soon(end)
        done.wait(10)

    def outstanding(self) -> int:
        return sum(len(car.pending.sent) for car in self.cars)

    # -------------------------------------------------------------- reports

    def snapshot(self) -> dict[str, Any]:
        c = self.counters
        return {"cars": c.cars, "connected": c.connected, "bound": c.bound,
                "bind_failed": c.bind_failed, "binding_finished": self.binding_finished,
                "published": c.published, "received": c.received,
                "outstanding": self.outstanding(), "latency": c.take_interval().to_json()}

    def summary(self) -> dict[str, Any]:
        c = self.counters
        return {"cars": c.cars, "connected": c.connected, "bound": c.bound,
                "bind_failed": c.bind_failed, "published": c.published, "received": c.received,
                "window_published": c.window_published, "window_received": c.window_received,
                "lost": self.outstanding(), "window_latency": c.window.to_json(),
                "errors": list(self.errors)}


# ---------------------------------------------------------------- a child process


def main(argv: list[str] | None = None) -> int:
    """Run one share of the fleet, steered over stdin (``window``, ``end``, ``summary``,
    ``stop``); JSON lines on stdout: a snapshot every second, the summary when asked."""
    ap = argparse.ArgumentParser(prog="python -m firmware_sim.fleet.worker")
    ap.add_argument("--config", required=True, help="the FleetConfig as JSON")
    ap.add_argument("--first", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s fleet-worker %(levelname)s %(name)s: %(message)s")
    raw = json.loads(args.config)
    config = FleetConfig(**{**raw, "data_dir": Path(raw["data_dir"])})
    worker = Worker(config, args.first, args.count)
    out_lock = threading.Lock()

    def emit(obj: dict[str, Any]) -> None:
        with out_lock:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()

    stop = threading.Event()

    def report() -> None:
        while not stop.wait(1.0):
            emit({"snapshot": worker.snapshot()})

    worker.start()
    threading.Thread(target=report, daemon=True).start()
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "window":
            worker.begin_window()
        elif cmd == "end":
            worker.end_window()
        elif cmd == "summary":
            emit({"summary": worker.summary()})
        elif cmd == "stop":
            break
    stop.set()
    worker.stop()
    return 0


def config_json(config: FleetConfig) -> str:
    return json.dumps({**asdict(config), "data_dir": str(config.data_dir)})


if __name__ == "__main__":
    sys.exit(main())
