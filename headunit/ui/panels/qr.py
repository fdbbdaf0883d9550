"""The QR panels: the login code (no user) and the bind code (logged in), with a countdown
to the next code and, offline, a note that the code cannot be confirmed until the
connection is back."""

from __future__ import annotations

import math
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from .. import qr_image  # noqa: F401  (QrImage, used in qr.kv)
from . import register


class QrPanel(BoxLayout):
    purpose = OptionProperty("login", options=["login", "bind"])
    content = StringProperty("")
    seconds = NumericProperty(0)     # until the next code
    fraction = NumericProperty(0.0)  # of the current code's time left before rotation

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.ui.bind(view=self._update, now=self._update)
        self._update()

    def _update(self, *_: object) -> None:
        qr = self.ui.view.qr if self.ui.view else None
        if qr is None or qr.purpose != self.purpose:
            self.content, self.seconds, self.fraction = "", 0, 0.0
            return
        self.content = qr.content
        period = max(qr.rotates_at - qr.issued, 1e-6)
        self.seconds = min(self.ui.seconds_until(qr.rotates_at), math.ceil(period))
        # the bar moves with the whole seconds shown beside it: a tick that changes neither
        # leaves the canvas untouched, so an idle screen draws one frame a second, not four
        self.fraction = max(0.0, min(1.0, self.seconds / period))


register("login_qr", lambda: QrPanel(purpose="login"), "no_user")
register("bind_qr", lambda: QrPanel(purpose="bind"), "logged_in")
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
