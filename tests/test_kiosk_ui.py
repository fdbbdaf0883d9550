"""Kiosk mode in a real window (Xvfb at 800x480, the official 7" display's size, real OpenGL)
with a real mosquitto, cloud and phone:

- it fills the screen with no border and no cursor, and starts on the attract screen, whose
  QR code logs a phone in;
- a visitor binds the car; left alone for the idle timeout, the kiosk returns to the attract
  screen and the cloud logs the visitor out and unbinds the car;
- kill -9 brings the restarted kiosk back to the same screen (the User menu, or attract);
- the admin gesture (5 taps on the clock) opens the PIN pad; a wrong PIN is refused, the
  right one opens the admin menu, whose Exit leaves with the admin exit code;
- the attract screen, the PIN pad and the admin menu fit, in English and Danish.
"""

from __future__ import annotations

import pytest

from headunit.ui.kiosk import ADMIN_EXIT_CODE
from tests.support.layout import problems
from tests.support.ui import HeadUnitWindow, Xvfb

VIN = "LSJA24U66PS000001"
PIN = "2468"
IDLE = "10"  # seconds: every visitor action below comes well within it


@pytest.fixture(scope="module")
def seven_inch():
    display = Xvfb("800x480x24")
    yield display
    display.stop()


def kiosk(display: Xvfb, sys_, *extra: str, idle: str = IDLE) -> HeadUnitWindow:
    hu = HeadUnitWindow(display.display, sys_.broker_url, sys_.root, name="kiosk", vin=VIN,
                        extra=("--kiosk", "--idle-timeout", idle, "--reset-on-idle",
                               "--qr-period", "5", *extra))
    sys_.procs.append(hu.proc)
    return hu


def scan_from_screen(hu: HeadUnitWindow, sys_, who: str, purpose: str) -> dict:
    seen = hu.rc.wait_for(lambda s: s["online"] and s["qr"] and s["qr"]["purpose"] == purpose,
                          20, f"a {purpose} code")
    shot = hu.rc.read_qr()
    assert shot["text"] and shot["text"] == shot["shown"], shot
    assert shot["text"].startswith(seen["public_url"] + "/s/")
    r = sys_.phone(who, "scan", shot["text"])
    assert r["rc"] == 0, r
    return r["result"]


def subtree(snapshot: dict, cls: str) -> dict:
    """The part of a widgets snapshot under the first widget of class ``cls``."""
    widgets = snapshot["widgets"]
    root = next(i for i, w in enumerate(widgets) if w["cls"] == cls)
    keep, index = [], {}
    for i, w in enumerate(widgets):
        j, inside = i, False
        while j >= 0:
            if j == root:
                inside = True
                break
            j = widgets[j]["parent"]
        if inside:
            index[i] = len(keep)
            keep.append({**w, "parent": index.get(w["parent"], -1) if i != root else -1})
    return {**snapshot, "widgets": keep}


def layout_faults(hu: HeadUnitWindow, where: str, cls: str | None = None) -> list[str]:
    faults = []
    for lang in ("en", "da"):
        hu.rc.set_language(lang)
        snap = hu.rc.widgets(measure=True)
        faults += [f"{where} {lang}: {p}" for p in problems(subtree(snap, cls) if cls else snap)]
    hu.rc.set_language("en")
    return faults


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(300)
def test_an_idle_kiosk_returns_to_attract_unbinds_the_visitor_and_survives_kill_9(
        seven_inch, mosquitto, system_on):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud("--kiosk-vin", VIN)
    sys_.new_user("ann", "Ann Hansen")
    hu = kiosk(seven_inch, sys_, "--admin-pin", PIN)
    s = hu.wait_state(screen="attract", online=True, what="the attract screen")
    assert s["window"] == [800, 480]
    assert s["kiosk"]["window"] == {"fullscreen": "auto", "borderless": True,
                                    "show_cursor": False}
    assert s["kiosk"]["mode"] == "attract" and s["kiosk"]["reset_on_idle"]
    assert hu.rc.find("attract.title")["text"] == "Try iSmart in this MG"
    assert hu.rc.find("nav.back") is None  # no way out from here

    # a visitor taps to start: the User menu with the login code
    assert hu.rc.tap(id="attract.start")["screen"] == "user"
    hu.wait_state(screen="user", panel="login_qr")
    assert hu.rc.state()["kiosk"]["mode"] == "active"

    # kill -9 and restart (the PIN is remembered, hashed): the same screen comes back
    hu.proc.kill9()
    hu = kiosk(seven_inch, sys_)
    s = hu.wait_state(screen="user", online=True, what="the User menu after kill -9")
    assert s["kiosk"]["attract"] is False

    # the visitor binds the car with two scans read from the screen
    assert scan_from_screen(hu, sys_, "ann", "login")["result"] == "logged_in"
    assert scan_from_screen(hu, sys_, "ann", "bind")["result"] == "bound"
    hu.wait_state(state="bound", panel="profile")
    assert sys_.cloud_vehicle(VIN)["binding"]["display_name"] == "Ann Hansen"

    # nobody touches it: back to attract, and the demo account is logged out and unbound
    s = hu.wait_state(screen="attract", binding=None, user=None, state="no_user",
                      timeout=60, what="the attract screen after the idle timeout")
    assert s["kiosk"]["reset_pending"] is False and s["kiosk"]["reset_error"] is None
    cloud = sys_.cloud_vehicle(VIN)
    assert cloud["binding"] is None and cloud["user"] is None
    assert sys_.phone("ann", "vehicles")["result"] == []
    notes = sys_.phone("ann", "notifications")["result"]["notifications"]
    assert notes[0]["code"] == "kiosk_reset"

    # the next visitor scans the attract screen's code directly: the demo starts
    r = scan_from_screen(hu, sys_, "ann", "login")
    assert r["result"] == "logged_in"
    hu.wait_state(screen="user", state="logged_in", what="the User menu after a scan")
    hu.wait_state(screen="attract", user=None, timeout=60, what="attract again when idle")

    # kill -9 on the attract screen: it comes back on the attract screen
    hu.proc.kill9()
    hu = kiosk(seven_inch, sys_)
    hu.wait_state(screen="attract", online=True, what="attract after kill -9")


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_the_admin_gesture_and_pin_are_the_only_way_out(seven_inch, mosquitto, system_on):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud("--kiosk-vin", VIN)
    hu = kiosk(seven_inch, sys_, "--admin-pin", PIN, idle="10m")  # no idle return midway
    hu.wait_state(screen="attract", online=True)
    faults = layout_faults(hu, "attract")
    x, y, w, h = hu.rc.state()["kiosk"]["corner"]

    def corner_taps(n: int) -> None:
        for _ in range(n):
            hu.rc.tap_at(x + w / 2, y + h / 2)

    corner_taps(4)
    assert hu.rc.state()["kiosk"]["mode"] == "attract"  # four are not enough
    corner_taps(1)
    s = hu.wait_state(what="the PIN pad")
    assert s["kiosk"]["mode"] == "pin" and s["screen"] == "attract"  # the demo did not start
    faults += layout_faults(hu, "PIN pad", "PinPad")

    for digit in "1111":
        hu.rc.tap(id=f"pin.{digit}")
    assert hu.rc.find("pin.display")["text"] == "••••"
    hu.rc.tap(id="pin.ok")
    hu.rc.wait_for(lambda s: s["kiosk"]["pin_error"] == "wrong_pin", 15, "the wrong PIN refused")
    hu.settle()
    assert hu.rc.find("pin.message")["text"] == "Wrong PIN. Try again."
    assert hu.rc.state()["kiosk"]["mode"] == "pin"

    for digit in PIN:
        hu.rc.tap(id=f"pin.{digit}")
    hu.rc.tap(id="pin.ok")
    hu.rc.wait_for(lambda s: s["kiosk"]["mode"] == "admin", 15, "the admin menu")
    hu.settle()
    assert "Idle timeout 600 s" in hu.rc.find("admin.info")["text"]
    faults += layout_faults(hu, "admin menu", "AdminMenu")
    assert not faults, "layout faults:\n" + "\n".join(faults)

    try:
        hu.rc.tap(id="admin.exit")
    except OSError:
        pass  # the window may close before the tap's answer goes out
    assert hu.proc.p.wait(20) == ADMIN_EXIT_CODE


@pytest.mark.integration
def test_kiosk_mode_needs_an_admin_pin_and_a_window(tmp_path):
    import subprocess

    from tests.support.procs import program

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([program("ismart-headunit"), "--data-dir", str(tmp_path), *args],
                              capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin"})

    r = run("--kiosk")
    assert r.returncode == 2 and "needs an admin PIN" in r.stderr
    r = run("--kiosk", "--admin-pin", "12")
    assert r.returncode == 2 and "4 to 12 digits" in r.stderr
    r = run("--kiosk", "--admin-pin", "2468", "--headless")
    assert r.returncode == 2 and "does not work with --headless" in r.stderr
    r = run("--reset-on-idle")
    assert r.returncode == 2 and "needs --kiosk" in r.stderr
    r = run("--kiosk", "--idle-timeout", "soon")
    assert r.returncode == 2 and "is not a duration" in r.stderr


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(180)
def test_a_portrait_touch_display_2_in_landscape_turns_picture_and_touches(mosquitto, system_on):
    """--rotation 90 on a 720x1280 screen (the Touch Display 2's panel): the kiosk lays out
    for 1280x720, touches land on what is drawn there, and the drawn frame reads upright."""
    portrait = Xvfb("720x1280x24")
    try:
        sys_ = system_on(mosquitto.url)
        sys_.start_cloud("--kiosk-vin", VIN)
        hu = kiosk(portrait, sys_, "--admin-pin", PIN, "--rotation", "90")
        s = hu.wait_state(screen="attract", online=True)
        assert s["window"] == [1280, 720]
        seen = hu.rc.read_qr()
        assert seen["text"] and seen["text"] == seen["shown"]
        assert hu.rc.tap(id="attract.start")["screen"] == "user"
        hu.rc.tap(id="qr.password_login")
        hu.wait_state(panel="password", what="the tap reached the button drawn there")
        faults = layout_faults(hu, "password form, rotated")
        assert not faults, "\n".join(faults)
    finally:
        portrait.stop()
