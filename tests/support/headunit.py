"""Reading a headless head unit's JSON lines."""

from __future__ import annotations

from typing import Any

from .procs import Proc


def state(hu: Proc, name: str, *, timeout: float = 15.0, since: int = 0, **match: Any) -> dict:
    """Wait for a state line with ``state == name`` and every ``match`` field equal."""

    def ok(line: Any) -> bool:
        return (isinstance(line, dict) and line.get("event") == "state"
                and line["state"] == name and all(line.get(k) == v for k, v in match.items()))

    return hu.wait_for(ok, timeout, f"state {name} {match or ''}".strip(), since=since)


def qr(hu: Proc, purpose: str, *, timeout: float = 15.0, since: int = 0,
       after_serial: int = 0) -> dict:
    """Wait for a line showing an online QR code for ``purpose``; returns the line."""

    def ok(line: Any) -> bool:
        return (isinstance(line, dict) and line.get("event") == "state" and line["online"]
                and line["qr"] is not None and line["qr"]["purpose"] == purpose
                and line["qr"]["serial"] > after_serial)

    return hu.wait_for(ok, timeout, f"online {purpose} QR", since=since)
