"""The main menu: Navigation, Media, Phone, Vehicle, Apps, Settings; User bottom right."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from . import BaseScreen, register

MENU = (("navigation", "navigation"), ("media", "music_note"), ("phone", "phone"),
        ("vehicle", "directions_car"), ("apps", "apps"), ("settings", "settings"))


class UserEntry(ButtonBehavior, BoxLayout):
    """The User / Bruger entry in the bottom right corner, as in the car."""

    rc_id = StringProperty("")


class HomeScreen(BaseScreen):
    def open_entry(self, entry: str) -> None:
        from kivy.app import App
        App.get_running_app().ui.go("settings" if entry == "settings" else f"home/{entry}")


register("home", HomeScreen)
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
