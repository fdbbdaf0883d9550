"""A walk through every screen of the head unit and every state of its User menu, driven by
touches (the remote control's taps) and by a phone (``ismart-phone``) scanning the QR codes
decoded from the window's own pixels.

``walk(...)`` calls ``at(name)`` on each screen; the layout test checks the widget tree there,
``make screenshots`` takes pictures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.ui import HeadUnitWindow, decode_qr

Phone = Callable[..., dict[str, Any]]  # phone(who, *args) -> ismart-phone --json result

# the car's service screens after Climate, by the tile that opens them (issue 5); Map & POI
# with a destination is the screen of the main menu's Navigation ("home-navigation"), and
# the main menu's Vehicle the Vehicle status screen: each layout is walked once
CAR_STOPS = (("service-ev", "ev"), ("service-digital-key", "digital_key"),
             ("service-find-my-car", "find_my_car"),
             ("service-vehicle-status", "vehicle_status"),
             ("service-notifications", "notifications"))

# the names walk() visits, in order
STOPS = ("home", "user-login-qr", "user-password", "user-scanned", "user-bind-qr",
         "user-bind-scanned", "user-bound", "service-map-poi-none", "service-climate",
         *(name for name, _ in CAR_STOPS[:2]), "service-digital-key-refused",
         *(name for name, _ in CAR_STOPS[2:]),
         "settings", "home-navigation",
         "user-logged-out", "user-refused", "user-force-unbind", "user-offline")


def qr_on_screen(hu: HeadUnitWindow, tmp: Path, purpose: str) -> str:
    """The QR content read from a screenshot, checked to be the code the car shows now."""
    state = hu.wait_state(what=f"a {purpose} QR", panel=f"{purpose}_qr", online=True)
    shot = hu.rc.screenshot(str(tmp / f"qr-{purpose}.png"))
    codes = decode_qr(Path(shot["path"]))
    assert len(codes) == 1, f"expected one QR code on the {purpose} screen, found {codes}"
    assert codes[0]["text"] == shot["qr"], "the screen shows another code than the car's"
    assert codes[0]["text"].startswith(state["public_url"] + "/s/"), codes
    return codes[0]["text"]


def scan_waiting(phone: Phone, who: str, content: str) -> str:
    r = phone(who, "scan", "--no-confirm", content)
    assert r["rc"] == 0, r
    return r["result"]["scan_id"]


def walk(hu: HeadUnitWindow, phone: Phone, at: Callable[[str], None], tmp: Path, *,
         user: str = "ann", stranger: str = "bob",
         stop_broker: Callable[[], None] | None = None,
         car_scene: Callable[[], None] | None = None) -> None:
    """Visit every stop in :data:`STOPS` (``user`` and ``stranger`` are registered and logged
    in on their phones; the car starts with no user). ``car_scene`` runs once the car is
    bound, before the service screens: it must leave a door open (the walk then shows the
    refusal to lock, "service-digital-key-refused"), see tests/support/car_ui.telling_scene."""
    rc = hu.rc
    hu.wait_state(what="the login code", state="no_user", online=True)
    at("home")

    rc.tap(id="home.user")
    hu.wait_state(screen="user", panel="login_qr")
    at("user-login-qr")

    rc.tap(id="qr.password_login")
    hu.wait_state(panel="password")
    rc.tap(id="password.identifier")
    rc.type(f"{user}@example.com")
    at("user-password")
    rc.tap(id="password.cancel")

    scan_id = scan_waiting(phone, user, qr_on_screen(hu, tmp, "login"))
    hu.wait_state(state="login_scanned", panel="scanned")
    at("user-scanned")
    assert phone(user, "confirm", scan_id)["rc"] == 0
    hu.wait_state(state="logged_in", panel="bind_qr", online=True)
    at("user-bind-qr")

    scan_id = scan_waiting(phone, user, qr_on_screen(hu, tmp, "bind"))
    hu.wait_state(state="bind_scanned", panel="scanned")
    at("user-bind-scanned")
    assert phone(user, "confirm", scan_id)["rc"] == 0
    hu.wait_state(state="bound", panel="profile")
    at("user-bound")
    rc.tap(id="service.map_poi")  # before the phone sends a destination
    hu.wait_state(screen="service/map_poi")
    at("service-map-poi-none")
    rc.tap(id="nav.back")
    hu.wait_state(screen="user")
    if car_scene is not None:
        car_scene()

    for name, key in (("service-climate", "climate"), *CAR_STOPS):
        rc.tap(id=f"service.{key}")
        hu.wait_state(screen=f"service/{key}")
        hu.settle()
        at(name)
        if name == "service-digital-key" and car_scene is not None:
            # the scene left a door open: locking is refused, and the screen says why
            rc.tap(id="key.lock")
            rc.wait_for(lambda s: (s["vehicle"]["last_command"] or {}).get("status") == "error",
                        20, "the refusal to lock")
            hu.settle()
            at("service-digital-key-refused")
        rc.tap(id="nav.back")
        hu.wait_state(screen="user")
    rc.tap(id="nav.back")
    hu.wait_state(screen="home")

    rc.tap(id="home.settings")
    hu.wait_state(screen="settings")
    at("settings")
    rc.tap(id="nav.back")
    rc.tap(id="home.navigation")
    hu.wait_state(screen="home/navigation")
    at("home-navigation")
    rc.tap(id="nav.back")

    rc.tap(id="home.user")
    rc.tap(id="user.logout")
    hu.wait_state(state="no_user", notice="logged_out", panel="login_qr")
    at("user-logged-out")

    r = phone(stranger, "scan", qr_on_screen(hu, tmp, "login"))
    assert r["rc"] != 0 and r["error"]["code"] == "bound_to_other_user", r
    hu.wait_state(notice="bound_to_other_user", panel="login_qr")
    at("user-refused")

    # the stranger asks for force unbinding: the car says so until the previous owner answers
    r = phone(stranger, "force-unbind", rc.state()["vin"], "--yes")
    assert r["rc"] == 0, r
    rc.wait_for(lambda s: (s.get("force_unbind") or {}).get("status") == "pending", 20,
                "the force unbind shown on the car")
    at("user-force-unbind")

    if stop_broker is not None:
        stop_broker()
        hu.wait_state(online=False, panel="login_qr")
        at("user-offline")
