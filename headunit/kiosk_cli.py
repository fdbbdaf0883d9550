"""The kiosk's command-line options, shared by ``ismart-headunit`` and ``ismart-demo``."""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .kiosk import KioskSettings
from .kiosk_store import PinStore, check_pin

_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(s|m|h)?\s*$")
_UNIT = {"s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def touch_input(args: argparse.Namespace, kiosk: KioskOptions | None) -> str | None:
    """The --touch choice for the window (None: leave Kivy's [input] configuration alone)."""
    if args.touch == "config":
        return None
    return args.touch or ("sdl" if kiosk is not None else None)


@dataclass(frozen=True)
class KioskOptions:
    settings: KioskSettings
    pin_hash: str
    data_dir: Path


def duration(text: str) -> float:
    """``300``, ``90s``, ``5m``, ``1.5h`` -> seconds."""
    m = _DURATION.match(text)
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration > 0: seconds (300), or with a unit: 90s, 5m, 1h")
    return float(m.group(1)) * _UNIT[m.group(2)]


def add_arguments(ap: argparse.ArgumentParser) -> None:
    d = ap.add_argument_group("the display (see docs/raspberry-pi.md)")
    d.add_argument("--rotation", type=int, choices=(0, 90, 180, 270), default=0,
                   help="turn the picture and the touches by this many degrees, for a display "
                        "mounted the other way (e.g. the Touch Display 2 in landscape: 90 or "
                        "270)")
    d.add_argument("--touch", choices=("sdl", "hidinput", "mtdev", "config"),
                   help="where touches come from: sdl (SDL's touches as mouse events; the "
                        "default with --kiosk), Kivy reading /dev/input itself (hidinput, "
                        "mtdev: multitouch, needs the input group), or config: the [input] "
                        "section of $KIVY_HOME/config.ini (the default without --kiosk)")
    g = ap.add_argument_group("kiosk mode (a dealership demo on a touchscreen)")
    g.add_argument("--kiosk", action="store_true",
                   help="fullscreen, no cursor, no way out but the admin gesture (5 quick taps "
                        "on the clock, top right) and the admin PIN; back to the attract "
                        "screen when idle; resumes its screen after a restart")
    g.add_argument("--admin-pin", metavar="DIGITS", default=os.environ.get("ISMART_ADMIN_PIN"),
                   help="the kiosk's admin PIN, 4-12 digits (default: $ISMART_ADMIN_PIN). "
                        "Stored hashed (scrypt) in the data directory; later starts may "
                        "leave it out")
    g.add_argument("--idle-timeout", type=duration, default=300.0, metavar="DURATION",
                   help="back to the attract screen after this long without a touch: seconds "
                        "or 90s, 5m, 1h (default: 5m)")
    g.add_argument("--reset-on-idle", action="store_true",
                   help="when idle, log the visitor out and unbind the car (the cloud must "
                        "know it as a kiosk car: ismart-demo marks its own car; a separate "
                        "cloud needs ismart-cloud serve --kiosk-vin VIN)")


def options(args: argparse.Namespace, data_dir: Path) -> KioskOptions | None:
    """The kiosk's options from parsed arguments (None without --kiosk); stores a given PIN
    hashed. ValueError says what is missing or wrong."""
    if not args.kiosk:
        if args.reset_on_idle:
            raise ValueError("--reset-on-idle needs --kiosk")
        return None
    pins = PinStore(data_dir)
    if args.admin_pin:
        pin_hash = pins.set(check_pin(args.admin_pin))
    else:
        stored = pins.load()
        if stored is None:
            raise ValueError("kiosk mode needs an admin PIN: give --admin-pin DIGITS once (it "
                             f"is stored hashed in {pins.path}; later starts may leave it out)")
        pin_hash = stored
    return KioskOptions(KioskSettings(idle_timeout=args.idle_timeout,
                                      reset_on_idle=args.reset_on_idle), pin_hash, data_dir)
