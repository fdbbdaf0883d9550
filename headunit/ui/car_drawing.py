"""The car seen from above, drawn with Kivy canvas instructions (no image files).

Front at the top: bonnet, windscreen, roof with the sunroof, rear window, boot; four doors
with their windows, mirrors, head and tail lights, and the four tyres with their pressures
beside them. An open door swings out; an open bonnet, boot, window or sunroof is filled
with the warning colour; a low tyre is drawn (and its pressure written) in the danger
colour; lit lights glow. Every length is a fraction of the widget's size, so it draws the
same at any screen size.
"""

from __future__ import annotations

import math
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Mesh, RoundedRectangle
from kivy.properties import BooleanProperty, DictProperty
from kivy.uix.floatlayout import FloatLayout

from .widgets import Caption, Icon

WHEELS = ("frontLeft", "frontRight", "rearLeft", "rearRight")
ASPECT = 0.44          # width / length of the body
DOOR_SWING = 38.0      # degrees an open door is drawn swung out
LIGHT = (1.0, 0.88, 0.55, 1.0)
TAIL = (0.9, 0.2, 0.2, 1.0)
OPEN_DAY = (0.96, 0.55, 0.0, 1.0)


def _rgba(colour: Any, alpha: float | None = None) -> tuple[float, float, float, float]:
    r, g, b, a = colour
    return (r, g, b, a if alpha is None else alpha)


class CarDrawing(FloatLayout):
    doors = DictProperty()       # driver, passenger, rearLeft, rearRight, bonnet, boot -> open
    windows = DictProperty()     # driver, passenger, rearLeft, rearRight, sunRoof -> open
    tyres = DictProperty()       # WHEELS -> "2.5 bar"
    tyres_low = DictProperty()   # WHEELS -> low
    lights_on = BooleanProperty(False)
    locked = BooleanProperty(True)
    known = BooleanProperty(False)  # a status to draw (else a plain outline)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.labels = {wheel: Caption(rc_id=f"vs.tyre.{wheel}", role="body")
                       for wheel in WHEELS}
        for label in self.labels.values():
            label.size_hint = (None, None)
            self.add_widget(label)
        self.lock_icon = Icon(rc_id="vs.lock_icon", size_role="icon_m")
        self.add_widget(self.lock_icon)
        self._redraw_soon = Clock.create_trigger(self._redraw, -1)
        self.bind(pos=self._redraw_soon, size=self._redraw_soon, doors=self._redraw_soon,
                  windows=self._redraw_soon, tyres=self._redraw_soon,
                  tyres_low=self._redraw_soon, lights_on=self._redraw_soon,
                  locked=self._redraw_soon, known=self._redraw_soon)
        self.ui.bind(c=self._redraw_soon, u=self._redraw_soon)
        for label in self.labels.values():
            label.bind(texture_size=self._redraw_soon)

    # ------------------------------------------------------------ geometry

    def _body(self) -> tuple[float, float, float, float]:
        """x, y, width, length of the body, centred, with room for the pressures above the
        front tyres and below the rear ones."""
        label_w = max((lb.texture_size[0] for lb in self.labels.values()), default=0.0)
        label_h = max((lb.texture_size[1] for lb in self.labels.values()), default=0.0)
        gap = self.ui.gap * 0.6
        length = max(1.0, self.height - 2 * (label_h + gap) - 2 * gap)
        # the tyres stick out 10 % on each side; a label is centred over its tyre
        width = min(length * ASPECT, self.width / 1.2 - gap, self.width - label_w - 2 * gap)
        width = max(width, 1.0)
        length = min(length, width / ASPECT)
        return (self.center_x - width / 2, self.center_y - length / 2, width, length)

    # ------------------------------------------------------------ drawing

    def _redraw(self, *_: Any) -> None:
        c, u = self.ui.c, self.ui.u
        x, y, bw, bl = self._body()
        lw = max(1.0, 1.4 * u)

        def at(fx: float, fy: float) -> tuple[float, float]:
            return (x + fx * bw, y + fy * bl)

        def quad(points: list[tuple[float, float]], rgba: tuple[float, ...]) -> None:
            Color(*rgba)
            verts: list[float] = []
            for fx, fy in points:
                px, py = at(fx, fy)
                verts += [px, py, 0, 0]
            Mesh(vertices=verts, indices=list(range(len(points))), mode="triangle_fan")
            Color(*_rgba(c["muted"], 0.7))
            flat = [v for fx, fy in points for v in at(fx, fy)]
            Line(points=flat, close=True, width=lw * 0.7)

        doors = self.doors if self.known else {}
        windows = self.windows if self.known else {}
        low = self.tyres_low if self.known else {}
        # open parts: the theme's warning colour, brighter in the day theme (whose warning
        # colour is dark, for text)
        open_c = c["warn"] if self.ui.theme == "night" else OPEN_DAY
        warn = _rgba(open_c, 0.55)
        glass = _rgba(c["accent"], 0.28)
        self.canvas.before.clear()
        with self.canvas.before:
            # head-light glow under everything
            if self.known and self.lights_on:
                for fx in (0.23, 0.77):
                    gx, gy = at(fx, 0.975)
                    for scale, alpha in ((0.15, 0.12), (0.11, 0.18), (0.07, 0.28)):
                        r = bw * scale
                        Color(*_rgba(LIGHT, alpha))
                        Ellipse(pos=(gx - r, gy - r * 0.7), size=(2 * r, 2 * r * 0.9))
            # tyres
            tw, tl = bw * 0.2, bl * 0.15
            for wheel in WHEELS:
                fx = -0.1 if wheel.endswith("Left") else 0.9
                fy = 0.72 if wheel.startswith("front") else 0.12
                Color(*(c["danger"] if low.get(wheel) else _rgba(c["muted"], 0.9)))
                px, py = at(fx, fy)
                RoundedRectangle(pos=(px, py), size=(tw, tl), radius=[tw * 0.3])
            # body
            Color(*c["surface_hi"])
            rx, ry = bw * 0.32, bl * 0.09
            RoundedRectangle(pos=(x, y), size=(bw, bl), radius=[(rx, ry)] * 4)
            Color(*_rgba(c["muted"], 0.9))
            Line(rounded_rectangle=(x, y, bw, bl, rx * 0.9), width=lw)
            # bonnet (front) and boot (rear)
            if doors.get("bonnet"):
                Color(*warn)
                RoundedRectangle(pos=at(0, 0.74), size=(bw, bl * 0.26),
                                 radius=[(rx, ry), (rx, ry), (0, 0), (0, 0)])
            if doors.get("boot"):
                Color(*warn)
                RoundedRectangle(pos=at(0, 0), size=(bw, bl * 0.19),
                                 radius=[(0, 0), (0, 0), (rx, ry), (rx, ry)])
            Color(*_rgba(c["muted"], 0.7))
            Line(points=[*at(0.08, 0.74), *at(0.5, 0.755), *at(0.92, 0.74)], width=lw * 0.7)
            Line(points=[*at(0.1, 0.19), *at(0.9, 0.19)], width=lw * 0.7)
            # glass: windscreen, rear window
            quad([(0.08, 0.72), (0.92, 0.72), (0.86, 0.585), (0.14, 0.585)], glass)
            quad([(0.14, 0.3), (0.86, 0.3), (0.9, 0.205), (0.1, 0.205)], glass)
            # roof and sunroof
            Color(*c["surface"])
            RoundedRectangle(pos=at(0.14, 0.3), size=(bw * 0.72, bl * 0.285),
                             radius=[bw * 0.06])
            sun = [(0.28, 0.565), (0.72, 0.565), (0.72, 0.455), (0.28, 0.455)]
            quad(sun, warn if windows.get("sunRoof") else glass)
            if windows.get("sunRoof"):
                Color(*open_c)
                Line(points=[v for p in sun for v in at(*p)], close=True, width=lw * 1.4)
            # side windows (front and rear, both sides)
            for side, (x0, x1) in (("Left", (0.055, 0.135)), ("Right", (0.865, 0.945))):
                front = "driver" if side == "Left" else "passenger"
                for name, (y0, y1) in ((front, (0.44, 0.57)), (f"rear{side}", (0.31, 0.43))):
                    quad([(x0, y1), (x1, y1), (x1, y0), (x0, y0)],
                         warn if windows.get(name) else glass)
            # mirrors
            Color(*_rgba(c["muted"], 0.9))
            for sign, fx in ((-1, 0.0), (1, 1.0)):
                mx, my = at(fx, 0.6)
                Mesh(vertices=[mx, my, 0, 0, mx + sign * bw * 0.11, my - bl * 0.005, 0, 0,
                               mx, my - bl * 0.035, 0, 0], indices=[0, 1, 2],
                     mode="triangles")
            # lights
            Color(*(LIGHT if self.known and self.lights_on else _rgba(c["muted"], 0.6)))
            for fx in (0.12, 0.66):
                RoundedRectangle(pos=at(fx, 0.965), size=(bw * 0.22, bl * 0.018),
                                 radius=[bl * 0.006])
            Color(*_rgba(TAIL, 0.9 if self.known and self.lights_on else 0.5))
            for fx in (0.1, 0.7):
                RoundedRectangle(pos=at(fx, 0.012), size=(bw * 0.2, bl * 0.016),
                                 radius=[bl * 0.006])
            # doors: seams when closed, swung out when open
            for side in ("Left", "Right"):
                edge = 0.0 if side == "Left" else 1.0
                out = -1 if side == "Left" else 1
                front = "driver" if side == "Left" else "passenger"
                for name, (y0, y1) in ((front, (0.43, 0.62)), (f"rear{side}", (0.24, 0.43))):
                    hx, hy = at(edge, y1)
                    length = (y1 - y0) * bl
                    if doors.get(name):
                        a = math.radians(DOOR_SWING)
                        ex, ey = hx + out * length * math.sin(a), hy - length * math.cos(a)
                        Color(*open_c)
                        Line(points=[hx, hy, ex, ey], width=lw * 2.6, cap="round")
                        Color(*_rgba(open_c, 0.8))
                        Line(points=[*at(edge, y0), hx, hy], width=lw * 1.6)
                    else:
                        Color(*_rgba(c["muted"], 0.9))
                        inner = edge - out * 0.05
                        for fy in (y0, y1):
                            Line(points=[*at(edge, fy), *at(inner, fy)], width=lw * 0.8)
        self._place_children(x, y, bw, bl)

    def _place_children(self, x: float, y: float, bw: float, bl: float) -> None:
        gap = self.ui.gap * 0.6
        low = self.tyres_low if self.known else {}
        for wheel, label in self.labels.items():
            label.text = self.tyres.get(wheel, "") if self.known else ""
            label.tone = "danger" if low.get(wheel) else "text"
            label.size = label.texture_size
            label.center_x = x if wheel.endswith("Left") else x + bw
            if wheel.startswith("front"):
                label.y = y + bl + gap
            else:
                label.top = y - gap
        icon = self.lock_icon
        icon.icon = "lock" if self.locked else "lock_open"
        icon.tone = "ok" if self.locked else "warn"
        icon.opacity = 1 if self.known else 0
        icon.size = icon.texture_size
        icon.center = (x + bw / 2, y + bl * 0.375)
