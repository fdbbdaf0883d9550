"""The remote control's methods, run on the Kivy thread (see docs/remote-control.md).

The HTTP thread (:mod:`headunit.remote.server`) never touches a widget: it schedules the
method on the Kivy clock and waits for its answer (at most :data:`ANSWER_TIMEOUT` seconds).
A method may be a generator: each ``yield`` lets one frame pass (so layouts settle, or a
screenshot is taken from a drawn frame), its return value is the answer.

Taps go through the real touch path: a touch-down and a touch-up at the widget's centre,
dispatched by Kivy's event loop like a finger's.
"""

from __future__ import annotations

import inspect as pyinspect
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.metrics import Metrics
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from .. import i18n
from ..remote.server import (
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    UI_TIMEOUT,
    RemoteServer,
    RemoteSettings,
    RpcError,
)
from .inspect import describe, is_touch_target, visible_widgets, window_rect
from .keyboard import TouchKeyboard
from .theme import THEMES

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 20.0


def _normalised(x: float, y: float) -> dict[str, float]:
    """Window pixel (x, y) as the 0..1 position a touch device reports: the window may be
    rotated (``--rotation``), and Kivy turns device positions with it."""
    win = EventLoop.window
    r = int(win.rotation) % 360
    w, h = max(1.0, win.width - 1.0), max(1.0, win.height - 1.0)  # rotated size
    if r == 90:
        return {"x": 1 - y / h, "y": x / w}
    if r == 180:
        return {"x": 1 - x / w, "y": 1 - y / h}
    if r == 270:
        return {"x": y / h, "y": 1 - x / w}
    return {"x": x / w, "y": y / h}


class RemoteTouch(MotionEvent):
    """A finger at window pixel (x, y), like ``kivy.tests.common.UnitTestTouch``."""

    def __init__(self, x: float, y: float) -> None:
        super().__init__("RemoteTouch", 4711, _normalised(x, y), is_touch=True,
                         type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def tap(self) -> None:
        EventLoop.post_dispatch_input("begin", self)
        EventLoop.post_dispatch_input("end", self)


class RemoteControl:
    def __init__(self, app: Any) -> None:
        self.app, self.ui = app, app.ui
        self.drawn = 0
        Window.bind(on_flip=self._flipped)
        self.methods: dict[str, Callable[..., Any]] = {
            "widgets": self.widgets, "tap": self.tap, "type": self.type, "state": self.state,
            "screenshot": self.screenshot, "frames": self.frames,
            "set_language": self.set_language, "set_theme": self.set_theme,
            "set_size": self.set_size, "go": self.go, "tap_at": self.tap_at,
        }
        # rig methods (the car, connection faults): run on the HTTP thread, touch no widget
        from .remote_rig import RigMethods
        self.direct: dict[str, Callable[..., Any]] = RigMethods(app.hu).methods()
        self.direct["read_qr"] = self.read_qr

    # -------------------------------------------------------------- plumbing

    def _flipped(self, *_: Any) -> None:
        self.drawn += 1

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """HTTP thread: run ``method`` on the Kivy thread and wait for its answer."""
        fn = self.methods.get(method) or self.direct.get(method)
        if fn is None:
            raise RpcError(METHOD_NOT_FOUND, f"no method {method!r}; known: "
                                             f"{', '.join(sorted([*self.methods, *self.direct]))}")
        try:
            pyinspect.signature(fn).bind(**params)
        except TypeError as exc:
            raise RpcError(INVALID_PARAMS, f"{method}: {exc}") from None
        if method in self.direct:
            return fn(**params)
        done, box = threading.Event(), {}
        Clock.schedule_once(lambda _dt: self._start(fn, params, box, done), 0)
        if not done.wait(ANSWER_TIMEOUT):
            raise RpcError(UI_TIMEOUT, f"the UI did not answer {method} within "
                                       f"{ANSWER_TIMEOUT:.0f} s")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _start(self, fn: Callable[..., Any], params: dict[str, Any], box: dict[str, Any],
               done: threading.Event) -> None:
        try:
            result = fn(**params)
        except Exception as exc:
            box["error"] = exc
            done.set()
            return
        if pyinspect.isgenerator(result):
            self._step(result, box, done)
        else:
            box["result"] = result
            done.set()

    def _step(self, gen: Iterator[None], box: dict[str, Any], done: threading.Event) -> None:
        try:
            next(gen)
        except StopIteration as stop:
            box["result"] = stop.value
            done.set()
            return
        except Exception as exc:
            box["error"] = exc
            done.set()
            return
        Clock.schedule_once(lambda _dt: self._step(gen, box, done), 0)

    # -------------------------------------------------------------- finding widgets

    def _visible(self) -> list[Widget]:
        return [w for w, _ in visible_widgets(Window)]

    def _find(self, id: str | None = None, text: str | None = None) -> Widget:
        if (id is None) == (text is None):
            raise ValueError("give exactly one of id or text")
        shown = self._visible()
        if id is not None:
            found = [w for w in shown if getattr(w, "rc_id", "") == id]
            what = f"id {id!r}"
        else:
            found = [w for w in shown if str(getattr(w, "text", "")).strip() == text.strip()]
            what = f"text {text!r}"
        if not found:
            ids = sorted({getattr(w, 'rc_id', '') for w in shown if getattr(w, 'rc_id', '')})
            raise ValueError(f"no visible widget with {what}; visible ids: {', '.join(ids)}")
        targets = [w for w in found if is_touch_target(w)]
        return (targets or found)[0]

    # -------------------------------------------------------------- methods

    def widgets(self, measure: bool = False) -> dict[str, Any]:
        return {"window": list(Window.size), "dp": Metrics.dp, "screen": self.ui.screen,
                "widgets": describe(Window, measure=measure)}

    def tap(self, id: str | None = None, text: str | None = None) -> Iterator[None]:
        w = self._find(id, text)
        rect = window_rect(w)
        if w.disabled:
            raise ValueError(f"{getattr(w, 'rc_id', '') or type(w).__name__} is disabled")
        x, y = rect[0] + rect[2] / 2, rect[1] + rect[3] / 2
        RemoteTouch(x, y).tap()
        yield
        yield
        return {"tapped": getattr(w, "rc_id", "") or type(w).__name__, "at": [x, y],
                "screen": self.ui.screen}

    def tap_at(self, x: float, y: float) -> Iterator[None]:
        """A finger at window pixel (x, y) (origin bottom left), whatever is there: e.g. the
        kiosk's admin corner, which is no widget."""
        if isinstance(x, bool) or isinstance(y, bool) or not all(
                isinstance(v, (int, float)) for v in (x, y)):
            raise ValueError("x and y are window pixels (numbers), origin bottom left")
        if not (0 <= x < Window.width and 0 <= y < Window.height):
            raise ValueError(f"({x}, {y}) is outside the window {list(Window.size)}")
        RemoteTouch(float(x), float(y)).tap()
        yield
        yield
        return {"tapped": None, "at": [x, y], "screen": self.ui.screen}

    def type(self, text: str) -> Iterator[None]:
        keyboards = [w for w in self._visible() if isinstance(w, TouchKeyboard)]
        if keyboards:
            kb = keyboards[0]
            for ch in text:
                for key in kb.plan(ch):
                    matches = [w for w in kb.walk(restrict=True)
                               if getattr(w, "rc_id", "") == key]
                    if not matches:
                        raise ValueError(f"the keyboard shows no key {key}")
                    rect = window_rect(matches[0])
                    RemoteTouch(rect[0] + rect[2] / 2, rect[1] + rect[3] / 2).tap()
                    yield
            yield
            return {"typed": len(text), "via": "keyboard"}
        focused = [w for w in self._visible() if isinstance(w, TextInput) and w.focus]
        if not focused:
            raise ValueError("no on-screen keyboard is shown and no text field has the focus; "
                             "tap a field first")
        focused[0].insert_text(text)
        yield
        return {"typed": len(text), "via": "focus"}

    def state(self) -> dict[str, Any]:
        v = self.ui.view
        out: dict[str, Any] = v.to_json() if v is not None else {"state": None}
        sm_screen = self.app.root.ids.sm.current_screen if self.app.root else None
        focused = [getattr(w, "rc_id", "") for w in self._visible()
                   if isinstance(w, TextInput) and w.focus]
        out.update(screen=self.ui.screen, panel=getattr(sm_screen, "panel", None),
                   lang=self.ui.lang, theme=self.ui.theme, notice_text=self.ui.notice,
                   window=list(Window.size), focus=focused[0] if focused else None,
                   now=self.ui.now)
        kiosk = getattr(self.app, "kiosk", None)
        out["kiosk"] = kiosk.describe() if kiosk is not None else None
        return out

    def screenshot(self, path: str) -> Iterator[None]:
        target = Path(path).expanduser().resolve()
        if target.suffix.lower() != ".png":
            raise ValueError("a screenshot path must end in .png")
        target.parent.mkdir(parents=True, exist_ok=True)
        taken: dict[str, str] = {}

        def grab(*_: Any) -> None:
            # before the buffers swap: the back buffer holds exactly this frame
            Window.unbind(on_flip=grab)
            if Window.rotation:
                taken["path"] = _grab_rotated(target.with_name(target.stem + "-r.png"))
            else:
                taken["path"] = Window.screenshot(
                    name=str(target.with_name(target.stem + "-.png")))
            v = self.ui.view  # what this frame shows
            taken["qr"] = v.qr.content if v is not None and v.qr is not None else None
            taken["state"] = v.state if v is not None else None

        Window.bind(on_flip=grab)
        Window.canvas.ask_update()
        for _ in range(120):
            yield
            if "path" in taken:
                break
        else:
            Window.unbind(on_flip=grab)
            raise RpcError(UI_TIMEOUT, "no frame was drawn for the screenshot")
        os.replace(taken["path"], target)
        return {"path": str(target), "window": list(Window.size), "state": taken["state"],
                "qr": taken["qr"], "screen": self.ui.screen}

    def read_qr(self) -> dict[str, Any]:
        """HTTP thread: the QR code in the next drawn frame, decoded from its pixels with
        zxing-cpp (as a phone's camera reads it), beside the code the car means to show."""
        import tempfile

        import zxingcpp
        from PIL import Image

        with tempfile.TemporaryDirectory(prefix="ismart-qr-") as tmp:
            shot = self.call("screenshot", {"path": str(Path(tmp) / "frame.png")})
            with Image.open(shot["path"]) as img:
                codes = [c.text for c in zxingcpp.read_barcodes(img.convert("RGB"))
                         if c.format == zxingcpp.BarcodeFormat.QRCode]
        return {"text": codes[0] if len(codes) == 1 else None, "codes": len(codes),
                "shown": shot["qr"], "state": shot["state"], "screen": shot["screen"]}

    def frames(self) -> dict[str, int]:
        return {"frames": int(Clock.frames), "drawn": self.drawn}

    def set_language(self, lang: str) -> Iterator[None]:
        if lang not in i18n.LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; choose {', '.join(i18n.LANGUAGES)}")
        self.ui.lang = lang
        yield from self._settle()
        return {"lang": self.ui.lang}

    def set_theme(self, theme: str) -> Iterator[None]:
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}; choose {', '.join(THEMES)}")
        self.ui.theme = theme
        yield from self._settle()
        return {"theme": self.ui.theme}

    def set_size(self, width: int, height: int) -> Iterator[None]:
        if not (isinstance(width, int) and isinstance(height, int)) or width < 320 \
                or height < 240:
            raise ValueError("width and height are whole pixels, at least 320x240")
        Window.size = (width, height)
        for _ in range(120):
            yield
            if tuple(Window.size) == (width, height):
                break
        yield from self._settle()
        return {"window": list(Window.size)}

    def go(self, screen: str) -> Iterator[None]:
        self.ui.go(screen)
        yield from self._settle()
        return {"screen": self.ui.screen}

    def _settle(self, frames: int = 4) -> Iterator[None]:
        for _ in range(frames):
            yield


def _grab_rotated(path: Path) -> str:
    """The drawn frame as the user sees it on a rotated window (``--rotation``): Kivy's own
    screenshot reads the rotated size from the unrotated framebuffer."""
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    sw, sh = (int(v) for v in Window.system_size)
    data = glReadPixels(0, 0, sw, sh, GL_RGB, GL_UNSIGNED_BYTE)
    image = Image.frombytes("RGB", (sw, sh), data).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    image.rotate(-Window.rotation, expand=True).save(path)
    return str(path)


def start_remote_control(app: Any, settings: RemoteSettings) -> RemoteServer:
    control = RemoteControl(app)
    server = RemoteServer(settings, control.call).start()
    log.info("remote control listening on %s", server.url)
    # the line rigs and tests wait for (stdout, like the headless head unit's JSON lines)
    sys.stdout.write(json.dumps({"event": "remote_control", "url": server.url}) + "\n")
    sys.stdout.flush()
    return server
