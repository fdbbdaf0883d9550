"""A real mosquitto started with the files ``ismart-cloud pki init`` generates.

The PKI is made by running the real command. The test copy of each configuration adds only
what a test run needs: a log file, and ``user root`` (mosquitto started as root otherwise drops
to the ``mosquitto`` user, which cannot enter pytest's private temporary directories).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from firmware_sim.netutil import free_port
from tests.support.brokers import mosquitto_binary, wait_port
from tests.support.procs import program

CLOUD = "ismart-cloud"


def headunit(vin: str) -> str:
    return f"headunit-{vin}"


def car(vin: str) -> str:
    return f"vehicle-{vin}"


def pki_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([program("ismart-cloud"), "pki", *args], capture_output=True,
                          text=True, timeout=60)


class SecureBroker:
    """mosquitto on the generated files: ``certificates`` (mTLS) or ``passwords`` listener."""

    def __init__(self, workdir: Path, vins: list[str]) -> None:
        self.workdir = workdir
        self.pki = workdir / "pki"
        self.port, self.password_port = free_port(), free_port()
        args = ["init", "--dir", str(self.pki), "--bind", "127.0.0.1", "--port", str(self.port),
                "--password-port", str(self.password_port)]
        for vin in vins:
            args += ["--vin", vin]
        r = pki_cli(*args)
        if r.returncode != 0:
            raise RuntimeError(f"pki init failed: {r.stderr}")
        self.procs: dict[str, subprocess.Popen] = {}

    # ---------------------------------------------------------------- files

    @property
    def ca(self) -> str:
        return str(self.pki / "ca.pem")

    def cert(self, identity: str) -> str:
        return str(self.pki / "clients" / f"{identity}.pem")

    def key(self, identity: str) -> str:
        return str(self.pki / "clients" / f"{identity}.key")

    def password(self, identity: str) -> str:
        return (self.pki / "clients" / f"{identity}.password").read_text().strip()

    def tls_flags(self, identity: str) -> list[str]:
        return ["--ca", self.ca, "--cert", self.cert(identity), "--key", self.key(identity)]

    @property
    def url(self) -> str:
        return f"mqtts://127.0.0.1:{self.port}"

    def password_url(self, identity: str) -> str:
        return f"mqtts://{identity}:{self.password(identity)}@127.0.0.1:{self.password_port}"

    def log(self, which: str = "certificates") -> str:
        try:
            return (self.workdir / f"mosquitto-{which}.log").read_text()
        except OSError:
            return ""

    # ---------------------------------------------------------------- processes

    CONFS = {"certificates": "mosquitto.conf", "passwords": "mosquitto-password.conf",
             "aclfile": "mosquitto-aclfile.conf"}

    def start(self, which: str = "certificates") -> SecureBroker:
        """Start mosquitto with one of the generated configurations (see :attr:`CONFS`)."""
        name = self.CONFS[which]
        conf = self.workdir / f"test-{name}"
        conf.write_text((self.pki / name).read_text() + "user root\n"
                        f"log_dest file {self.workdir / f'mosquitto-{which}.log'}\n"
                        "log_type all\n")
        self.procs[which] = subprocess.Popen([mosquitto_binary(), "-c", str(conf)],
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port("127.0.0.1", self.password_port if which == "passwords" else self.port)
        return self

    def reload(self, which: str = "certificates") -> None:
        os.kill(self.procs[which].pid, signal.SIGHUP)

    def restart(self, which: str = "certificates") -> None:
        self.stop(which)
        self.start(which)

    def stop(self, which: str | None = None) -> None:
        for name in [which] if which else list(self.procs):
            p = self.procs.pop(name, None)
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(10)
