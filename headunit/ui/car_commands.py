"""The driver's commands from the touchscreen and what the screen says about them (no Kivy).

:class:`CommandTracker` remembers the last command each service's screen sent, and turns
its outcome in the car panel (``View.vehicle.commands``) into a :class:`Feedback` in plain
words: "Sending to the car: Lock…", "Done: Lock.", or "Lock: A door is open: cannot lock.
...". A success fades after :data:`OK_SHOWN` seconds; a refusal stays until the next
command or until the screen is entered again.

It also gives *eager* values: a control shows what the driver asked for at once (the SOC
target steps to 90 % on the tap) while the command is on its way, and falls back to the
car's status when the car refuses it -- the "eager publish and roll back" of the MG MQTT
gateway. Times are monotonic seconds, passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import i18n
from ..car import CarPanel, CommandState
from ..protocol import vehicle as pv
from . import car_words as w

OK_SHOWN = 6.0      # seconds a success stays on screen
EAGER_GRACE = 5.0   # seconds an accepted value is shown before the car's status has it
LOST_AFTER = 30.0   # a command the car panel never listed (or no longer keeps) is let go


@dataclass
class Sent:
    request_id: str
    command: Any                  # a headunit.protocol.vehicle command model
    control: str | None = None    # the control that shows ``value`` eagerly
    value: Any = None
    sent: float = 0.0
    done_at: float | None = None  # when the answer was first seen
    seq_at_done: int | None = None

    @property
    def service(self) -> str:
        return pv.SERVICE_OF[self.command.name]


@dataclass(frozen=True)
class Feedback:
    text: str = ""
    kind: str = "info"     # info (sending, done) | danger (refused)
    icon: str = "info"
    status: str = ""       # pending | ok | error | '' (nothing to say)


def label(command: Any, lang: str) -> str:
    """A command in a few words: "Charge target 90 %", "Lock"."""
    def t(key: str, **params: object) -> str:
        return i18n.text(key, lang, **params)

    n = command.name
    if n == "climate":
        state = t(f"climate.state.{command.state}")
        if command.temperature is None:
            return t("cmd.climate", state=state)
        return t("cmd.climate_temp", state=state, temp=w.temp(command.temperature, lang))
    if n == "heated_seat":
        return t("cmd.heated_seat", seat=t(f"climate.seat.{command.seat}"), level=command.level)
    if n == "defrost":
        return t("cmd.defrost", window=t(f"climate.defrost.{command.window}"),
                 state=t("common.on" if command.on else "common.off"))
    if n == "charging":
        return t(f"cmd.charging_{command.action}")
    if n == "charge_target":
        return t("cmd.charge_target", soc=command.soc)
    if n == "charge_current_limit":
        return t("cmd.charge_current_limit", limit=command.limit)
    if n == "charge_schedule":
        return (t("cmd.schedule_on", start=command.start, end=command.end) if command.enabled
                else t("cmd.schedule_off"))
    if n == "find_my_car":
        return t("cmd.find_my_car", mode=t(f"find.button.{command.mode}"))
    if n == "send_destination":
        return t("cmd.send_destination", name=command.destination.name)
    return t(f"cmd.{n}")


def reason(state: CommandState, lang: str) -> str:
    """Why a command failed: the car's own words in English (they name the open door);
    the code's text in Danish."""
    if lang == "en" and state.message:
        return state.message
    return i18n.error_text(state.code or "internal", lang)


class CommandTracker:
    def __init__(self) -> None:
        self.last: dict[str, Sent] = {}      # service -> the newest command its screen sent
        self.by_control: dict[str, Sent] = {}

    def sent(self, entry: Sent) -> None:
        self.last[entry.service] = entry
        if entry.control:
            self.by_control[entry.control] = entry

    def clear(self, service: str) -> None:
        """Forget what was said on a service's screen (the driver comes to it afresh)."""
        self.last.pop(service, None)

    @staticmethod
    def _state(entry: Sent, panel: CarPanel | None) -> CommandState | None:
        if panel is None:
            return None
        return next((c for c in panel.commands if c.request_id == entry.request_id), None)

    def update(self, panel: CarPanel | None, now: float) -> None:
        """Note when each command's answer first appears in ``panel``."""
        seq = panel.status.seq if panel is not None and panel.status else None
        for entry in {id(e): e for e in [*self.last.values(), *self.by_control.values()]}.values():
            state = self._state(entry, panel)
            if entry.done_at is None and state is not None and state.status != "pending":
                entry.done_at, entry.seq_at_done = now, seq

    def busy(self, now: float) -> bool:
        """Whether something shown may change with time alone (a fading success, an
        eager value waiting for the car's status)."""
        return any((e.done_at is None and now - e.sent <= LOST_AFTER)
                   or (e.done_at is not None and now - e.done_at < max(OK_SHOWN, EAGER_GRACE))
                   for e in [*self.last.values(), *self.by_control.values()])

    def feedback(self, service: str, panel: CarPanel | None, lang: str, now: float) -> Feedback:
        entry = self.last.get(service)
        if entry is None:
            return Feedback()
        what = label(entry.command, lang)
        state = self._state(entry, panel)
        if state is None and now - entry.sent > LOST_AFTER:
            return Feedback()  # the panel no longer keeps it
        if state is None or state.status == "pending":
            return Feedback(i18n.text("cmd.pending", lang, what=what), "info", "schedule",
                            "pending")
        if state.status == "ok":
            if entry.done_at is not None and now - entry.done_at >= OK_SHOWN:
                return Feedback()
            return Feedback(i18n.text("cmd.done", lang, what=what), "info", "check_circle", "ok")
        return Feedback(i18n.text("cmd.failed", lang, what=what, reason=reason(state, lang)),
                        "danger", "error_outline", "error")

    def eager(self, panel: CarPanel | None, now: float) -> dict[str, Any]:
        """control -> the value the driver asked for, while the car's status may lag."""
        out: dict[str, Any] = {}
        seq = panel.status.seq if panel is not None and panel.status else None
        for control, entry in self.by_control.items():
            state = self._state(entry, panel)
            if state is None and now - entry.sent > LOST_AFTER:
                continue
            if state is None or state.status == "pending":
                out[control] = entry.value
            elif state.status == "ok" and entry.done_at is not None \
                    and now - entry.done_at < EAGER_GRACE and seq == entry.seq_at_done:
                out[control] = entry.value
        return out
