"""The base of the car's service screens: the service a screen belongs to, and what it
does when shown.

Each car screen binds its ``.kv`` to ``app.ui.car`` (a :class:`~headunit.ui.car_model.CarUi`:
plain presentation objects refreshed on every view of the core, so the screen follows the
car live) and sends the driver's commands with :meth:`CarScreen.send`. A
``FeedbackBanner`` with the screen's ``service`` says what became of them.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from .. import car_widgets  # noqa: F401  (the car screens' building blocks)
from . import BaseScreen


class CarScreen(BaseScreen):
    service = StringProperty("")  # its name in headunit.protocol.vehicle.SERVICES

    @property
    def car(self) -> Any:
        from kivy.app import App
        return App.get_running_app().ui.car

    def on_pre_enter(self, *_: Any) -> None:
        self.car.enter(self.service)

    def send(self, command: Any, control: str | None = None, value: Any = None) -> None:
        """Send ``command`` to the car (through the head unit's core); ``control`` shows
        ``value`` at once while it is on its way."""
        self.car.send(command, control, value)
