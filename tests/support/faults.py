"""Fault drills for integration tests: kill -9 and restart, database checks, a small disk.

Made to be reused by later soak tests (bind/unbind cycles with the broker killed every N
cycles, the cloud killed in the middle of each multi-step flow): each helper does one fault
and waits until the system is back, asserting what a user would notice.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ADMIN_TOKEN, System
from tests.support.brokers import Mosquitto
from tests.support.headunit import state
from tests.support.procs import Proc


def admin(s: System, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(method, f"{s.cloud_url}{path}", timeout=30,
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, **kw)


def cloud_vehicle(s: System, vin: str) -> dict:
    r = admin(s, "GET", f"/api/v1/admin/vehicles/{vin}")
    r.raise_for_status()
    return r.json()


def wait_until(what: str, fn, timeout: float = 20.0, every: float = 0.2) -> Any:  # noqa: ANN001
    """Poll ``fn`` until it returns something truthy; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {timeout} s (last: {last!r})")


def integrity_check(db: Path) -> str:
    """``PRAGMA integrity_check`` of a SQLite file (recovering its WAL, as the cloud would)."""
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def kill9_cloud_and_restart(s: System, *extra: str, data: str = "cloud") -> Proc:
    """kill -9 the cloud, check its database as the crash left it, start it again."""
    assert s.cloud is not None
    s.cloud.kill9()
    assert integrity_check(s.root / data / "cloud.sqlite3") == "ok"
    return s.start_cloud(*extra, data=data)


def kill9_broker_and_restart(broker: Mosquitto, headunits: list[Proc] = ()) -> None:  # type: ignore[assignment]
    """kill -9 mosquitto, wait until each head unit noticed, start it again on the same port,
    and wait until each head unit is back online with the cloud."""
    marks = [hu.mark() for hu in headunits]
    broker.kill9()
    for hu, mark in zip(headunits, marks, strict=True):
        hu.wait_for(lambda v: v.get("event") == "state" and not v["broker_connected"], 30,
                    "the head unit noticing the broker is gone", since=mark)
    broker.start()
    for hu in headunits:
        hu.wait_for(lambda v: v.get("event") == "state" and v["online"], 60,
                    "the head unit back online", since=hu.mark() - 1)


def headunit_now(hu: Proc) -> dict:
    """The head unit's current screen (asks it with the ``state`` command)."""
    mark = hu.mark()
    hu.send({"cmd": "state"})
    return hu.wait_for(lambda v: v.get("event") == "state", 15, "a state line", since=mark)


def wait_state(hu: Proc, name: str, **match: Any) -> dict:
    return state(hu, name, since=max(0, hu.mark() - 1), timeout=30, **match)


class Tmpfs:
    """A small tmpfs mounted at ``path`` (we are root): fill it, make it read-only, free it."""

    def __init__(self, path: Path, size: str = "8m") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                        str(path)], check=True, capture_output=True)
        self.filler = path / "filler.bin"

    def fill(self) -> None:
        """Write a file until the disk is full (to the last block)."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            for size in (1 << 20, 1 << 16, 4096, 512, 1):
                chunk = b"\0" * size
                try:
                    while True:
                        os.write(fd, chunk)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def read_only(self, on: bool) -> None:
        subprocess.run(["mount", "-o", f"remount,{'ro' if on else 'rw'}", str(self.path)],
                       check=True, capture_output=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


@contextmanager
def tmpfs(path: Path, size: str = "8m"):
    disk = Tmpfs(path, size)
    try:
        yield disk
    finally:
        disk.unmount()
