"""The screens of the head unit, by name, made when first shown.

A screen is a :class:`BaseScreen` subclass in its own module with a ``.kv`` beside it. Its
name is how the rest of the UI reaches it (``app.ui.go('settings')``). A name ending in
``/`` registers a family: ``service/`` makes ``service/climate``, ``service/ev``, ... with
the part after the slash as the screen's ``key``; an exact name wins over its family, so
the vehicle-services issue adds a real climate screen with
``register("service/climate", ClimateScreen)`` in a new module listed in :data:`BUILTIN`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

BUILTIN = ("home", "user", "settings", "placeholder", "attract",
           # the car's screens (issue 5): they replace the service placeholders
           "vehicle_status", "ev", "climate", "find_my_car", "navigation", "notifications",
           "digital_key")


class BaseScreen(Screen):
    """A screen: its title in the status bar is ``app.ui.s[title_key]``."""

    title_key = StringProperty("app.title")
    key = StringProperty("")  # the part after the slash of a family name


ScreenFactory = Callable[[], BaseScreen]
_exact: dict[str, ScreenFactory] = {}
_families: dict[str, ScreenFactory] = {}


def register(name: str, factory: ScreenFactory) -> None:
    (_families if name.endswith("/") else _exact)[name] = factory


def make(name: str) -> BaseScreen:
    """A new screen for ``name``; ValueError names the known screens when there is none."""
    if name in _exact:
        screen = _exact[name]()
    else:
        family, _, key = name.rpartition("/")
        factory = _families.get(family + "/") if family else None
        if factory is None or not key:
            known = sorted([*_exact, *(f + "…" for f in _families)])
            raise ValueError(f"no screen {name!r}; known: {', '.join(known)}")
        screen = factory()
        screen.key = key
    screen.name = name
    return screen


def known() -> list[str]:
    return sorted([*_exact, *_families])


def load_builtin() -> None:
    for module in BUILTIN:
        importlib.import_module(f"{__name__}.{module}")
