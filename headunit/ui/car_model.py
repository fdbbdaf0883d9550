"""What the car's screens observe: :class:`CarUi`, one per window, on the Kivy thread.

It follows the UI model's view (the core's ``View.vehicle``), language and time, and keeps
the plain presentation objects of :mod:`headunit.ui.car_present` and
:mod:`headunit.ui.car_info` in Kivy properties, so a screen's ``.kv`` binds to
``app.ui.car.ev.soc_text`` and updates live whenever the car's status changes. The driver's
commands go out through :meth:`send` (to ``HeadUnit.car_command`` on the core's worker
thread), and their outcome comes back as ``app.ui.car.feedback[service]``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import DictProperty, ListProperty, ObjectProperty

from ..car import CarPanel
from ..protocol import vehicle as pv
from . import car_info, car_present
from .car_commands import CommandTracker, Feedback, Sent
from .services import available_services


class CarUi(EventDispatcher):
    # rebind: a .kv rule reading app.ui.car.ev.soc_text follows each new Ev object
    common = ObjectProperty(car_present.Common(), rebind=True)
    status = ObjectProperty(car_present.VehicleStatus(), rebind=True)
    ev = ObjectProperty(car_present.Ev(), rebind=True)
    climate = ObjectProperty(car_present.Climate(), rebind=True)
    find = ObjectProperty(car_present.FindMyCar(), rebind=True)
    key = ObjectProperty(car_present.DigitalKey(), rebind=True)
    nav = ObjectProperty(car_info.Navigation(), rebind=True)
    notes = ListProperty()                    # car_info.Note, newest first
    available = ListProperty()                # UI service keys the car's model has
    feedback = DictProperty(rebind=True)      # protocol service -> Feedback

    def __init__(self, ui: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ui = ui
        self.tracker = CommandTracker()
        self.notice_log = car_info.NoticeLog()
        ui.bind(view=self._view_changed, lang=self.refresh, now=self._tick)
        self.refresh()

    @property
    def panel(self) -> CarPanel | None:
        v = self.ui.view
        return v.vehicle if v is not None else None

    # ------------------------------------------------------------ the driver's commands

    def send(self, command: Any, control: str | None = None, value: Any = None) -> str:
        """Send ``command`` (a headunit.protocol.vehicle command) to the car; ``control``
        shows ``value`` at once while it is on its way. Returns the request id."""
        rid = uuid.uuid4().hex
        self.tracker.sent(Sent(rid, command, control, value, time.monotonic()))
        self.ui.act("car_command", command, rid)
        self.refresh()
        return rid

    def enter(self, service: str) -> None:
        """A service's screen is shown: what was said there before is forgotten."""
        self.tracker.clear(service)
        self.refresh()

    # ------------------------------------------------------------ following the core

    def _view_changed(self, *_: Any) -> None:
        v = self.ui.view
        if v is not None:
            fu = v.force_unbind.status if v.force_unbind is not None else None
            self.notice_log.see(v.notice, v.notice_params, fu, self.ui.now)
        self.refresh()

    def _tick(self, *_: Any) -> None:
        if self.tracker.busy(time.monotonic()):
            self.refresh()

    def refresh(self, *_: Any) -> None:
        panel, lang, now = self.panel, self.ui.lang, self.ui.now
        mono = time.monotonic()
        self.tracker.update(panel, mono)
        eager = self.tracker.eager(panel, mono)
        self.common = car_present.common(panel, lang, now)
        self.status = car_present.vehicle_status(panel, lang)
        self.ev = car_present.ev(panel, lang, target=eager.get("ev.target"),
                                 limit=eager.get("ev.limit"),
                                 schedule_on=eager.get("ev.schedule"))
        self.climate = car_present.climate(
            panel, lang, setpoint=eager.get("climate.setpoint"),
            state=eager.get("climate.state"),
            seats={s: eager[f"climate.seat.{s}"] for s in pv.SEATS
                   if f"climate.seat.{s}" in eager},
            defrost={d: eager[f"climate.defrost.{d}"] for d in ("front", "rear")
                     if f"climate.defrost.{d}" in eager})
        self.find = car_present.find_my_car(panel, lang)
        self.key = car_present.digital_key(panel, lang, self._holder(),
                                           locked=eager.get("key.locked"))
        self.nav = car_info.navigation(panel, lang, now)
        notes = list(car_info.notifications(panel, self.notice_log, lang, now))
        if notes != self.notes:
            self.notes = notes
        self.available = available_services(panel)
        self.feedback = {s: self.tracker.feedback(s, panel, lang, mono) for s in pv.SERVICES}

    def _holder(self) -> str | None:
        """The bound account's name: the holder of the car's digital key."""
        v = self.ui.view
        return v.binding.display_name if v is not None and v.binding is not None else None

    def feedback_for(self, service: str) -> Feedback:
        return self.feedback.get(service) or Feedback()
