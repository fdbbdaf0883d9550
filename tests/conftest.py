"""Shared fixtures: real brokers (mosquitto, embedded), and the system's processes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import httpx
import pytest

from firmware_sim.broker import EmbeddedBroker
from firmware_sim.netutil import free_port
from tests.support.brokers import Mosquitto
from tests.support.procs import Proc, program, run_phone

ADMIN_TOKEN = "test-admin-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def mosquitto(tmp_path_factory: pytest.TempPathFactory):
    broker = Mosquitto(tmp_path_factory.mktemp("mosquitto")).start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def embedded_broker():
    broker = EmbeddedBroker().start()
    yield broker
    broker.stop()


class System:
    """Processes of one test: a cloud, head units and phones, against one broker."""

    def __init__(self, broker_url: str, root: Path) -> None:
        self.broker_url, self.root = broker_url, root
        self.procs: list[Proc] = []
        self.cloud_url: str | None = None
        self.cloud: Proc | None = None
        self._http_port = free_port()

    def start_cloud(self, *extra: str, demo: bool = True, data: str = "cloud") -> Proc:
        args = [program("ismart-cloud"), "serve", "--broker", self.broker_url,
                "--http", f"127.0.0.1:{self._http_port}", "--data-dir", str(self.root / data),
                "--kdf-profile", "fast", "--admin-token", ADMIN_TOKEN, *extra]
        if demo:
            args.append("--demo")
        p = Proc(args, name="cloud", log_dir=self.root / "logs")
        self.procs.append(p)
        ready = p.wait_for(lambda l: l["event"] == "ready", 20, "ready line")
        self.cloud_url, self.cloud = ready["http"], p
        return p

    def start_headunit(self, *extra: str, name: str = "headunit", vin: str | None = None) -> Proc:
        args = [program("ismart-headunit"), "--headless", "--broker", self.broker_url,
                "--data-dir", str(self.root / name), *extra]
        if vin:
            args += ["--vin", vin]
        p = Proc(args, name=name, log_dir=self.root / "logs", stdin=True)
        self.procs.append(p)
        p.wait_for(lambda l: l["event"] == "started", 20, "started line")
        return p

    def start_vehicle(self, vin: str, *extra: str, model: str = "mg4",
                      name: str = "vehicle") -> Proc:
        """An ``ismart-vehicle run`` for ``vin``; returns once it is connected."""
        args = [program("ismart-vehicle"), "run", "--vin", vin, "--model", model,
                "--broker", self.broker_url, "--data-dir", str(self.root / name), *extra]
        p = Proc(args, name=name, log_dir=self.root / "logs")
        self.procs.append(p)
        p.wait_for(lambda line: line["event"] == "connected", 20, "connected line")
        return p

    def phone(self, who: str, *args: str) -> dict:
        assert self.cloud_url, "start the cloud first"
        return run_phone(self.cloud_url, self.root / f"phone-{who}", *args)

    def new_user(self, who: str, name: str | None = None, password: str = "correct horse") -> str:
        ident = f"{who}@example.com"
        r = self.phone(who, "register", ident, "--password", password, "--name", name or who.title())
        assert r["rc"] == 0, r
        r = self.phone(who, "login", ident, "--password", password)
        assert r["rc"] == 0, r
        return ident

    def admin(self, method: str, path: str, **kw) -> httpx.Response:
        """Call the cloud's admin API (``path`` after ``/api/v1/admin``) with the test token."""
        assert self.cloud_url, "start the cloud first"
        return httpx.request(method, f"{self.cloud_url}/api/v1/admin{path}",
                             headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, **kw)

    def cloud_vehicle(self, vin: str) -> dict:
        """The cloud's session state of ``vin`` (who is logged in, the binding, seq)."""
        r = self.admin("GET", f"/vehicles/{vin}")
        r.raise_for_status()
        return r.json()

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()


@pytest.fixture
def system_on(tmp_path: Path):
    """``system_on(broker_url)`` gives a :class:`System`; everything stops after the test."""
    systems: list[System] = []

    def make(broker_url: str) -> System:
        s = System(broker_url, tmp_path / f"sys{len(systems)}")
        systems.append(s)
        return s

    yield make
    for s in systems:
        s.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (CI=true) every test must run: a skipped test fails the run."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; in CI every test "
                            "must run (install what they need)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def xvfb():
    """A virtual X display with GLX (Mesa's OpenGL) for the Kivy windows of the UI tests."""
    from tests.support.ui import Xvfb

    display = Xvfb()
    yield display
    display.stop()
