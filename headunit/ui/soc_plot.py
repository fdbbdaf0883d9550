"""The EV screen's plot of the state of charge over the last hours, drawn with Kivy canvas
Line and Mesh instructions.

``points`` are ``(simulated time, SOC %)`` pairs, oldest first (``View.vehicle.soc_history``:
one per 15 simulated minutes over the last 12 hours, the newest live). The time axis ends at
``now`` and spans whole hours, at least 2 and at most 12, enough to show every point; the
SOC axis runs 0-100 %. Both axes are labelled (``0 %``, ``50 %``, ``100 %``; clock times, and
"now" at the right end); the charge target is a dashed line.
"""

from __future__ import annotations

import math
import time
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Mesh
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from . import car_words
from .widgets import Caption

MIN_HOURS, MAX_HOURS = 2, 12
X_TICKS = 4          # intervals on the time axis
Y_TICKS = (0, 50, 100)


def ticks(t0: float, t1: float) -> list[float]:
    """Times on the axis to label: whole multiples (in local time) of a quarter of the span,
    none too close to ``t1`` (which is labelled "now")."""
    step = (t1 - t0) / X_TICKS
    offset = time.localtime(t1).tm_gmtoff
    first = math.ceil((t0 + offset) / step) * step - offset
    out = []
    t = first
    while t < t1 - step * 0.6:
        out.append(t)
        t += step
    return out


def span_hours(points: list[tuple[float, float]] | tuple[tuple[float, float], ...],
               now: float) -> int:
    """Whole hours the time axis spans to show every point (2 .. 12)."""
    if not points:
        return MIN_HOURS
    hours = math.ceil(max(0.0, now - points[0][0]) / 3600.0 - 1e-9)
    return max(MIN_HOURS, min(MAX_HOURS, hours))


class SocPlot(FloatLayout):
    points = ListProperty()
    now = NumericProperty(0.0)
    target = NumericProperty(80)
    hours = NumericProperty(MIN_HOURS)   # read by the title
    now_text = StringProperty("now")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self._soon = Clock.create_trigger(self._redraw, -1)
        self.y_labels = [Caption(rc_id=f"ev.plot.y{v}", role="small", tone="muted",
                                 text=f"{v} %") for v in Y_TICKS]
        self.x_labels = [Caption(rc_id=f"ev.plot.x{i}", role="small", tone="muted")
                         for i in range(X_TICKS + 2)]
        for label in (*self.y_labels, *self.x_labels):
            self.add_widget(label)
            label.bind(texture_size=self._soon)
        self.bind(pos=self._soon, size=self._soon, points=self._soon, now=self._soon,
                  target=self._soon, now_text=self._soon)
        self.ui.bind(c=self._soon, u=self._soon)

    def _redraw(self, *_: Any) -> None:
        c, u, gap = self.ui.c, self.ui.u, self.ui.gap * 0.6
        pts = [(t, s) for t, s in self.points if t <= self.now + 1]
        self.hours = span_hours(pts, self.now)
        t1 = self.now
        t0 = t1 - self.hours * 3600.0
        pts = [(t, s) for t, s in pts if t >= t0]
        marks = [*ticks(t0, t1), t1]
        for i, label in enumerate(self.x_labels):
            label.text = "" if i >= len(marks) else (
                self.now_text if i == len(marks) - 1 else car_words.clock(marks[i]))
        ylab_w = max(lb.texture_size[0] for lb in self.y_labels)
        xlab_h = max(lb.texture_size[1] for lb in self.x_labels)
        half_last = self.x_labels[len(marks) - 1].texture_size[0] / 2
        left = self.x + ylab_w + gap
        right = self.right - half_last
        bottom = self.y + xlab_h + max(gap, self.y_labels[0].texture_size[1] / 2 + 2)
        top = self.top - self.y_labels[-1].texture_size[1] / 2
        w, h = max(1.0, right - left), max(1.0, top - bottom)

        def px(t: float) -> float:
            return left + (t - t0) / (t1 - t0) * w

        def py(soc: float) -> float:
            return bottom + max(0.0, min(100.0, soc)) / 100.0 * h

        self.canvas.before.clear()
        with self.canvas.before:
            Color(*c["line"])
            for v in (0, 25, 50, 75, 100):
                Line(points=[left, py(v), right, py(v)], width=1)
            for t in marks:
                x = px(t)
                Line(points=[x, bottom, x, bottom - gap * 0.6], width=1)
            Color(*c["ok"][:3], 0.9)
            Line(points=[left, py(self.target), right, py(self.target)], width=1,
                 dash_length=6 * u, dash_offset=4 * u)
            if pts:
                accent = c["accent"]
                if len(pts) > 1 and px(pts[-1][0]) - px(pts[0][0]) > 2:
                    verts: list[float] = []
                    for t, s in pts:
                        verts += [px(t), bottom, 0, 0, px(t), py(s), 0, 0]
                    Color(accent[0], accent[1], accent[2], 0.22)
                    Mesh(vertices=verts, indices=list(range(len(verts) // 4)),
                         mode="triangle_strip")
                    Color(*accent)
                    Line(points=[v for t, s in pts for v in (px(t), py(s))], width=1.6 * u,
                         joint="round", cap="round")
                Color(*accent)
                r = 4 * u
                t, s = pts[-1]
                Ellipse(pos=(px(t) - r, py(s) - r), size=(2 * r, 2 * r))
        for v, label in zip(Y_TICKS, self.y_labels, strict=True):
            label.right = left - gap
            label.center_y = py(v)
        for i, label in enumerate(self.x_labels):
            label.size = label.texture_size
            if i < len(marks):
                # the first label may not reach past the plot's left edge
                label.center_x = max(px(marks[i]), self.x + label.width / 2)
            else:
                label.center_x = self.center_x
            label.y = self.y
