"""The UI's bridge to the core: actions and ticks run on one worker thread, in order, never
on the caller's (the Kivy) thread; views come back through ``deliver``."""

from __future__ import annotations

import threading

from headunit.ui.bridge import CoreBridge


class FakeConn:
    def __init__(self) -> None:
        self.started_on: str | None = None

    def start(self) -> None:
        self.started_on = threading.current_thread().name


class FakeHeadUnit:
    def __init__(self) -> None:
        self.link = type("Link", (), {})()
        self.link.conn = FakeConn()
        self.log: list[tuple[str, str]] = []
        self.listeners = []
        self.release = threading.Event()

    def on_change(self, cb) -> None:
        self.listeners.append(cb)

    def view(self) -> str:
        return "view-0"

    def tick(self) -> None:
        self.release.wait(5)
        self.log.append(("tick", threading.current_thread().name))

    def logout(self) -> None:
        self.log.append(("logout", threading.current_thread().name))


def test_actions_run_in_order_on_the_worker_and_the_first_view_is_delivered():
    hu = FakeHeadUnit()
    views: list[str] = []
    bridge = CoreBridge(hu, views.append)
    bridge.start()
    hu.release.set()
    bridge.tick()
    bridge.submit(hu.logout)
    bridge.stop()
    assert hu.link.conn.started_on == "headunit-core"
    assert views == ["view-0"] and hu.listeners == [views.append]
    assert hu.log == [("tick", "headunit-core"), ("logout", "headunit-core")]


def test_ticks_do_not_pile_up_behind_a_slow_core():
    hu = FakeHeadUnit()
    bridge = CoreBridge(hu, lambda v: None)
    bridge.start(connect=False)
    for _ in range(50):  # the core is stuck (e.g. writing to a slow disk)
        bridge.tick()
    hu.release.set()
    bridge.stop()
    assert len([e for e in hu.log if e[0] == "tick"]) <= 2


def test_a_failing_action_does_not_stop_the_worker():
    hu = FakeHeadUnit()
    hu.release.set()
    bridge = CoreBridge(hu, lambda v: None)
    bridge.start(connect=False)
    bridge.submit(lambda: 1 / 0)
    bridge.submit(hu.logout)
    bridge.stop()
    assert hu.log == [("logout", "headunit-core")]
