"""The kiosk shell of the window: it feeds :mod:`headunit.kiosk`'s machine and carries out its
effects (``ismart-headunit --kiosk``).

- every touch reaches :meth:`KioskShell._touch_down` first (bound on the Window, so before any
  widget): it counts as activity; a touch in the admin corner (top right, over the clock)
  counts towards the admin gesture and goes no further; on the attract screen a touch
  starts the demo and goes no further;
- the session moving on (a phone scanned) counts as activity too;
- a tick every half second lets the machine notice the idle timeout and retry a reset;
- the PIN pad and the admin menu are modal views over everything; the PIN is checked
  against its scrypt hash on the core's worker thread, never on the UI thread;
- the screen, the attract flag, the language and a pending reset are written to
  ``kiosk.json`` (atomically) on every change, and restored at start.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.modalview import ModalView

from .. import kiosk as km
from ..kiosk_cli import KioskOptions
from ..kiosk_store import KioskState, KioskStateStore, verify_pin
from ..session import RequestAnswered

log = logging.getLogger(__name__)

ADMIN_EXIT_CODE = 10  # "Exit kiosk mode": systemd's RestartPreventExitStatus keeps it down
CORNER_DP = 64
TICK = 0.5


class PinPad(ModalView):
    entered = StringProperty("")
    message = StringProperty("")

    def __init__(self, on_ok: Callable[[str], None], on_cancel: Callable[[], None],
                 **kwargs: Any) -> None:
        super().__init__(auto_dismiss=False, **kwargs)
        self._on_ok, self._on_cancel = on_ok, on_cancel

    def press(self, key: str) -> None:
        if key == "back":
            self.entered = self.entered[:-1]
        elif key == "ok":
            pin, self.entered = self.entered, ""
            self._on_ok(pin)
        elif key == "cancel":
            self.entered = ""
            self._on_cancel()
        elif len(self.entered) < 12:
            self.entered += key


class AdminMenu(ModalView):
    info = StringProperty("")

    def __init__(self, on_choice: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(auto_dismiss=False, **kwargs)
        self.choose = on_choice


class KioskShell:
    def __init__(self, app: Any, options: KioskOptions,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.app, self.ui, self.options, self._now = app, app.ui, options, now
        self.store = KioskStateStore(options.data_dir)
        self.saved = self.store.load()
        self.k = km.restore(options.settings, now(),
                            attract=self.saved.attract if self.saved else True,
                            reset_pending=self.saved.reset_pending if self.saved else False)
        self.exit_code = 0
        self._last_state: str | None = None
        self._checking = False
        self.pad = PinPad(self._pin_ok, self._pin_cancel)
        self.menu = AdminMenu(self._admin)

    # ------------------------------------------------------------ start

    def start(self) -> None:
        """On the Kivy thread, once the root widget is on the window."""
        Window.bind(on_touch_down=self._touch_down)
        Window.bind(on_request_close=lambda *_a, **_k: True)  # no closing from a window manager
        if self.saved is not None and self.saved.lang:
            self.ui.lang = self.saved.lang
        if self.k.attract:
            self._show("attract")
        elif self.saved is not None and self.saved.screen not in ("attract", "home"):
            self._show(self.saved.screen)
        else:
            self._show("home")
        self.ui.bind(screen=self._save, lang=self._save, view=self._view_changed)
        Clock.schedule_interval(self._tick, TICK)
        self._save()
        log.info("kiosk mode: %s, idle timeout %g s, reset on idle %s",
                 "attract screen" if self.k.attract else f"screen {self.ui.screen}",
                 self.k.settings.idle_timeout, self.k.settings.reset_on_idle)

    # ------------------------------------------------------------ inputs

    def corner(self) -> list[float]:
        side = dp(CORNER_DP)
        w, h = Window.size
        return [w - side, h - side, side, side]

    def _in_corner(self, pos: tuple[float, float]) -> bool:
        x, y, w, h = self.corner()
        return x <= pos[0] <= x + w and y <= pos[1] <= y + h

    def _touch_down(self, _window: Any, touch: Any) -> bool:
        corner = self._in_corner(touch.pos)
        starting = self.k.mode is km.Mode.ATTRACT
        self._run(km.Touched(self._now(), corner))
        return corner or starting

    def _view_changed(self, _ui: Any, view: Any) -> None:
        state = getattr(view, "state", None)
        before, self._last_state = self._last_state, state
        if before is not None and state != before and state != "no_user":
            self._run(km.Activity(self._now()))

    def _in_use(self) -> bool:
        v = self.ui.view
        return v is not None and (v.user is not None or v.binding is not None
                                  or v.state != "no_user")

    def _tick(self, _dt: float) -> None:
        self._run(km.Tick(self._now(), self._in_use()))

    def _pin_ok(self, pin: str) -> None:
        if self._checking:
            return
        self._checking = True

        def check() -> None:  # on the core's worker thread: scrypt takes a moment
            ok = verify_pin(pin, self.options.pin_hash)
            Clock.schedule_once(lambda _dt: self._pin_checked(ok))

        self.app.bridge.submit(check)

    def _pin_checked(self, ok: bool) -> None:
        self._checking = False
        if not ok:
            log.warning("kiosk: a wrong admin PIN was entered")
        self._run(km.PinEntered(self._now(), ok))

    def _pin_cancel(self) -> None:
        self._run(km.PinCancelled(self._now()))

    def _admin(self, action: str) -> None:
        self._run(km.AdminChose(self._now(), action, self._in_use()))

    def _reset_answered(self, answer: RequestAnswered) -> None:
        """Any thread: the cloud's answer to a kiosk reset."""
        def apply(_dt: float) -> None:
            if answer.ok:
                log.info("kiosk: the cloud reset the car for the next visitor")
            else:
                log.warning("kiosk: the reset for the next visitor failed: %s", answer.error)
            self._run(km.ResetAnswered(self._now(), answer.ok, answer.error))
        Clock.schedule_once(apply)

    # ------------------------------------------------------------ the machine

    def _run(self, event: km.Event) -> None:
        t = km.step(self.k, event)
        self.k = t.kiosk
        for effect in t.effects:
            if isinstance(effect, km.ShowAttract):
                self._show("attract")
            elif isinstance(effect, km.ShowStart):
                self._show("user")
            elif isinstance(effect, km.RequestReset):
                self.app.bridge.submit(self.app.hu.kiosk_reset, self._reset_answered)
            elif isinstance(effect, km.Persist):
                self._save()
            elif isinstance(effect, km.Exit):
                log.warning("kiosk: the admin left kiosk mode")
                self.exit_code = ADMIN_EXIT_CODE
                self.app.stop()
        self._sync_views()

    def _show(self, screen: str) -> None:
        self.ui.history = [] if screen in ("attract", "home") else ["home"]
        self.ui.screen = screen

    def _sync_views(self) -> None:
        mode = self.k.mode
        self.pad.message = self.ui.t(f"pin.{self.k.pin_error}") if self.k.pin_error else ""
        if mode is km.Mode.PIN and self.pad.parent is None:
            self.pad.entered = ""
            self.pad.open(animation=False)
        elif mode is not km.Mode.PIN and self.pad.parent is not None:
            self.pad.dismiss(animation=False)
        if mode is km.Mode.ADMIN and self.menu.parent is None:
            s = self.k.settings
            self.menu.info = self.ui.t("admin.info", seconds=f"{s.idle_timeout:g}", reset=self.ui.t(
                "admin.reset_on" if s.reset_on_idle else "admin.reset_off"))
            self.menu.open(animation=False)
        elif mode is not km.Mode.ADMIN and self.menu.parent is not None:
            self.menu.dismiss(animation=False)

    def _save(self, *_: Any) -> None:
        state = KioskState(attract=self.k.attract, screen=self.ui.screen, lang=self.ui.lang,
                           reset_pending=self.k.reset_pending)
        try:
            self.store.save(state)
        except OSError as exc:
            log.error("kiosk: cannot save %s: %s", self.store.path, exc)

    # ------------------------------------------------------------ for the remote control

    def describe(self) -> dict[str, Any]:
        k = self.k
        return {"mode": k.mode.value, "attract": k.attract,
                "idle_timeout": k.settings.idle_timeout, "reset_on_idle": k.settings.reset_on_idle,
                "idle_for": round(max(0.0, self._now() - k.last_touch), 1),
                "reset_pending": k.reset_pending, "reset_error": k.reset_error,
                "pin_error": k.pin_error, "corner": [round(v, 1) for v in self.corner()],
                "window": {"fullscreen": Window.fullscreen, "borderless": bool(Window.borderless),
                           "show_cursor": bool(Window.show_cursor)}}


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
