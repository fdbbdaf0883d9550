"""Navigation (the main menu's Navigation entry and the Map & POI service): the destination
or point of interest the phone sent to the car (``status.navigation``) -- its name, address,
position, when it arrived and how far and which way it is from the car -- or "No
destination" with how to send one."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from .. import compass  # noqa: F401  (Compass for the .kv)
from . import register
from .car_base import CarScreen


class NavigationScreen(CarScreen):
    pass


register("home/navigation",
         lambda: NavigationScreen(service="map_poi", title_key="home.navigation"))
register("service/map_poi", lambda: NavigationScreen(service="map_poi"))
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
