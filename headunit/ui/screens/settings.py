"""Settings: language (English / Dansk) and day / night theme, switched at once; the cloud's
public URL and the car's identity, read only."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from . import BaseScreen, register


class SettingsScreen(BaseScreen):
    pass


register("settings", SettingsScreen)
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
