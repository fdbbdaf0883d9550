"""Digital key: whether the car is locked, the alarm, what is open, whose digital key the
car has (the bound account's), and Lock / Unlock. A refusal ("a door is open: cannot lock")
shows in plain words on this screen."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from ...protocol import vehicle as pv
from . import register
from .car_base import CarScreen


class DigitalKeyScreen(CarScreen):
    def lock(self) -> None:
        self.send(pv.LockCommand(), "key.locked", True)

    def unlock(self) -> None:
        self.send(pv.UnlockCommand(), "key.locked", False)


register("service/digital_key", lambda: DigitalKeyScreen(service="digital_key"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
