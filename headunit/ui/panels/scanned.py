"""The panel after a scan, before the phone confirms: "Scanned — confirm on your phone".

It names nothing secret: not who scanned, not the code.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from . import register


class ScannedPanel(BoxLayout):
    purpose = StringProperty("login")
    seconds = NumericProperty(0)

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.ui.bind(view=self._update, now=self._update)
        self._update()

    def _update(self, *_: object) -> None:
        v = self.ui.view
        if v is None:
            return
        self.purpose = "bind" if v.state == "bind_scanned" else "login"
        self.seconds = self.ui.seconds_until(v.scan_expires)


register("scanned", ScannedPanel, "login_scanned", "bind_scanned")
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
