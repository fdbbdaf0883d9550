"""Building blocks of the car's screens (layout in car_widgets.kv): segmented choices, wide
buttons with an icon, labelled values, seat-heating buttons with level bars, and the two
banners every car screen has (the car offline / no status yet, and the outcome of the
driver's last command)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from . import widgets  # noqa: F401  (Banner, Txt, Icon ... rules first)
from .widgets import Banner


class Choice(ButtonBehavior, Label):
    """One option of a segmented control; as wide as its layout gives it."""

    rc_id = StringProperty("")
    selected = BooleanProperty(False)


class WideBtn(ButtonBehavior, BoxLayout):
    """A button as wide as its layout, an icon before its label."""

    rc_id = StringProperty("")
    icon = StringProperty("info")
    text = StringProperty("")
    primary = BooleanProperty(False)
    selected = BooleanProperty(False)


class Metric(BoxLayout):
    """An icon, a small label and its value (e.g. 12 V battery  12.6 V)."""

    rc_id = StringProperty("")
    icon = StringProperty("info")
    icon_tone = StringProperty("accent")
    label = StringProperty("")
    value = StringProperty("")
    tone = StringProperty("text")


class StepBtn(ButtonBehavior, Label):
    """A square − / + button of a stepper; ``enabled`` False dims it and ignores taps."""

    rc_id = StringProperty("")
    icon = StringProperty("add")
    enabled = BooleanProperty(True)


class SocBar(Widget):
    """The battery as a bar: ``soc`` % filled, the charge ``target`` marked."""

    soc = NumericProperty(0)
    target = NumericProperty(80)
    charging = BooleanProperty(False)


class LevelBars(Widget):
    """``level`` of ``levels`` bars lit (seat heating 0-3)."""

    level = NumericProperty(0)
    levels = NumericProperty(3)


class SeatBtn(ButtonBehavior, BoxLayout):
    """A seat's heating: tap for the next level (0 → 1 → 2 → 3 → 0)."""

    rc_id = StringProperty("")
    text = StringProperty("")
    level = NumericProperty(0)


class CarBanner(Banner):
    """The car is offline (its last status is shown), or no status came yet."""


class FeedbackBanner(Banner):
    """What became of the driver's last command on this screen's ``service``."""

    service = StringProperty("")
    fb = ObjectProperty(None, allownone=True)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

