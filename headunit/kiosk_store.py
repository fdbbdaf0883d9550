"""What a kiosk keeps in its data directory: the admin PIN (hashed) and the screen state.

- ``kiosk-pin`` (mode 0600): ``scrypt$N$r$p$salt$hash`` of the admin PIN. ``--admin-pin``
  writes it; later starts need not repeat the PIN (so it need not sit in a systemd unit).
  The PIN itself is never stored.
- ``kiosk.json``: the screen the kiosk shows (or the attract flag), its language, and whether
  a reset for the next visitor is still owed; written atomically on every change, so a
  kill -9 or a power cut brings the restarted kiosk back to the same screen.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .fsutil import atomic_write

log = logging.getLogger(__name__)

PIN_RE = re.compile(r"^[0-9]{4,12}$")
SCRYPT = (2**14, 8, 1)  # ~16 MiB and a few hundredths of a second on a desktop


def check_pin(pin: str) -> str:
    if not PIN_RE.match(pin or ""):
        raise ValueError("the admin PIN must be 4 to 12 digits (it is typed on a number pad)")
    return pin


def hash_pin(pin: str) -> str:
    n, r, p = SCRYPT
    salt = os.urandom(16)
    digest = hashlib.scrypt(check_pin(pin).encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return "$".join(["scrypt", str(n), str(r), str(p), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.strip().split("$")
        if scheme != "scrypt" or not PIN_RE.match(pin):
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=64 * 2**20, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


class PinStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "kiosk-pin"

    def set(self, pin: str) -> str:
        stored = hash_pin(pin)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, stored.encode() + b"\n", mode=0o600)
        return stored

    def load(self) -> str | None:
        try:
            stored = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        return stored if stored.startswith("scrypt$") else None


@dataclass(frozen=True)
class KioskState:
    attract: bool = True
    screen: str = "home"
    lang: str | None = None
    reset_pending: bool = False


class KioskStateStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "kiosk.json"

    def load(self) -> KioskState | None:
        """The saved state, or None on a first start (or an unreadable file, kept aside)."""
        try:
            raw = json.loads(self.path.read_text())
            return KioskState(attract=bool(raw["attract"]), screen=str(raw["screen"]),
                              lang=raw.get("lang") if isinstance(raw.get("lang"), str) else None,
                              reset_pending=bool(raw.get("reset_pending", False)))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            log.error("%s is unreadable (%s); starting on the attract screen", self.path, exc)
            self.path.replace(self.path.with_suffix(".json.bad"))
            return None

    def save(self, state: KioskState) -> None:
        atomic_write(self.path, json.dumps(asdict(state), indent=1).encode())
