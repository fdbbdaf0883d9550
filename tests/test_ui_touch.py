"""Touches through the real touch path (a touch-down and -up at a widget's centre), the
on-screen keyboard, the remote control's token, and a UI that stays live while the broker
is dead. Real mosquitto, cloud and head-unit processes; Xvfb with real OpenGL."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from headunit import i18n
from headunit.mqtt import MqttConnection
from headunit.protocol import topics
from headunit.remote.client import RemoteClient, RemoteError
from headunit.remote.server import UNAUTHORIZED
from tests.support.brokers import Mosquitto
from tests.support.ui import HeadUnitWindow

VIN = "LSJA24U66PS000001"
PASSWORD = "Correct Horse 9"


def widget(hu: HeadUnitWindow, rc_id: str) -> dict:
    found = hu.rc.find(rc_id)
    assert found is not None, f"{rc_id} is not on screen"
    return found


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_touches_open_the_user_menu_and_log_in_with_the_on_screen_keyboard(
        xvfb, mosquitto, system_on):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    sys_.new_user("ann", "Ann Hansen", password=PASSWORD)
    hu = HeadUnitWindow(xvfb.display, mosquitto.url, sys_.root, vin=VIN)
    sys_.procs.append(hu.proc)
    rc = hu.rc
    hu.wait_state(state="no_user", online=True, screen="home")

    # User → the User menu
    assert rc.tap(text="User")["screen"] == "user"
    assert rc.state()["panel"] == "login_qr"

    # "Log in with account" → the form, the account field has the focus
    rc.tap(text="Log in with account")
    hu.wait_state(state="password_entry", panel="password", focus="password.identifier")
    assert widget(hu, "keyboard")["rect"][3] > 0
    assert rc.type("ann@example.com")["via"] == "keyboard"
    assert widget(hu, "password.identifier")["text"] == "ann@example.com"

    # a wrong password: the error in plain words, where the user is
    rc.tap(id="password.password")
    rc.type("Wrong Horse 1")
    rc.tap(id="password.submit")
    hu.wait_state(state="password_entry", login_error="invalid_credentials")
    hu.settle()
    assert widget(hu, "password.message")["text"] == i18n.error_text("invalid_credentials", "en")
    assert widget(hu, "password.password")["text"] == "•" * len("Wrong Horse 1")

    # correct it on the keyboard (backspace, shift, space, digits) and submit with Enter
    rc.type("\b" * len("Wrong Horse 1") + PASSWORD + "\n")
    s = hu.wait_state(state="logged_in", panel="bind_qr")
    assert s["user"]["display_name"] == "Ann Hansen" and s["login_error"] is None
    hu.settle()
    assert widget(hu, "qr.hello")["text"] == "Hello, Ann Hansen"

    # the same screen in Danish, switched at runtime in Settings by touch
    rc.tap(id="nav.back")
    rc.tap(id="home.settings")
    rc.tap(id="settings.lang.da")
    rc.tap(id="nav.back")
    assert widget(hu, "home.user")  # the entry is still there, now called Bruger
    assert rc.tap(text="Bruger")["screen"] == "user"
    hu.settle()
    assert widget(hu, "qr.hello")["text"] == "Hej, Ann Hansen"
    assert widget(hu, "status.title")["text"] == "Bruger"


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(120)
def test_the_remote_control_refuses_every_call_without_the_token(xvfb, mosquitto, tmp_path):
    hu = HeadUnitWindow(xvfb.display, mosquitto.url, tmp_path, vin=VIN)
    try:
        for token in (None, "not-the-token", hu.token[:-1]):
            stranger = RemoteClient(hu.url, token)
            for method, params in (("tap", {"id": "home.user"}), ("state", {}),
                                   ("screenshot", {"path": str(tmp_path / "x.png")})):
                with pytest.raises(RemoteError) as err:
                    stranger.call(method, **params)
                assert err.value.code == UNAUTHORIZED
        assert hu.rc.state()["screen"] == "home"  # the refused tap changed nothing
        assert not (tmp_path / "x.png").exists()
    finally:
        hu.stop()


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_the_ui_stays_live_and_says_so_while_the_broker_is_dead(xvfb, system_on, tmp_path):
    broker = Mosquitto(tmp_path / "mosquitto").start()  # its own: this test kills it
    try:
        sys_ = system_on(broker.url)
        sys_.start_cloud()
        hu = HeadUnitWindow(xvfb.display, broker.url, sys_.root, vin=VIN,
                            extra=("--qr-period", "2", "--qr-lifetime", "30"))
        sys_.procs.append(hu.proc)
        rc = hu.rc
        hu.wait_state(state="no_user", online=True)
        rc.tap(id="home.user")
        hu.wait_state(panel="login_qr")
        assert widget(hu, "status.cloud")["text"] == "Cloud online"
        assert rc.find("banner.offline") is None  # collapsed and hidden while online

        broker.kill9()
        offline = hu.wait_state(online=False, what="the head unit noticing the dead broker")
        hu.settle()
        assert widget(hu, "banner.offline")["text"] == i18n.text("banner.offline", "en")
        assert widget(hu, "status.cloud")["text"] == "Cloud offline"
        # the code keeps rotating, and says it cannot be confirmed now
        assert widget(hu, "qr.offline")["text"] == i18n.text("qr.offline", "en")
        rc.wait_for(lambda s: s["qr"]["serial"] > offline["qr"]["serial"], 20,
                    "a new code while offline")

        # frames keep being drawn while paho retries the dead broker
        before = rc.frames()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = rc.frames()
            if now["frames"] >= before["frames"] + 30 and now["drawn"] >= before["drawn"] + 3:
                break
            time.sleep(0.2)
        assert now["frames"] >= before["frames"] + 30, (before, now)
        assert now["drawn"] >= before["drawn"] + 3, (before, now)

        # a tap changes screens within the next few frames
        before = rc.frames()["frames"]
        assert rc.tap(id="nav.back")["screen"] == "home"
        assert rc.frames()["frames"] - before <= 10
        assert widget(hu, "banner.offline")["text"]  # the banner stays on every screen

        # typed login while offline: refused at once, in plain words
        rc.tap(id="home.user")
        rc.tap(id="qr.password_login")
        hu.wait_state(panel="password")
        rc.type("ann@example.com")
        rc.tap(id="password.password")
        rc.type("whatever1")
        rc.tap(id="password.submit")
        hu.wait_state(login_error="offline")
        hu.settle()
        assert widget(hu, "password.message")["text"] == i18n.error_text("offline", "en")
        rc.tap(id="password.cancel")

        # the broker comes back: so does the cloud, and the banner goes
        broker.start()
        hu.wait_state(online=True, what="the head unit back online", timeout=40)
        hu.settle()
        assert rc.find("banner.offline") is None
    finally:
        broker.stop()


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(120)
def test_ctrl_c_closes_the_window_and_the_car_says_offline_at_once(xvfb, mosquitto, system_on):
    """Ctrl-C in the terminal of a developer's window closes it the way SIGTERM does: the
    head unit says offline itself, long before the broker's keep-alive would, and exits 0."""
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    seen: list[bytes] = []
    cond = threading.Condition()

    def watch(_topic: str, payload: bytes, _props: object) -> None:
        with cond:
            seen.append(payload)
            cond.notify_all()

    watcher = MqttConnection(mosquitto.url, "ctrl-c-watcher")
    watcher.subscribe(topics.vehicle(VIN, topics.HEADUNIT_AVAILABILITY), watch)
    watcher.start()
    hu = HeadUnitWindow(xvfb.display, mosquitto.url, sys_.root, vin=VIN)
    sys_.procs.append(hu.proc)
    try:
        hu.wait_state(state="no_user", online=True)
        with cond:
            assert cond.wait_for(lambda: seen and seen[-1] == b"online", 15), seen
            mark = len(seen)
        hu.proc.p.send_signal(signal.SIGINT)
        sent = time.monotonic()
        assert hu.proc.p.wait(20) == 0
        with cond:
            assert cond.wait_for(lambda: b"offline" in seen[mark:], 10), seen
        assert time.monotonic() - sent < 10  # keep-alive (15 s) x 1.5 would be 22 s
    finally:
        watcher.stop()
