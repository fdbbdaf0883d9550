"""Keeps the head unit's core off the UI thread (no Kivy here).

Every call into the controller takes its lock, and the lock's holder may be writing the
session to disk (fsync) or publishing; a touchscreen must not wait for either. So the UI
never calls the controller itself: it hands actions (and the 4 Hz tick) to one worker
thread, in order, and receives each new :class:`~headunit.controller.View` through
``deliver`` (which the window turns into a Kivy clock callback). The connection to the
broker is started from the worker too: DNS and sockets never run on the UI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from ..controller import HeadUnit, View

log = logging.getLogger(__name__)

_STOP = object()


class CoreBridge:
    def __init__(self, hu: HeadUnit, deliver: Callable[[View], None]) -> None:
        self.hu, self._deliver = hu, deliver
        self._queue: queue.Queue[Any] = queue.Queue()
        self._tick_pending = threading.Event()
        self._thread = threading.Thread(target=self._run, name="headunit-core", daemon=True)

    def start(self, *, connect: bool = True) -> None:
        """Start the worker; it connects to the broker and delivers the first view."""
        self.hu.on_change(self._deliver)
        self._thread.start()
        if connect:
            self.submit(self.hu.link.conn.start)
        self.submit(lambda: self._deliver(self.hu.view()))

    def submit(self, action: Callable[..., Any], *args: Any) -> None:
        """Run ``action(*args)`` on the worker, after everything submitted before it."""
        self._queue.put((action, args))

    def tick(self) -> None:
        """Advance the core's time; a tick already waiting makes this one unnecessary."""
        if not self._tick_pending.is_set():
            self._tick_pending.set()
            self._queue.put((self._tick, ()))

    def _tick(self) -> None:
        self._tick_pending.clear()
        self.hu.tick()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish queued actions, then stop the worker (the connection is the caller's)."""
        self._queue.put(_STOP)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            action, args = item
            try:
                action(*args)
            except Exception:
                log.exception("a head-unit action failed: %r", action)
