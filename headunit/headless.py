"""Runs a head unit without a window: the interface of HIL rigs and tests.

stdout: one JSON object per line, one per change of what the screen would show (state,
user, binding, the current QR content and its expiry, connectivity, notices, and
``storage_error`` when the data directory cannot be written)::

    {"event": "state", "n": 3, "state": "no_user", "qr": {"content": "http://.../s/AZ...",
     "purpose": "login", "issued": 1800000000, "expires": 1800000030, ...}, ...}

stdin: one JSON command per line, the touches a person would make::

    {"cmd": "open_password_login"}
    {"cmd": "password_login", "identifier": "ann@example.com", "password": "..."}
    {"cmd": "cancel"}      {"cmd": "logout"}      {"cmd": "state"}      {"cmd": "quit"}
    {"cmd": "car", "command": {"name": "climate", "state": "on", "temperature": 21}}

A ``car`` command is a driver's command to the car (any command of docs/protocol.md, e.g.
climate, defrost, charge_target, find_my_car); its outcome shows in ``vehicle.commands``
of the state lines, and the car's status in ``vehicle.status``.
    {"cmd": "contact"}     (answered {"event": "contact", "email": ..., "mailto": ...})

A bad command line is answered with ``{"event": "error", "error": "..."}`` and ignored.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from typing import Any, TextIO

from pydantic import ValidationError

from .controller import HeadUnit, View
from .protocol.support import SUPPORT_EMAIL, mailto

log = logging.getLogger(__name__)


class JsonLines:
    def __init__(self, out: TextIO) -> None:
        self.out, self.n, self._lock = out, 0, threading.Lock()

    def emit(self, event: str, **fields: Any) -> None:
        with self._lock:
            self.n += 1
            self.out.write(json.dumps({"event": event, "n": self.n, **fields}) + "\n")
            self.out.flush()

    def view(self, v: View) -> None:
        self.emit("state", **v.to_json())


def handle_command(hu: HeadUnit, line: str, out: JsonLines, stop: threading.Event) -> None:
    try:
        cmd = json.loads(line)
        if not isinstance(cmd, dict) or not isinstance(cmd.get("cmd"), str):
            raise ValueError('a command is an object like {"cmd": "logout"}')
        name = cmd["cmd"]
        if name == "open_password_login":
            hu.open_password_login()
        elif name == "password_login":
            identifier, password = cmd.get("identifier"), cmd.get("password")
            if not isinstance(identifier, str) or not isinstance(password, str):
                raise ValueError("password_login needs string fields identifier and password")
            hu.open_password_login()
            hu.submit_password(identifier, password)
        elif name == "cancel":
            hu.cancel_password_login()
        elif name == "logout":
            hu.logout()
        elif name == "car":
            from .protocol import vehicle as pv
            try:
                command = pv.COMMAND.validate_python(cmd.get("command"))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "command"
                raise ValueError(f"car command {where}: {first['msg']}") from None
            rid = cmd.get("request_id")
            if rid is not None and (not isinstance(rid, str) or not rid.replace("-", "")
                                    .replace("_", "").isalnum() or len(rid) > 64):
                raise ValueError("request_id must be 1-64 letters, digits, - or _")
            hu.car_command(command, rid)
        elif name == "state":
            out.view(hu.view())
        elif name == "quit":
            stop.set()
        elif name == "contact":
            out.emit("contact", email=SUPPORT_EMAIL, mailto=mailto("iSmart"))
        else:
            raise ValueError(f"unknown command {name!r}; known: open_password_login, "
                             "password_login, cancel, logout, car, state, contact, quit")
    except ValueError as exc:
        out.emit("error", error=str(exc))


def run(hu: HeadUnit, *, tick: float = 0.2, stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout) -> int:
    out = JsonLines(stdout)
    stop = threading.Event()
    hu.on_change(out.view)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def read_commands() -> None:
        for line in stdin:
            if line.strip():
                handle_command(hu, line, out, stop)
        # stdin closed: keep running (a rig may not use stdin at all)

    threading.Thread(target=read_commands, name="stdin", daemon=True).start()
    out.emit("started", vin=hu.identity.vin, model=hu.identity.model,
             public_key=hu.identity.public_key_b64)
    out.view(hu.view())
    hu.link.conn.start()
    while not stop.wait(tick):
        try:
            hu.tick()
        except Exception:  # a bug must not take the car's screen down: say it, go on
            log.exception("tick failed; carrying on")
    hu.link.conn.stop()
    out.emit("stopped")
    return 0
