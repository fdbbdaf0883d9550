"""The User menu's panels: one per state of the head unit's session.

:data:`PANELS` maps each session state (``View.state``) to the name of the panel that shows
it; :func:`register` adds a panel. An issue that adds a state (e.g. a force-unbind pending)
writes its panel as a module here with a ``.kv`` beside it, calls
``register("force_unbind", ForceUnbindPanel, "force_unbind_pending")`` in it, and lists the
module in :data:`BUILTIN`. A state without a panel shows the login panel and logs a warning.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from kivy.uix.widget import Widget

BUILTIN = ("qr", "scanned", "password", "profile")

PanelFactory = Callable[[], Widget]
PANELS: dict[str, str] = {}            # session state -> panel name
_factories: dict[str, PanelFactory] = {}


def register(name: str, factory: PanelFactory, *states: str) -> None:
    _factories[name] = factory
    for state in states:
        PANELS[state] = name


def make(name: str) -> Widget:
    return _factories[name]()


def load_builtin() -> None:
    for module in BUILTIN:
        importlib.import_module(f"{__name__}.{module}")
