"""The two-scan flow through the real window: the QR codes are read from the screen's pixels
(zxing-cpp, as a phone camera would) and scanned with ``ismart-phone``; a screenshot of every
User-menu state. Real mosquitto, cloud and head-unit processes; Xvfb with real OpenGL."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.support.ui import HeadUnitWindow, decode_qr

VIN = "LSJA24U66PS000001"
SIZES = ["800x480", "1280x720", "720x1280"]


def texts(hu: HeadUnitWindow) -> list[str]:
    return [w.get("text", "") for w in hu.rc.widgets()["widgets"] if w["cls"] != "Icon"]


def read_qr(hu: HeadUnitWindow, path: Path, height: int) -> dict:
    """Screenshot, decode, and check the code is the car's current one, large and crisp."""
    shot = hu.rc.screenshot(str(path))
    codes = decode_qr(Path(shot["path"]))
    assert len(codes) == 1, f"{path.name}: expected one QR code, found {codes}"
    code = codes[0]
    assert code["text"] == shot["qr"], f"{path.name}: the pixels say another code than the car"
    x0, y0, x1, y1 = code["box"]
    assert y1 - y0 >= 0.4 * height, f"{path.name}: QR is {y1 - y0} px tall on a {height} px screen"
    # crisp modules: inside the code only black and white, no blur from scaling
    region = Image.open(path).convert("L").crop((x0, y0, x1 + 1, y1 + 1))
    grey = sum(1 for v in region.tobytes() if 24 < v < 232)
    assert grey == 0, f"{path.name}: {grey} grey pixels inside the QR code (blurred modules)"
    return {"text": code["text"], "shot": shot}


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(240)
@pytest.mark.parametrize("size", SIZES)
def test_qr_codes_read_from_the_screen_log_in_and_bind(size, xvfb, mosquitto, system_on,
                                                       tmp_path):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    sys_.new_user("ann", "Ann Hansen")
    width, height = (int(v) for v in size.split("x"))
    hu = HeadUnitWindow(xvfb.display, mosquitto.url, sys_.root, size=size, vin=VIN,
                        extra=("--qr-period", "4", "--qr-lifetime", "30"))
    sys_.procs.append(hu.proc)
    shots = tmp_path / "shots"
    rc = hu.rc
    hu.wait_state(what="the login code, online", state="no_user", online=True)
    assert rc.state()["window"] == [width, height]

    # User → the User menu with the login code
    assert rc.tap(id="home.user")["screen"] == "user"
    first = hu.wait_state(panel="login_qr")["qr"]
    a = read_qr(hu, shots / "1-login-qr.png", height)

    # the code rotates: a new one on screen, and the old one still works in its window
    # two rotations past the first code: the decoded one (first or first + 1) is gone
    hu.rc.wait_for(lambda s: s["qr"] and s["qr"]["serial"] > first["serial"] + 1, 20,
                   "a rotated login code")
    b = read_qr(hu, shots / "2-login-qr-rotated.png", height)
    assert b["text"] != a["text"]

    r = sys_.phone("ann", "scan", "--no-confirm", a["text"])
    assert r["rc"] == 0, f"the code from before the rotation was refused: {r}"
    hu.wait_state(state="login_scanned", panel="scanned")
    shot = rc.screenshot(str(shots / "3-scanned.png"))
    assert decode_qr(Path(shot["path"])) == [] and shot["state"] == "login_scanned"
    assert "Scanned — confirm on your phone" in texts(hu)
    assert sys_.phone("ann", "cancel", r["result"]["scan_id"])["rc"] == 0
    hu.wait_state(state="no_user", notice="scan_cancelled", panel="login_qr")
    assert "The scan was cancelled on the phone." in texts(hu)

    r = sys_.phone("ann", "scan", b["text"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", \
        f"the rotated code was refused inside its validity window: {r}"

    # logged in: the name, the bind code, the note that the second scan binds
    hu.wait_state(state="logged_in", panel="bind_qr", online=True)
    bind = read_qr(hu, shots / "4-bind-qr.png", height)
    shown = texts(hu)
    assert "Hello, Ann Hansen" in shown
    assert any("second scan binds the car" in t for t in shown)
    r = sys_.phone("ann", "scan", bind["text"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r

    # bound: the profile, the car, the services, Log out
    hu.wait_state(state="bound", panel="profile")
    shot = rc.screenshot(str(shots / "5-bound.png"))
    assert decode_qr(Path(shot["path"])) == [] and shot["state"] == "bound"
    shown = texts(hu)
    assert "Ann Hansen" in shown and "AH" in shown
    assert f"MG4 Electric  ·  VIN {VIN}" in shown
    ids = {w["id"] for w in rc.widgets()["widgets"]}
    assert {"service.climate", "service.ev", "service.digital_key", "service.find_my_car",
            "service.map_poi", "service.vehicle_status", "service.notifications",
            "user.logout"} <= ids
