"""Vehicle status (Køretøj status): the car seen from above with its doors, bonnet, boot,
windows, sunroof and tyres marked, and the locks, alarm, lights, 12 V battery, odometer and
traction battery beside it. Also what the main menu's Vehicle entry opens."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from .. import car_drawing  # noqa: F401  (CarDrawing for the .kv)
from . import register
from .car_base import CarScreen


class VehicleStatusScreen(CarScreen):
    pass


register("service/vehicle_status", lambda: VehicleStatusScreen(service="vehicle_status"))
register("home/vehicle", lambda: VehicleStatusScreen(service="vehicle_status"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
