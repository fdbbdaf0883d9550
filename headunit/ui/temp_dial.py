"""The Climate screen's dial, drawn with Kivy canvas instructions: an arc from the lowest to
the highest setpoint (16-28 °C), lit up to the setpoint while the climate is on, with a dot
where the cabin's temperature is, and the setpoint written in the middle.

Its two buttons (children given in the .kv: the one with icon ``remove`` lowers, ``add``
raises) sit left and right of the ring when the dial is wide enough, else below it at the
corners."""

from __future__ import annotations

import math
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from ..protocol.vehicle import SETPOINT_MAX, SETPOINT_MIN
from .widgets import Caption

SWEEP = 270.0  # degrees of the arc, open at the bottom


def angle_of(temp: float) -> float:
    """Degrees clockwise from 12 o'clock (Kivy's Line circle angles) for ``temp``."""
    f = (min(max(temp, SETPOINT_MIN), SETPOINT_MAX) - SETPOINT_MIN) / (SETPOINT_MAX - SETPOINT_MIN)
    return -SWEEP / 2 + f * SWEEP


class TempDial(FloatLayout):
    setpoint = NumericProperty(21.0)
    cabin = NumericProperty(21.0)
    active = BooleanProperty(False)
    known = BooleanProperty(False)
    text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self._soon = Clock.create_trigger(self._redraw, -1)
        self.value = Caption(rc_id="climate.setpoint.value", role="large")
        self.add_widget(self.value)
        self.value.bind(texture_size=self._soon)
        self.bind(pos=self._soon, size=self._soon, setpoint=self._soon, cabin=self._soon,
                  active=self._soon, known=self._soon, text=self._soon,
                  children=self._soon)
        self.ui.bind(c=self._soon, u=self._soon)

    def _buttons(self) -> tuple[Widget | None, Widget | None]:
        icons = {getattr(w, "icon", None): w for w in self.children}
        return icons.get("remove"), icons.get("add")

    def _redraw(self, *_: Any) -> None:
        c, u, gap = self.ui.c, self.ui.u, self.ui.gap
        minus, plus = self._buttons()
        bw = max((b.width for b in (minus, plus) if b is not None), default=0.0)
        bh = max((b.height for b in (minus, plus) if b is not None), default=0.0)
        thick = max(3.0, 5 * u)
        side = min(self.width - 2 * (bw + gap), self.height)  # buttons beside the ring
        below = min(self.width, self.height - bh - gap)       # buttons under it
        beside = side >= below * 0.85
        diameter = side if beside else below
        r = max(4.0, diameter / 2 - thick - 2 * u)
        cx = self.center_x
        cy = self.center_y if beside else self.top - diameter / 2
        self.canvas.before.clear()
        with self.canvas.before:
            Color(*c["line"])
            Line(circle=(cx, cy, r, -SWEEP / 2, SWEEP / 2), width=thick, cap="round")
            if self.known:
                Color(*(c["accent"] if self.active else c["muted"]))
                Line(circle=(cx, cy, r, -SWEEP / 2, angle_of(self.setpoint)), width=thick,
                     cap="round")
                a = math.radians(angle_of(self.cabin))
                dot = thick * 1.5
                Color(*c["text"])
                Ellipse(pos=(cx + r * math.sin(a) - dot, cy + r * math.cos(a) - dot),
                        size=(2 * dot, 2 * dot))
        for button, sign in ((minus, -1), (plus, 1)):
            if button is None:
                continue
            if beside:
                button.center_y = cy
                button.center_x = cx + sign * (r + thick + gap + bw / 2)
            else:
                button.y = self.y
                button.center_x = self.x + bw / 2 if sign < 0 else self.right - bw / 2
        # the setpoint in the ring: large type when it fits, else title type
        room = 2 * (r - thick * 1.5)
        value = self.value
        value.text = self.text
        if value.role == "large" and value.texture_size[0] > room:
            value.role = "title"
        elif value.role == "title" and value.texture_size[0] * 26 / 21 < room * 0.95:
            value.role = "large"
        value.size = value.texture_size
        value.center = (cx, cy)
