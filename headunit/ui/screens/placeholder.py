"""A screen that only names what will be there: the home menu's entries outside this
emulator (``home/<entry>``) and the services the vehicle-services issue fills
(``service/<key>``)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from ..services import ICONS
from . import BaseScreen, register

HOME_ICONS = {"navigation": "navigation", "media": "music_note", "phone": "phone",
              "vehicle": "directions_car", "apps": "apps"}


class PlaceholderScreen(BaseScreen):
    family = StringProperty("service")
    icon = StringProperty("info")
    message_key = StringProperty("service.placeholder")

    def on_key(self, _obj: object, key: str) -> None:
        self.title_key = f"{self.family}.{key}"
        if self.family == "home":
            self.icon, self.message_key = HOME_ICONS.get(key, "apps"), "home.not_here"
        else:
            self.icon, self.message_key = ICONS.get(key, "info"), "service.placeholder"


register("service/", lambda: PlaceholderScreen(family="service"))
register("home/", lambda: PlaceholderScreen(family="home"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
