"""The size of the X screen, asked before Kivy creates its window (no Kivy here).

A kiosk asks SDL for a fullscreen window. On an X server without a window manager (a bare
``xinit`` kiosk, or Xvfb in the tests) nobody honours that request: the window keeps the
size it was created with while Kivy lays out for the whole screen. Creating the window at
the screen's size from the start makes fullscreen right with or without a window manager.
On KMS/DRM (no X) SDL's window is the display mode anyway, so this is not needed there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os


def x11_screen_size() -> tuple[int, int] | None:
    """(width, height) of the default screen of ``$DISPLAY``, or None (no X, no libX11)."""
    if not os.environ.get("DISPLAY"):
        return None
    name = ctypes.util.find_library("X11")
    if name is None:
        return None
    try:
        x11 = ctypes.CDLL(name)
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        for fn in ("XDefaultScreen", "XDisplayWidth", "XDisplayHeight", "XCloseDisplay"):
            getattr(x11, fn).argtypes = [ctypes.c_void_p] + (
                [ctypes.c_int] if fn in ("XDisplayWidth", "XDisplayHeight") else [])
        display = x11.XOpenDisplay(None)
        if not display:
            return None
        try:
            screen = x11.XDefaultScreen(display)
            size = int(x11.XDisplayWidth(display, screen)), int(x11.XDisplayHeight(display, screen))
        finally:
            x11.XCloseDisplay(display)
    except (OSError, AttributeError):
        return None
    return size if size[0] > 0 and size[1] > 0 else None
