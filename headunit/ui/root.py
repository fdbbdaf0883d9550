"""The window's content: the status bar (back, title, cloud indicator, clock), the offline
and notice banners, and the screens below them."""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from . import screens

log = logging.getLogger(__name__)


class Root(BoxLayout):
    title_key = StringProperty("app.title")

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.ui.bind(screen=self._show)
        self._show()

    def _show(self, *_: object) -> None:
        sm = self.ids.sm
        name = self.ui.screen
        if not sm.has_screen(name):
            try:
                sm.add_widget(screens.make(name))
            except ValueError as exc:
                log.error("%s", exc)
                self.ui.home()
                return
        previous = sm.current_screen
        if previous is not None:
            previous.unbind(title_key=self._title)
        sm.current = name
        sm.current_screen.bind(title_key=self._title)
        self._title(sm.current_screen, sm.current_screen.title_key)

    def _title(self, _screen: object, key: str) -> None:
        self.title_key = key


screens.load_builtin()
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
