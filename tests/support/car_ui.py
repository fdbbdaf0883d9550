"""Helpers for the car's screens under test: bind a window's car to a phone, put the car in
a telling state (charging, a door open, a low tyre, a destination ...), and read what a
screen says through the remote control."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.ui import HeadUnitWindow
from tests.support.vehicle import vehicle_cli

Phone = Callable[..., dict[str, Any]]


def bind_window(hu: HeadUnitWindow, phone: Phone, who: str) -> None:
    """Two scans of the window's codes (read from its state) by ``who``'s phone; one when
    the car is still bound to ``who`` (after a log-out the binding stays)."""
    login = hu.wait_state(what="a login QR", state="no_user", online=True)
    while login.get("qr") is None:
        login = hu.rc.state()
    r = phone(who, "scan", login["qr"]["content"])
    assert r["rc"] == 0, r
    after = hu.rc.wait_for(lambda s: s["state"] == "bound" or (
        s["state"] == "logged_in" and s.get("qr") is not None
        and s["qr"]["purpose"] == "bind"), 20, "a bind QR")
    if after["state"] == "logged_in":
        r = phone(who, "scan", after["qr"]["content"])
        assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    hu.wait_state(state="bound")


def car_admin(broker: str, vin: str, *args: str) -> dict:
    r = vehicle_cli(broker, vin, *args)
    assert r["rc"] == 0, r
    return r["result"]


def telling_scene(broker: str, vin: str, phone: Phone, who: str) -> None:
    """A car with something to show on every screen: charging at a charge point, the
    driver's door and the sunroof open, the front left tyre low, the lights on, climate
    on with seat heating and rear defrost, a destination from the phone, find my car
    flashing (for 60 simulated seconds)."""
    for path, value in (("drivetrain.chargerConnected", "true"), ("doors.driver", "open"),
                        ("windows.sunRoof", "open"), ("tyres.frontLeftPressure", "1.8"),
                        ("lights.dippedBeam", "on"), ("climate.exteriorTemperature", "6.5")):
        car_admin(broker, vin, "set", path, value)
    for command in (("charge", "start"), ("climate", "on", "--temp", "21.5"),
                    ("seat-heat", "frontLeft", "2"), ("defrost", "rear", "on"),
                    ("send-destination", "--poi", "chg-koege-nord"),
                    ("find-my-car", "lights_only")):
        r = phone(who, *command)
        assert r["rc"] == 0, (command, r)


def texts_by_id(hu: HeadUnitWindow) -> dict[str, str]:
    """rc_id -> text of every visible widget with both."""
    return {w["id"]: w.get("text", "") for w in hu.rc.widgets()["widgets"]
            if w["id"] and isinstance(w.get("text"), str)}


def wait_text(hu: HeadUnitWindow, rc_id: str, pred: Callable[[str], bool],
              timeout: float = 20.0, what: str = "") -> str:
    """Poll the widget ``rc_id`` on screen until its text satisfies ``pred``."""
    import time

    deadline = time.monotonic() + timeout
    last: str | None = None
    while time.monotonic() < deadline:
        last = texts_by_id(hu).get(rc_id)
        if last is not None and pred(last):
            return last
        time.sleep(0.15)
    raise AssertionError(f"{rc_id} never showed {what or 'the expected text'} within "
                         f"{timeout} s; last: {last!r}")
