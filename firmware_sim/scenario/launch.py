"""``ismart-scenario run --start``: start a whole system for the scenarios, then stop it.

A broker (mosquitto when it is installed, with its own config on a free port; else the
embedded one), the cloud in demo mode (admin and dealer tokens made up for the run, the car
marked as a kiosk car), the simulated car, and the head unit's window under ``$DISPLAY`` with
its remote control on a free local port. Every process logs to ``WORKDIR/logs``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..netutil import free_port

VIN = "LSJA24U66PS000001"


class LaunchError(RuntimeError):
    """A part of the system did not start; the text says which and where its log is."""


def program(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise LaunchError(f"{name} is not installed (pip install -e . puts it beside python)")
    return found


class Child:
    """A process whose JSON stdout lines are collected."""

    def __init__(self, name: str, args: list[str], logs: Path,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        logs.mkdir(parents=True, exist_ok=True)
        self.log = logs / f"{name}.log"
        self._err = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._err,
                                  stdin=subprocess.DEVNULL, text=True,
                                  env={**os.environ, **(env or {})})
        self.lines: list[Any] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            try:
                item: Any = json.loads(line)
            except ValueError:
                item = line.strip()
            with self._cond:
                self.lines.append(item)
                self._cond.notify_all()

    def wait_line(self, event: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            i = 0
            while True:
                for item in self.lines[i:]:
                    if isinstance(item, dict) and item.get("event") == event:
                        return item
                i = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    raise LaunchError(f"{self.name} did not say {event!r} within {timeout:g} s "
                                      f"(exit code {self.p.poll()}); see {self.log}")
                self._cond.wait(min(left, 0.2))

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)
        self._err.close()


class LaunchedSystem:
    def __init__(self, workdir: Path, *, vin: str = VIN, size: str = "800x480") -> None:
        self.workdir, self.vin, self.size = workdir, vin, size
        self.children: list[Child] = []
        self.admin_token = secrets.token_urlsafe(16)
        self.dealer_token = secrets.token_urlsafe(16)
        self.remote_token = secrets.token_urlsafe(16)
        self.broker_url = self.cloud_url = self.remote_url = ""
        self._embedded: Any = None

    def start(self) -> LaunchedSystem:
        if not os.environ.get("DISPLAY"):
            raise LaunchError("--start opens the head unit's window: run under a desktop or "
                              "xvfb-run -a -s '-screen 0 1280x800x24 +extension GLX'")
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._broker()
            self._cloud()
            self._vehicle()
            self._headunit()
        except BaseException:
            self.stop()
            raise
        return self

    def _broker(self) -> None:
        logs = self.workdir / "logs"
        mosquitto = shutil.which("mosquitto") or (
            "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
        if mosquitto is None:
            from ..broker import EmbeddedBroker
            self._embedded = EmbeddedBroker().start()
            self.broker_url = self._embedded.url
            return
        port = free_port()
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                        "max_queued_messages 100000\nset_tcp_nodelay true\n")
        self.children.append(Child("mosquitto", [mosquitto, "-c", str(conf)], logs))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise LaunchError(f"mosquitto did not listen on {port}; see "
                                      f"{logs / 'mosquitto.log'}") from None
                time.sleep(0.05)
        self.broker_url = f"mqtt://127.0.0.1:{port}"

    def _cloud(self) -> None:
        c = Child("cloud", [program("ismart-cloud"), "serve", "--broker", self.broker_url,
                            "--http", "127.0.0.1:0", "--data-dir", str(self.workdir / "cloud"),
                            "--demo", "--kdf-profile", "fast", f"--admin-token={self.admin_token}",
                            f"--dealer-token={self.dealer_token}", "--kiosk-vin", self.vin],
                  self.workdir / "logs")
        self.children.append(c)
        self.cloud_url = c.wait_line("ready", 30)["http"]

    def _vehicle(self) -> None:
        c = Child("vehicle", [program("ismart-vehicle"), "run", "--vin", self.vin,
                              "--broker", self.broker_url,
                              "--data-dir", str(self.workdir / "vehicle")],
                  self.workdir / "logs")
        self.children.append(c)
        c.wait_line("connected", 30)

    def _headunit(self) -> None:
        c = Child("headunit", [program("ismart-headunit"), "--broker", self.broker_url,
                               "--vin", self.vin, "--data-dir", str(self.workdir / "headunit"),
                               "--size", self.size, "--qr-period", "5", "--qr-lifetime", "30",
                               "--remote-control", "127.0.0.1:0",
                               f"--remote-token={self.remote_token}"],
                  self.workdir / "logs", env={"KIVY_NO_ARGS": "1", "KIVY_NO_FILELOG": "1",
                                              "KIVY_HOME": str(self.workdir / "kivy")})
        self.children.append(c)
        self.remote_url = c.wait_line("remote_control", 90)["url"]

    def stop(self) -> None:
        for c in reversed(self.children):
            c.stop()
        self.children = []
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None
