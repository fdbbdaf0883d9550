"""A compass drawn with Kivy canvas instructions: a ring with the four cardinal points
(N E S W, or N Ø S V in Danish) and an arrow at ``heading`` degrees from north -- the car's
heading on the Find my car screen, the way to the destination on the Navigation screen."""

from __future__ import annotations

import math
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line, Mesh
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout

from . import car_words
from .widgets import Caption


class Compass(FloatLayout):
    heading = NumericProperty(0.0)
    show_arrow = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self._soon = Clock.create_trigger(self._redraw, -1)
        self.points = [Caption(role="small", tone="muted") for _ in range(4)]
        for label in self.points:
            self.add_widget(label)
            label.bind(texture_size=self._soon)
        self.bind(pos=self._soon, size=self._soon, heading=self._soon,
                  show_arrow=self._soon)
        self.ui.bind(c=self._soon, u=self._soon, lang=self._soon)

    def _redraw(self, *_: Any) -> None:
        c, u = self.ui.c, self.ui.u
        names = car_words.COMPASS_DA if self.ui.lang == "da" else car_words.COMPASS
        for label, name in zip(self.points, names[::2], strict=True):
            label.text = name
        pad = max(lb.texture_size[1] for lb in self.points) + self.ui.gap * 0.4
        r = max(4.0, min(self.width, self.height) / 2 - pad)
        cx, cy = self.center
        self.canvas.before.clear()
        with self.canvas.before:
            Color(*c["surface_hi"])
            Line(circle=(cx, cy, r), width=max(1.0, 2.2 * u))
            Color(*c["muted"])
            for k in range(8):
                a = math.radians(45 * k)
                inner = r * (0.82 if k % 2 == 0 else 0.9)
                Line(points=[cx + inner * math.sin(a), cy + inner * math.cos(a),
                             cx + r * math.sin(a), cy + r * math.cos(a)],
                     width=max(1.0, 1.2 * u))
            if self.show_arrow:
                a = math.radians(self.heading)

                def p(dist: float, angle: float) -> list[float]:
                    return [cx + dist * math.sin(a + angle), cy + dist * math.cos(a + angle),
                            0, 0]

                Color(*c["accent"])
                Mesh(vertices=p(r * 0.72, 0) + p(r * 0.5, math.radians(140))
                     + p(r * 0.18, math.pi) + p(r * 0.5, math.radians(-140)),
                     indices=[0, 1, 2, 3], mode="triangle_fan")
        for k, label in enumerate(self.points):
            a = math.radians(90 * k)
            dist = r + pad / 2 + self.ui.gap * 0.1
            label.size = label.texture_size
            label.center = (cx + dist * math.sin(a), cy + dist * math.cos(a))
