"""The head unit's Kivy app: it only wires the core, the screens and the remote control.

- the core runs on its own worker thread (:class:`~headunit.ui.bridge.CoreBridge`); the
  app hands it the 4 Hz tick from the Kivy clock and the touches' actions;
- each new View from the core (on paho's or the worker's thread) reaches the
  :class:`~headunit.ui.model.UiModel` through ``Clock.schedule_once``: widgets change only
  on the Kivy thread;
- the screens observe the model (see ``headunit/ui/screens``).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.config import Config
from kivy.properties import ObjectProperty

from ..controller import HeadUnit, View
from ..remote.server import RemoteSettings
from .bridge import CoreBridge
from .model import UiModel

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25
# what a touch may ask of the core (HeadUnit methods)
ACTIONS = frozenset({"open_password_login", "cancel_password_login", "submit_password",
                     "logout",
                     "car_command"})  # the car's screens: HeadUnit.car_command(command, rid)


TOUCH_INPUTS = ("sdl", "hidinput", "mtdev")


def configure(size: tuple[int, int], fullscreen: bool, *, kiosk: bool = False,
              rotation: int = 0, touch: str | None = None) -> None:
    """Window settings; must run before Kivy creates the window. A kiosk fills the screen
    with no border and no cursor; ``rotation`` turns the picture (and the touches) for a
    display mounted the other way, e.g. the Touch Display 2 (portrait) used in landscape."""
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen or kiosk else "0")
    Config.set("graphics", "rotation", str(rotation))
    if kiosk:
        from .display import x11_screen_size
        screen = x11_screen_size()
        if screen is not None:  # the whole screen from the start (see display.py)
            Config.set("graphics", "width", str(screen[0]))
            Config.set("graphics", "height", str(screen[1]))
            Config.set("graphics", "position", "custom")
            Config.set("graphics", "left", "0")
            Config.set("graphics", "top", "0")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")
        Config.set("kivy", "pause_on_minimize", "0")
    Config.set("graphics", "resizable", "1")
    Config.set("graphics", "maxfps", "60")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if touch is not None:
        # one source of touches only, or every tap counts twice: SDL's (touches arrive as
        # mouse events, under X, Wayland or KMS/DRM), or Kivy reading /dev/input itself
        for option in Config.options("input"):
            Config.remove_option("input", option)
        if touch == "sdl":
            Config.set("input", "mouse", "mouse,disable_multitouch")
        else:
            Config.set("input", "touch", f"probesysfs,provider={touch}")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")


class HeadUnitApp(App):
    ui = ObjectProperty(None)

    def __init__(self, hu: HeadUnit, *, lang: str, theme: str,
                 remote: RemoteSettings | None = None, kiosk: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hu, self.remote_settings = hu, remote
        self.kiosk_options, self.kiosk = kiosk, None  # KioskOptions; KioskShell once started
        self.title = f"iSmart head unit — {hu.identity.model} {hu.identity.vin}"
        self.bridge = CoreBridge(hu, self._deliver)
        self.ui = UiModel(act=self._act, now=hu.clock.now, lang=lang, theme=theme)
        self.remote: Any = None
        self._pending: View | None = None
        self._pending_lock = threading.Lock()

    def build(self) -> Any:
        from kivy.core.window import Window

        from . import widgets  # noqa: F401  (registers the building blocks' rules)
        from .root import Root

        Window.bind(size=self._resized)
        self._resized(Window, Window.size)
        Clock.schedule_interval(self._tick, TICK_SECONDS)
        self.bridge.start()
        if self.remote_settings is not None:
            from .remote_control import start_remote_control
            self.remote = start_remote_control(self, self.remote_settings)
        return Root()

    def on_start(self) -> None:
        if self.kiosk_options is not None:
            from .kiosk import KioskShell
            self.kiosk = KioskShell(self, self.kiosk_options)
            self.kiosk.start()

    def on_stop(self) -> None:
        if self.remote is not None:
            self.remote.stop()
        self.bridge.stop()

    # -------------------------------------------------------------- wiring

    def _resized(self, window: Any, size: tuple[int, int]) -> None:
        from kivy.metrics import Metrics
        self.ui.set_window_size(size[0], size[1], Metrics.density)

    def _tick(self, _dt: float) -> None:
        self.bridge.tick()
        self.ui.tick()

    def _deliver(self, view: View) -> None:
        """Any thread: keep the newest view and apply it on the Kivy thread."""
        with self._pending_lock:
            first = self._pending is None
            self._pending = view
        if first:
            Clock.schedule_once(self._apply_view, -1)

    def _apply_view(self, _dt: float) -> None:
        with self._pending_lock:
            view, self._pending = self._pending, None
        if view is not None:
            self.ui.apply_view(view)

    def _act(self, action: str, *args: Any) -> None:
        if action not in ACTIONS:
            log.error("the touchscreen asked for an unknown action %r", action)
            return
        self.bridge.submit(getattr(self.hu, action), *args)


def run_window(hu: HeadUnit, *, size: tuple[int, int], lang: str, theme: str,
               fullscreen: bool, remote: RemoteSettings | None = None, kiosk: Any = None,
               rotation: int = 0, touch: str | None = None) -> int:
    """Open the touchscreen window and run until it is closed; the connection is started
    (off the UI thread) and stopped here. ``kiosk``: a :class:`~.kiosk.KioskOptions`. Returns
    the exit code (a kiosk's admin exit: :data:`~.kiosk.ADMIN_EXIT_CODE`)."""
    configure(size, fullscreen, kiosk=kiosk is not None, rotation=rotation, touch=touch)
    app = HeadUnitApp(hu, lang=lang, theme=theme, remote=remote, kiosk=kiosk)
    # SIGTERM (systemd, a test's stop) and Ctrl-C close the window cleanly: the availability
    # topic then says offline at once instead of after the broker's keep-alive. A second
    # Ctrl-C interrupts at once, should closing hang.

    def close(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        Clock.schedule_once(lambda _dt: app.stop())

    signal.signal(signal.SIGTERM, close)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored by a shell
        signal.signal(signal.SIGINT, close)
    try:
        app.run()
    finally:
        hu.link.conn.stop()
    return app.kiosk.exit_code if app.kiosk is not None else 0
