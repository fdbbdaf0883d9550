"""Regenerates docs/screenshots/: every screen and User-menu state, English and Danish, at
800x480 and 1280x720, night theme (and a few in the day theme).

Runs the real system: an embedded MQTT 5 broker, the cloud simulator, a phone simulator, and
the head unit in a window under Xvfb (real OpenGL through Mesa), driven through its remote
control. Usage: ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py --help``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from firmware_sim.broker import EmbeddedBroker  # noqa: E402
from tests.conftest import System  # noqa: E402
from tests.support.car_ui import car_admin, telling_scene  # noqa: E402
from tests.support.ui import HeadUnitWindow, Xvfb  # noqa: E402
from tests.support.walkthrough import STOPS, walk  # noqa: E402

SIZES = ("800x480", "1280x720")
LANGS = ("en", "da")
DAY_TOO = ("home", "user-login-qr", "user-bound", "service-vehicle-status", "service-ev")
VIN = "LSJA24U66PS000001"
# file numbers: the screens before the car's keep theirs; the car's screens follow (issue 5)
FIRST = ("home", "user-login-qr", "user-password", "user-scanned", "user-bind-qr",
         "user-bind-scanned", "user-bound", "service-climate", "settings", "home-navigation",
         "user-logged-out", "user-refused", "user-force-unbind", "user-offline")
NUMBERS = {name: n for n, name in enumerate(
    [*FIRST, *(stop for stop in STOPS if stop not in FIRST)], start=1)}
CHARGE_HOURS = 3  # of simulated charging before the car's screens, for the SOC plot


def car_scene(system: System, hu: HeadUnitWindow) -> None:
    """The car with something on every screen, and a few hours of charging behind it: the
    cloud's clock jumps 15 minutes at a time, and the head unit plots each status."""
    telling_scene(system.broker_url, VIN, system.phone, "ann")
    assert system.phone("ann", "charge", "target", "100")["rc"] == 0
    for _ in range(CHARGE_HOURS * 4):
        r = system.admin("POST", "/time/advance", json={"seconds": 900})
        r.raise_for_status()
        when = r.json()["now"] - 1
        hu.rc.wait_for(lambda s, t=when: (s["vehicle"]["status"] or {}).get("time", 0) >= t,
                       20, "the car's status after the clock jumped")
    car_admin(system.broker_url, VIN, "set", "tyres.frontLeftPressure", "1.8")
    assert system.phone("ann", "find-my-car", "lights_only")["rc"] == 0  # it stopped meanwhile


def shoot(size: str, out: Path, tmp: Path, display: str) -> list[Path]:
    broker = EmbeddedBroker().start()
    system = System(broker.url, tmp / size)
    taken: list[Path] = []
    try:
        system.start_cloud()
        system.new_user("ann", "Ann Hansen")
        system.new_user("bob", "Bob Jensen")
        hu = HeadUnitWindow(display, broker.url, tmp / size, size=size, vin=VIN)
        system.procs.append(hu.proc)
        system.start_vehicle(VIN, "--soc", "35", "--location", "55.6761,12.5683")

        def at(name: str) -> None:
            number = NUMBERS[name]
            for lang in LANGS:
                hu.rc.set_language(lang)
                themes = ("night", "day") if name in DAY_TOO else ("night",)
                for theme in themes:
                    hu.rc.set_theme(theme)
                    suffix = "" if theme == "night" else "-day"
                    path = out / size / lang / f"{number:02d}-{name}{suffix}.png"
                    taken.append(Path(hu.rc.screenshot(str(path))["path"]))
                hu.rc.set_theme("night")
            hu.rc.set_language("en")

        walk(hu, system.phone, at, tmp / size, stop_broker=broker.stop,
             car_scene=lambda: car_scene(system, hu))
    finally:
        system.stop()
        broker.stop()
    return taken


def shoot_kiosk(size: str, out: Path, tmp: Path) -> list[Path]:
    """The kiosk's attract screen, fullscreen on a display of exactly ``size``."""
    number = max(NUMBERS.values()) + 1
    display = Xvfb(f"{size}x24")
    broker = EmbeddedBroker().start()
    system = System(broker.url, tmp / f"kiosk-{size}")
    taken: list[Path] = []
    try:
        system.start_cloud("--kiosk-vin", VIN)
        hu = HeadUnitWindow(display.display, broker.url, tmp / f"kiosk-{size}", name="kiosk",
                            vin=VIN, extra=("--kiosk", "--idle-timeout", "10m", "--admin-pin", "2468"))
        system.procs.append(hu.proc)
        hu.wait_state(30, "the attract screen with its code", screen="attract", online=True)
        hu.rc.wait_for(lambda s: s["qr"] is not None, 20, "the login code")
        for lang in LANGS:
            hu.rc.set_language(lang)
            path = out / size / lang / f"{number:02d}-kiosk-attract.png"
            taken.append(Path(hu.rc.screenshot(str(path))["path"]))
    finally:
        system.stop()
        broker.stop()
        display.stop()
    return taken


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots",
                    help="where to write them (default: docs/screenshots)")
    ap.add_argument("--sizes", default=",".join(SIZES),
                    help="comma-separated WxH sizes (default: %(default)s)")
    args = ap.parse_args()
    out = args.out
    xvfb = Xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="ismart-shots-") as tmp:
            for size in args.sizes.split(","):
                for old in (out / size).glob("*/*.png"):
                    old.unlink()
                taken = shoot(size, out, Path(tmp), xvfb.display)
                taken += shoot_kiosk(size, out, Path(tmp))
                print(f"{size}: {len(taken)} screenshots in {out / size}")
    finally:
        xvfb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
