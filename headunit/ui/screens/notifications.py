"""Notifications (Notifikationer): the car's alerts (tyre pressure, charging complete,
alarm, destination received ...) and the account notices the head unit was shown (logged
out, binding removed, force unbinding ...), newest first, a page at a time (no scrolling on
a car's screen: Newer / Older)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from . import register
from .car_base import CarScreen

PAGE_LANDSCAPE = 4
PAGE_PORTRAIT = 6


class NoteRow(BoxLayout):
    """One notification: an icon in its severity's colour, the text, where from and when."""

    rc_id = StringProperty("")
    icon = StringProperty("info")
    tone = StringProperty("accent")
    text = StringProperty("")
    meta = StringProperty("")


class NotificationsScreen(CarScreen):
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def on_kv_post(self, _base: Any) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.ui.car.bind(notes=self._show)
        self.ui.bind(portrait=self._show)
        self._show()

    def page_size(self) -> int:
        return PAGE_PORTRAIT if self.ui.portrait else PAGE_LANDSCAPE

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._show()

    def on_pre_enter(self, *args: Any) -> None:
        super().on_pre_enter(*args)
        self.page = 0
        self._show()

    def _show(self, *_: Any) -> None:
        notes = self.ui.car.notes
        size = self.page_size()
        self.pages = max(1, math.ceil(len(notes) / size))
        self.page = min(self.page, self.pages - 1)
        box = self.ids.rows
        box.clear_widgets()
        for n, note in enumerate(notes[self.page * size:(self.page + 1) * size]):
            box.add_widget(NoteRow(rc_id=f"notes.{n}", icon=note.icon, tone=note.tone,
                                   text=note.title, meta=f"{note.source}  ·  {note.time_text}"))


register("service/notifications", lambda: NotificationsScreen(service="notifications"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
