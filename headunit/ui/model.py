"""What every screen observes: the core's latest View, the language, the theme, the sizes.

One :class:`UiModel` lives on the Kivy thread. Screens bind to its properties in their
``.kv`` files (``app.ui.s['home.user']``, ``app.ui.pal.text``, ``app.ui.fs_body``) and call
its methods from thin handlers: :meth:`go` / :meth:`back` to change screens, :meth:`act` to
ask the core for something (run on the core's worker thread, never here).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from kivy.event import EventDispatcher
from kivy.metrics import dp, sp
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

from .. import i18n
from ..controller import View
from .theme import PALETTES, THEMES, palette, scale_for

FONT_SIZES = {"small": 14, "body": 17, "button": 17, "title": 21, "large": 26, "huge": 34,
              "icon_s": 24, "icon_m": 40, "icon_l": 72}


class UiModel(EventDispatcher):
    view = ObjectProperty(None, allownone=True)
    state = StringProperty("")
    online = BooleanProperty(False)
    notice = StringProperty("")       # the current notice in words; '' when there is none
    notice_kind = StringProperty("info")  # info (a notice text) | danger (a refusal)
    force_unbind = StringProperty("")  # an open force unbind of this car, in words
    force_unbind_kind = StringProperty("warn")  # warn (pending) | danger (rejected)
    now = NumericProperty(0.0)        # the core's (simulated) time, updated every tick
    clock_text = StringProperty("")

    lang = OptionProperty("en", options=list(i18n.LANGUAGES))
    s = DictProperty(i18n.catalogue("en"))
    theme = OptionProperty("night", options=list(THEMES))
    pal = ObjectProperty(PALETTES["night"])
    c = DictProperty(PALETTES["night"].colours())  # the palette for .kv: app.ui.c['accent']

    car = ObjectProperty(None)        # the car's screens' model (car_model.CarUi)

    screen = StringProperty("home")
    history = ListProperty()

    # sizes, derived from the window (see set_window_size; dp() needs the window, so the
    # defaults here are plain numbers)
    u = NumericProperty(1.0)
    portrait = BooleanProperty(False)
    wide = BooleanProperty(False)     # a bar display such as 1920x720
    fs = DictProperty()               # font sizes by role: small, body, title, large, huge,
                                      # and icon sizes icon_s, icon_m, icon_l
    pad = NumericProperty(12)
    gap = NumericProperty(10)
    radius = NumericProperty(14)
    bar_h = NumericProperty(52)
    btn_h = NumericProperty(52)

    def __init__(self, *, act: Callable[..., None], now: Callable[[], float],
                 lang: str = "en", theme: str = "night", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._act, self._now = act, now
        self.lang, self.theme = lang, theme
        self.s = i18n.catalogue(lang)
        self.pal = palette(theme)
        self.c = self.pal.colours()
        self.set_window_size(800, 480)
        self.tick()
        from .car_model import CarUi
        self.car = CarUi(self)

    # ------------------------------------------------------------ words

    def t(self, key: str, **params: object) -> str:
        """``key`` in the current language, ``{params}`` filled in."""
        return i18n.text(key, self.lang, **params)

    def error(self, code: str | None) -> str:
        return i18n.error_text(code, self.lang) if code else ""

    def on_lang(self, _obj: object, lang: str) -> None:
        self.s = i18n.catalogue(lang)
        self._update_words()

    def on_theme(self, _obj: object, theme: str) -> None:
        self.pal = palette(theme)
        self.c = self.pal.colours()

    # ------------------------------------------------------------ the core

    def apply_view(self, v: View) -> None:
        """Take the core's latest view (called on the Kivy thread)."""
        self.tick()  # countdowns against the time of this view, not of the last tick
        self.view = v
        self.state = v.state
        self.online = v.online
        self._update_words()

    def _update_words(self) -> None:
        v = self.view
        fu = getattr(v, "force_unbind", None)
        # the force-unbind banner already says what this notice says, and stays
        repeated = v is not None and v.notice == "force_unbind_requested" and fu is not None
        self.notice = (i18n.notice_text(v.notice, self.lang, v.notice_params)
                       if v is not None and v.notice and not repeated else "")
        self.notice_kind = "info" if v is None or not v.notice or i18n.is_notice(v.notice) \
            else "danger"
        if fu is None:
            self.force_unbind = ""
        elif fu.status == "rejected":
            self.force_unbind, self.force_unbind_kind = self.error("force_unbind_rejected"), \
                "danger"
        else:
            deadline = time.strftime("%d.%m. %H:%M", time.localtime(fu.deadline))
            self.force_unbind = self.t("force_unbind.pending", deadline=deadline)
            self.force_unbind_kind = "warn"

    def act(self, action: str, *args: Any) -> None:
        """Ask the core to do ``action`` (a HeadUnit method name) on its worker thread."""
        self._act(action, *args)

    def tick(self) -> None:
        self.now = self._now()
        self.clock_text = time.strftime("%H:%M", time.localtime(self.now))

    def seconds_until(self, when: float | None) -> int:
        """Whole seconds from now until ``when`` (0 when past or unknown)."""
        if when is None:
            return 0
        return max(0, math.ceil(when - self.now))

    # ------------------------------------------------------------ navigation

    def go(self, name: str) -> None:
        if name != self.screen:
            self.history.append(self.screen)
            self.screen = name

    def back(self) -> None:
        self.screen = self.history.pop() if self.history else "home"

    def home(self) -> None:
        self.history = []
        self.screen = "home"

    # ------------------------------------------------------------ sizes

    def set_window_size(self, width: float, height: float, density: float = 1.0) -> None:
        u = scale_for(width, height, density)
        self.portrait = height > width
        self.wide = width > 2.2 * height
        self.fs = {role: sp(size) * u for role, size in FONT_SIZES.items()}
        self.pad = dp(12) * u
        self.gap = dp(10) * u
        self.radius = dp(14) * u
        self.bar_h = dp(52) * u
        self.btn_h = dp(52) * u
        self.u = u
