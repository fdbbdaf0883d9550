"""EV management: state of charge, range, charging state and power, time to the target;
the charge target (40-100 % in steps of 10) and charging current (6 A / 8 A / 16 A / MAX),
scheduled charging, start / stop, and a plot of the SOC over the last hours."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from ...protocol import vehicle as pv
from .. import soc_plot  # noqa: F401  (SocPlot for the .kv)
from ..car_present import next_target
from . import register
from .car_base import CarScreen


class EvScreen(CarScreen):
    def step_target(self, step: int) -> None:
        target = next_target(self.car.ev.target, step)
        if target is not None:
            self.send(pv.ChargeTargetCommand(soc=target), "ev.target", target)

    def set_limit(self, limit: str) -> None:
        if limit != self.car.ev.limit:
            self.send(pv.ChargeCurrentLimitCommand(limit=limit), "ev.limit", limit)

    def set_schedule(self, enabled: bool) -> None:
        ev = self.car.ev
        if enabled != ev.schedule_on:
            self.send(pv.ChargeScheduleCommand(enabled=enabled, start=ev.schedule_start,
                                               end=ev.schedule_end), "ev.schedule", enabled)

    def charge(self) -> None:
        self.send(pv.ChargingCommand(action=self.car.ev.charge_action))


register("service/ev", lambda: EvScreen(service="ev_management"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
