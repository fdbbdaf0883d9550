"""Real MQTT brokers for tests: mosquitto with its own config on a free port, or the
embedded one. A missing mosquitto fails loudly (make test installs it)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from firmware_sim.netutil import free_port


def mosquitto_binary() -> str:
    path = shutil.which("mosquitto") or ("/usr/sbin/mosquitto"
                                         if Path("/usr/sbin/mosquitto").exists() else None)
    if path is None:
        raise RuntimeError("mosquitto is not installed; run 'make test' (it installs it) or "
                           "apt-get install mosquitto")
    return path


def wait_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout} s")


class Mosquitto:
    """A mosquitto on 127.0.0.1, its own config, restartable on the same port."""

    def __init__(self, workdir: Path, *, port: int | None = None, extra: str = "") -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence false\n"
            # QoS 1 traffic must not be dropped for a slow subscriber
            "max_queued_messages 100000\n"
            "max_inflight_messages 100\n"
            # without it every QoS 1 round trip waits ~40 ms for a delayed ACK
            "set_tcp_nodelay true\n"
            "message_size_limit 2097152\n"
            f"log_dest file {workdir / 'mosquitto.log'}\n"
            + extra)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Mosquitto:
        self.proc = subprocess.Popen([mosquitto_binary(), "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port("127.0.0.1", self.port)
        return self

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class FleetMosquitto(Mosquitto):
    """A mosquitto configured for a fleet (``ismart-fleet --mosquitto-config``), allowed as
    many open files as the machine gives it."""

    def __init__(self, workdir: Path, *, port: int | None = None) -> None:
        from firmware_sim.fleet.broker_config import mosquitto_config

        super().__init__(workdir, port=port)
        self.conf.write_text(mosquitto_config(self.port, log_file=workdir / "mosquitto.log"))

    def start(self) -> FleetMosquitto:
        import resource

        def more_files() -> None:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, 65536), max(hard, 65536)))
            except (ValueError, OSError):  # not root: the hard limit it is
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

        self.proc = subprocess.Popen([mosquitto_binary(), "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=more_files)
        wait_port("127.0.0.1", self.port)
        return self
