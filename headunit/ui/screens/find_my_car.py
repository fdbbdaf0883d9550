"""Find my car: whether the car is flashing its lights and sounding its horn now, where it
is (latitude, longitude, heading on a compass) and the four commands: lights and horn,
lights only, horn only, stop."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from ...protocol import vehicle as pv
from .. import compass  # noqa: F401  (Compass for the .kv)
from . import register
from .car_base import CarScreen


class FindMyCarScreen(CarScreen):
    def find(self, mode: str) -> None:
        self.send(pv.FindMyCarCommand(mode=mode))


register("service/find_my_car", lambda: FindMyCarScreen(service="find_my_car"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
