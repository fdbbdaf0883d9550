"""Climate (Klimaanlæg): the remote climate's state (off / on / windscreen / fan only), the
setpoint, the cabin and outside temperatures, the front seats' heating 0-3 and the front and
rear defrosters, each a touch away; the commands go to the car through the head unit's
core."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from ...protocol import vehicle as pv
from .. import temp_dial  # noqa: F401  (TempDial for the .kv)
from ..car_present import SETPOINT_STEP
from . import register
from .car_base import CarScreen


class ClimateScreen(CarScreen):
    def step_setpoint(self, step: int) -> None:
        cl = self.car.climate
        value = round(cl.setpoint + step * SETPOINT_STEP, 1)
        if pv.SETPOINT_MIN <= value <= pv.SETPOINT_MAX:
            self.send(pv.ClimateCommand(state=cl.state, temperature=value),
                      "climate.setpoint", value)

    def set_state(self, state: str) -> None:
        cl = self.car.climate
        if state != cl.state:
            self.send(pv.ClimateCommand(state=state, temperature=cl.setpoint),
                      "climate.state", state)

    def next_seat_level(self, seat: str) -> None:
        cl = self.car.climate
        level = (cl.seat_left if seat == "frontLeft" else cl.seat_right) + 1
        level = 0 if level > 3 else level
        self.send(pv.HeatedSeatCommand(seat=seat, level=level), f"climate.seat.{seat}", level)

    def toggle_defrost(self, window: str) -> None:
        cl = self.car.climate
        on = not (cl.front_defrost if window == "front" else cl.rear_defrost)
        self.send(pv.DefrostCommand(window=window, on=on), f"climate.defrost.{window}", on)


register("service/climate", lambda: ClimateScreen(service="climate"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
