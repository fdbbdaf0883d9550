"""The User menu (Bruger): one panel per state of the head unit's session.

The panel for each state comes from :mod:`headunit.ui.panels` (see there to add one).
Leaving the screen while the account form is open closes the form.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from .. import panels
from . import BaseScreen, register

log = logging.getLogger(__name__)


class UserScreen(BaseScreen):
    panel = StringProperty("")  # the name of the panel on show

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self._panels: dict[str, Widget] = {}
        self.ui.bind(state=self._show)
        self._show()

    def _show(self, *_: object) -> None:
        state = self.ui.state or "no_user"
        name = panels.PANELS.get(state)
        if name is None:
            log.warning("no panel for session state %r; showing the login panel", state)
            name = "login_qr"
        if name == self.panel:
            return
        if name not in self._panels:
            self._panels[name] = panels.make(name)
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(self._panels[name])
        self.panel = name

    def on_leave(self, *_: object) -> None:
        if self.ui.state in ("password_entry", "password_submitted"):
            self.ui.act("cancel_password_login")


panels.load_builtin()
register("user", UserScreen)
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
