"""One car of the fleet: the real head-unit core (controller, session machine, link) and the
real vehicle simulator, both driven by the fleet's shared network loop.

The car's status is published at the fleet's pace (:meth:`FleetCar.publish`); the head unit's
view listener sees every status the cloud relays to it, which closes the latency measurement
(:mod:`.stats`). Binding threads wait for the head unit's screen with :meth:`FleetCar.wait`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from firmware_sim.vehicle.sim import SimSettings, VehicleSim
from headunit.controller import HeadUnit, View
from headunit.mqtt_loop import NetworkLoop
from headunit.runtime import HeadUnitSettings, build
from headunit.vehicle_models import ModelSpec

from .stats import Counters, Pending

NEVER = 10 * 365 * 86400.0  # the simulator publishes only when the fleet says so


def vin_of(index: int) -> str:
    """The VIN of car ``index`` of a fleet: 17 characters, valid and distinct."""
    return f"FLEET{index:012d}"


def identifier_of(vin: str) -> str:
    return f"{vin.lower()}@fleet.example.com"


def name_of(index: int) -> str:
    return f"Fleet driver {index}"


class FleetCar:
    def __init__(self, index: int, broker: str, data_dir: Path, model: ModelSpec,
                 loop: NetworkLoop, counters: Counters) -> None:
        self.index, self.vin = index, vin_of(index)
        self.loop = loop
        self.counters = counters
        self.data_dir = data_dir / self.vin  # the head unit's, and the car's fleet account
        self.hu: HeadUnit = build(HeadUnitSettings(
            broker=broker, data_dir=self.data_dir, vin=self.vin, model=model.name),
            loop=loop)
        self.sim = VehicleSim(SimSettings(
            vin=self.vin, model=model, broker=broker, data_dir=None, status_period=NEVER,
            min_interval=NEVER, admin=False), loop=loop)
        self.pending = Pending()
        self.connected = False
        self.bound = False
        self.account_id: str | None = None  # the car's own account, once the binder knows it
        self.view: View | None = None
        self._waiter: tuple[Callable[[View], bool], threading.Event, list[View]] | None = None
        self.hu.on_change(self._on_view)
        self.hu.link.conn.on_connectivity(lambda up: self._connectivity())
        self.sim.conn.on_connectivity(lambda up: self._connectivity())

    # -------------------------------------------------------------- life (loop thread)

    def start(self) -> None:
        self.hu.link.conn.start()
        self.sim.start()

    def stop(self) -> None:
        self.hu.link.conn.stop()
        self.sim.conn.stop()

    def publish(self) -> None:
        """Publish the car's status now (the fleet's pace), once the car is bound: a fleet
        ramps up as its cars are bound, and binding is not slowed by the cars already up."""
        if not self.bound:
            return
        seq = self.sim.publish_now()
        if seq is not None and self.pending.following:
            c = self.counters
            self.pending.sent[seq] = (time.perf_counter(), c.in_window)
            c.published += 1
            if c.in_window:
                c.window_published += 1

    def tick(self) -> None:
        self.hu.tick()

    def lost(self) -> int:
        """Statuses published while the head unit followed the car and not received."""
        return len(self.pending.sent)

    # -------------------------------------------------------------- head unit (loop thread)

    def _connectivity(self) -> None:
        up = self.hu.link.conn.connected and self.sim.conn.connected
        if up != self.connected:
            self.connected = up
            self.counters.connected += 1 if up else -1

    def _on_view(self, view: View) -> None:
        self.view = view
        st = view.vehicle.status if view.vehicle else None
        if st is not None and st.epoch == self.sim.epoch:
            self._received(st.seq)
        bound = view.state == "bound" and view.binding is not None \
            and view.binding.account_id == self.account_id
        if bound != self.bound:
            self.bound = bound
            self.counters.bound += 1 if bound else -1
        waiter = self._waiter
        if waiter is not None and not waiter[1].is_set() and waiter[0](view):
            waiter[2].append(view)
            waiter[1].set()

    def _received(self, seq: int) -> None:
        p, c = self.pending, self.counters
        p.following = True
        sent = p.sent.pop(seq, None)
        if sent is None:
            return
        t0, in_window = sent
        c.received += 1
        if in_window:
            c.window_received += 1
        c.latency((time.perf_counter() - t0) * 1000.0, in_window)
        # a status the head unit skipped over (delivered out of order or not at all) stays
        # in ``sent`` and counts as lost

    # -------------------------------------------------------------- binding threads

    def adopt_account(self, account_id: str) -> None:
        """The car's own account (the binder logged in to it): from now on "bound" means
        bound to it. The screen is looked at again at once (it may say so already)."""
        self.account_id = account_id
        self.loop.call_soon(lambda: self._on_view(self.hu.view()))

    def wait(self, pred: Callable[[View], bool], timeout: float,
             cancel: threading.Event | None = None) -> View:
        """The head unit's first view (now or later) satisfying ``pred``; TimeoutError after
        ``timeout`` seconds, or at once when ``cancel`` is set (the fleet is stopping)."""
        event, found = threading.Event(), []
        self._waiter = (pred, event, found)
        deadline = time.monotonic() + timeout
        try:
            current = self.hu.view()
            if pred(current):
                return current
            while not event.wait(min(0.5, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline or (cancel is not None and cancel.is_set()):
                    raise TimeoutError(f"{self.vin}: the head unit stayed at "
                                       f"{self.view.state if self.view else 'its start'}")
            return found[0]
        finally:
            self._waiter = None
