"""Log in with account: e-mail or phone and password, typed on the on-screen keyboard.

The keys go to the field that last had the focus; Enter moves from the account to the
password, and from the password submits. The answer (logged in, or an error in words)
comes back through the core's view.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from .. import keyboard  # noqa: F401  (TouchKeyboard, used in password.kv)
from ..keyboard import BACKSPACE, ENTER
from . import register


class PasswordPanel(BoxLayout):
    active = ObjectProperty(None, allownone=True)  # the field the keys type into
    busy = BooleanProperty(False)
    message = StringProperty("")
    error = BooleanProperty(False)

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.ui.bind(view=self._update, lang=self._update)
        for field in (self.ids.identifier, self.ids.password):
            field.bind(focus=self._focused)
        self._update()

    def on_parent(self, _obj: object, parent: object) -> None:
        if parent is not None:  # shown anew: start in the account field, no old password
            self.ids.password.text = ""
            self.active = self.ids.identifier
            self.ids.identifier.focus = True

    def _focused(self, field: object, focus: bool) -> None:
        if focus:
            self.active = field

    def _update(self, *_: object) -> None:
        v = self.ui.view
        self.busy = bool(v and v.state == "password_submitted")
        code = v.login_error if v else None
        self.error = bool(code)
        if code:
            self.message = self.ui.error(code)
        elif self.busy:
            self.message = self.ui.t("password.busy")
        else:
            self.message = ""

    def key(self, value: str) -> None:
        field = self.active or self.ids.identifier
        if value == BACKSPACE:
            field.do_backspace()
        elif value == ENTER:
            if field is self.ids.identifier:
                self.ids.password.focus = True
                self.active = self.ids.password
            else:
                self.submit()
        else:
            field.insert_text(value)

    def submit(self) -> None:
        if not self.busy:
            self.ui.act("submit_password", self.ids.identifier.text, self.ids.password.text)

    def cancel(self) -> None:
        self.ui.act("cancel_password_login")


register("password", PasswordPanel, "password_entry", "password_submitted")
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
