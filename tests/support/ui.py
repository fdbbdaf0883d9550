"""A real head-unit window for tests and screenshots: Xvfb with GLX (Mesa's software OpenGL,
never Kivy's mock GL), and ``ismart-headunit`` driven through its remote control."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from headunit.remote.client import RemoteClient
from tests.support.procs import Proc, program

SCREEN = "1920x1280x24"  # room for every window size the tests use, portrait included


class Xvfb:
    """A virtual X display on a free display number (Xvfb picks it: -displayfd)."""

    def __init__(self, screen: str = SCREEN) -> None:
        binary = shutil.which("Xvfb")
        if binary is None:
            raise RuntimeError("Xvfb is not installed; run 'make test' (it installs it) or "
                               "apt-get install xvfb")
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            [binary, "-displayfd", str(w), "-screen", "0", screen, "+extension", "GLX",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        number = b""
        with os.fdopen(r, "rb") as pipe:
            while not number.endswith(b"\n"):
                chunk = pipe.read(1)
                if not chunk:
                    raise RuntimeError("Xvfb exited before it named its display")
                number += chunk
        self.display = f":{number.decode().strip()}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def kivy_env(display: str, home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    env = {"DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home),
           "KIVY_NO_FILELOG": "1"}
    if os.environ.get("KIVY_GL_BACKEND") == "mock":
        raise RuntimeError("KIVY_GL_BACKEND=mock draws nothing; the UI tests need real OpenGL")
    return env


class HeadUnitWindow:
    """``ismart-headunit`` in a window, with its remote control on a free port."""

    def __init__(self, display: str, broker_url: str, root: Path, *, size: str = "800x480",
                 lang: str = "en", theme: str = "night", name: str = "hu-window",
                 vin: str | None = None, extra: tuple[str, ...] = ()) -> None:
        self.token = secrets.token_urlsafe(16)
        args = [program("ismart-headunit"), "--broker", broker_url,
                "--data-dir", str(root / name), "--size", size, "--lang", lang,
                "--theme", theme, "--remote-control", "127.0.0.1:0",
                f"--remote-token={self.token}", *extra]  # '=': a token may start with '-'

        if vin:
            args += ["--vin", vin]
        self.proc = Proc(args, name=name, log_dir=root / "logs",
                         env=kivy_env(display, root / f"{name}-kivy"))
        line = self.proc.wait_for(lambda line: line["event"] == "remote_control", 60,
                                  "remote_control line")
        self.url = line["url"]
        self.rc = RemoteClient(self.url, self.token)

    def wait_state(self, timeout: float = 20.0, what: str = "a state", **match: Any) -> dict:
        return self.rc.wait_for(lambda s: all(s.get(k) == v for k, v in match.items()),
                                timeout, f"{what} {match}")

    def settle(self, frames: int = 3) -> None:
        """Let a few frames pass (layouts and textures update on the next frames)."""
        start = self.rc.frames()["frames"]
        deadline = time.monotonic() + 10
        while self.rc.frames()["frames"] < start + frames and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.stop()


def decode_qr(png: Path) -> list[dict[str, Any]]:
    """Every QR code zxing-cpp finds in the picture: its text and its box in pixels."""
    found = []
    for code in zxingcpp.read_barcodes(Image.open(png).convert("RGB")):
        if code.format != zxingcpp.BarcodeFormat.QRCode:
            continue
        p = code.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        found.append({"text": code.text, "box": (min(xs), min(ys), max(xs), max(ys))})
    return found
