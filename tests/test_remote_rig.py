"""The remote control for test rigs, through its Python client, against a real window
(Xvfb, real OpenGL), mosquitto, cloud, car simulator and phone:

- the client lists the widgets, taps User, reads the QR code from the screen's pixels through
  the interface and completes a bind with a phone;
- it reads and sets the car's properties (the head unit shows the change), drops and
  restores the broker connection (the banner says so), drops a message (the next one heals);
- without the token every method, old and new, is refused and nothing happens;
- the attract screen fits at every supported size in English and Danish.
"""

from __future__ import annotations

import pytest

from headunit.remote.client import RemoteClient, RemoteError
from headunit.remote.server import INVALID_PARAMS, UNAUTHORIZED
from headunit.ui.remote_rig import VEHICLE_ERROR
from tests.support.layout import problems
from tests.support.ui import HeadUnitWindow

VIN = "LSJA24U66PS000001"
SIZES = [(800, 480), (1024, 600), (1280, 720), (1920, 720), (720, 1280)]

# every method with harmless parameters: refused before anything happens without the token
ALL_METHODS = {
    "widgets": {}, "tap": {"id": "home.user"}, "type": {"text": "x"}, "state": {},
    "screenshot": {"path": "/tmp/never.png"}, "frames": {}, "set_language": {"lang": "da"},
    "set_theme": {"theme": "day"}, "set_size": {"width": 640, "height": 480},
    "go": {"screen": "settings"}, "tap_at": {"x": 10, "y": 10}, "read_qr": {},
    "vehicle_get": {"path": "doors.driver"},
    "vehicle_set": {"path": "doors.driver", "value": "open"}, "vehicle_status": {},
    "vehicle_props": {}, "drop_broker": {}, "restore_broker": {},
    "message_fault": {"direction": "in", "action": "drop"}, "clear_message_faults": {},
    "faults": {},
}


def car_door(state: dict, door: str = "driver") -> bool | None:
    status = (state.get("vehicle") or {}).get("status")
    return status["doors"][door] if status else None


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(300)
def test_the_client_lists_widgets_taps_user_reads_the_qr_and_completes_a_bind(
        xvfb, mosquitto, system_on):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    sys_.start_vehicle(VIN, "--status-period", "300")
    sys_.new_user("ann", "Ann Hansen")
    hu = HeadUnitWindow(xvfb.display, mosquitto.url, sys_.root, vin=VIN,
                        extra=("--qr-period", "5"))
    sys_.procs.append(hu.proc)
    rc = hu.rc
    hu.wait_state(state="no_user", online=True, screen="home")

    # refused without the token: every method, and nothing happens
    for token in (None, "not-the-token"):
        stranger = RemoteClient(hu.url, token)
        for method, params in ALL_METHODS.items():
            with pytest.raises(RemoteError) as err:
                stranger.call(method, **params)
            assert err.value.code == UNAUTHORIZED, method
    s = rc.state()
    assert (s["screen"], s["lang"], s["window"], s["online"]) == ("home", "en", [800, 480], True)
    assert rc.faults() == {"broker_dropped": False, "connected": True, "messages": None}

    # the widgets: User is a touch target in the bottom right
    snap = rc.widgets()
    user = next(w for w in snap["widgets"] if w["id"] == "home.user")
    assert user["touch"] and user["rect"][0] > snap["window"][0] / 2 and user["rect"][1] < 100
    assert "User" in [w.get("text") for w in snap["widgets"]]

    # tap User, read each code from the pixels, scan it with the phone
    assert rc.tap(text="User")["screen"] == "user"
    for purpose, result in (("login", "logged_in"), ("bind", "bound")):
        hu.wait_state(panel=f"{purpose}_qr", online=True)
        seen = rc.read_qr()
        assert seen["codes"] == 1 and seen["text"] == seen["shown"], seen
        r = sys_.phone("ann", "scan", seen["text"])
        assert r["rc"] == 0 and r["result"]["result"] == result, r
    hu.wait_state(state="bound", panel="profile")
    assert rc.read_qr()["text"] is None  # the bound profile shows no code

    # the car's properties: read, set, and the head unit shows the change
    assert rc.vehicle_get("doors.driver") is False
    assert rc.vehicle_set("doors.driver", "open")["value"] is True
    rc.wait_for(lambda s: car_door(s) is True, 20, "the open door on the head unit")
    assert "doors.driver" in rc.vehicle_props()["writable"]
    assert rc.vehicle_status()["doors"]["driver"] is True
    with pytest.raises(RemoteError) as err:
        rc.vehicle_get("doors")
    assert err.value.code == INVALID_PARAMS and "path" in err.value.message

    # drop one status message on its way in: the head unit misses it; the next heals it
    topic = f"ismart/v1/vehicles/{VIN}/status"  # the status the cloud relays
    rc.message_fault("in", "drop", topic=topic, count=1)
    rc.vehicle_set("doors.driver", "closed")
    rc.wait_for(lambda s: rc.faults()["messages"]["dropped"]["in"] == 1, 20, "a dropped message")
    assert car_door(rc.state()) is True  # the closed door never reached the head unit
    rc.vehicle_set("doors.passenger", "open")
    s = rc.wait_for(lambda s: car_door(s, "passenger") is True, 20, "the next status")
    assert car_door(s) is False
    with pytest.raises(RemoteError) as err:
        rc.message_fault("sideways", "drop")
    assert err.value.code == INVALID_PARAMS and "direction" in err.value.message
    assert rc.clear_message_faults() == {"cleared": 1}

    # drop the broker connection: offline, the banner, the car out of reach; then back
    assert rc.drop_broker()["broker_dropped"] is True
    hu.wait_state(online=False, what="offline after the drop")
    hu.settle()
    assert rc.find("banner.offline") is not None
    with pytest.raises(RemoteError) as err:
        rc.vehicle_get("doors.driver")
    assert err.value.code == VEHICLE_ERROR and "no connection" in err.value.message
    rc.restore_broker()
    hu.wait_state(online=True, state="bound", what="online again")
    assert rc.vehicle_get("doors.passenger") is True

    # the attract screen fits everywhere (the kiosk test covers the PIN pad and admin menu)
    rc.go("attract")
    faults = []
    for width, height in SIZES:
        rc.set_size(width, height)
        for lang in ("en", "da"):
            rc.set_language(lang)
            faults += [f"{width}x{height} {lang}: {p}" for p in problems(rc.widgets(measure=True))]
    assert not faults, "layout faults:\n" + "\n".join(faults)
