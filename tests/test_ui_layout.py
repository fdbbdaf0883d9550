"""Every screen and every User-menu state, at every supported screen size, in English and
Danish: no text needs more room than its widget has, nothing sticks out of the window or its
parent, every touch target is at least 48 dp and none lies on another."""

from __future__ import annotations

import pytest

from tests.support.brokers import Mosquitto
from tests.support.car_ui import telling_scene
from tests.support.layout import problems
from tests.support.ui import HeadUnitWindow
from tests.support.walkthrough import STOPS, walk

SIZES = [(800, 480), (1024, 600), (1280, 720), (1920, 720), (720, 1280)]
LANGS = ["en", "da"]


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(900)
def test_every_screen_fits_at_every_size_in_both_languages(xvfb, system_on, tmp_path):
    broker = Mosquitto(tmp_path / "mosquitto").start()  # its own: the walk ends by killing it
    try:
        sys_ = system_on(broker.url)
        sys_.start_cloud()
        sys_.new_user("ann", "Ann Hansen")
        sys_.new_user("bob", "Bob Jensen")
        hu = HeadUnitWindow(xvfb.display, broker.url, sys_.root, size="800x480",
                            vin="LSJA24U66PS000001")
        sys_.procs.append(hu.proc)
        # the car behind the screen, with something to show on each service screen
        sys_.start_vehicle("LSJA24U66PS000001", "--soc", "35")
        visited: list[str] = []
        faults: dict[str, list[str]] = {}

        def at(stop: str) -> None:
            visited.append(stop)
            screen = hu.rc.state()["screen"]
            for width, height in SIZES:
                assert hu.rc.set_size(width, height)["window"] == [width, height]
                for lang in LANGS:
                    hu.rc.set_language(lang)
                    snapshot = hu.rc.widgets(measure=True)
                    assert snapshot["screen"] == screen
                    assert len(snapshot["widgets"]) > 5, f"{stop}: nothing on screen"
                    found = problems(snapshot)
                    if found:
                        faults[f"{stop} {width}x{height} {lang}"] = found
            hu.rc.set_size(800, 480)
            hu.rc.set_language("en")

        walk(hu, sys_.phone, at, tmp_path, stop_broker=broker.kill9,
             car_scene=lambda: telling_scene(broker.url, "LSJA24U66PS000001", sys_.phone,
                                             "ann"))
        assert visited == list(STOPS)
        assert not faults, "layout faults:\n" + "\n".join(
            f"- {where}: " + "\n    ".join(found) for where, found in faults.items())
    finally:
        broker.stop()
