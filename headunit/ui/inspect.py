"""Describes what is on screen: every visible widget, where it is, what it says, whether it
takes touches, and (on request) how much room its text really needs.

Used by the remote control's ``widgets`` method. Coordinates are window pixels with Kivy's
origin at the bottom left: ``rect = [x, y, width, height]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget


def is_touch_target(w: Widget) -> bool:
    return isinstance(w, (ButtonBehavior, TextInput))


def visible_widgets(root: Widget) -> Iterator[tuple[Widget, int]]:
    """Depth-first (parents first): each widget drawn with some opacity, and its parent's
    index in this walk (-1 for the top). A widget with opacity 0 hides its subtree."""
    out: list[Widget] = []

    def walk(w: Widget, parent: int) -> Iterator[tuple[Widget, int]]:
        if w.opacity <= 0.01:
            return
        index = len(out)
        out.append(w)
        yield w, parent
        for child in reversed(w.children):  # children are stored last-added first
            yield from walk(child, index)

    for top in reversed(root.children):
        yield from walk(top, -1)


def window_rect(w: Widget) -> list[float]:
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return [round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1)]


def kv_ids(widgets: list[Widget]) -> dict[int, str]:
    """``id(widget) -> its kv id`` from the ``ids`` of every rule's root."""
    names: dict[int, str] = {}
    for w in widgets:
        for name, ref in w.ids.items():
            target = getattr(ref, "__self__", ref)
            names.setdefault(id(target), name)
    return names


def needed_text_size(label: Label) -> tuple[int, int]:
    """The size the label's whole text needs, wrapped at its text width (if it wraps), never
    shortened: what must fit inside the widget for nothing to be clipped."""
    options = dict(label._label.options)
    width = label.text_size[0]
    options.update(text=label.text, shorten=False, max_lines=0,
                   text_size=(width, None) if width else (None, None))
    options.pop("font_name_r", None)
    core = CoreLabel(**options)
    core.refresh()
    w, h = core.texture.size if core.texture else (0, 0)
    if width:
        # wrapping breaks a word that is wider than the line inside the word: that is
        # clipped text to a reader, so the widest word must fit on a line of its own
        for word in set(label.text.split()):
            one = CoreLabel(**{**options, "text": word, "text_size": (None, None)})
            one.refresh()
            w = max(w, one.texture.size[0] if one.texture else 0)
    return w, h


def describe(root: Widget, *, measure: bool = False) -> list[dict[str, Any]]:
    pairs = list(visible_widgets(root))
    names = kv_ids([w for w, _ in pairs])
    described: list[dict[str, Any]] = []
    for w, parent in pairs:
        d: dict[str, Any] = {
            "id": getattr(w, "rc_id", "") or names.get(id(w), ""),
            "cls": type(w).__name__,
            "rect": window_rect(w),
            "parent": parent,
            "touch": is_touch_target(w),
            "disabled": bool(w.disabled),
        }
        if isinstance(w, Label):
            d["text"] = w.text
            d["font_size"] = round(float(w.font_size), 1)
            d["texture_size"] = list(w.texture_size)
            d["shorten"] = bool(w.shorten)
            if measure and w.text:
                d["needed_size"] = list(needed_text_size(w))
        elif isinstance(w, TextInput):
            d["text"] = "•" * len(w.text) if w.password else w.text
            d["hint_text"] = w.hint_text
            d["focus"] = bool(w.focus)
        elif isinstance(getattr(w, "text", None), str):  # tiles, banners: a text property
            d["text"] = w.text
        if isinstance(getattr(w, "icon", None), str):
            d["icon"] = w.icon
        if hasattr(w, "module_px"):  # the QR image
            d["qr"] = {"modules": int(w.modules), "module_px": int(w.module_px)}
        described.append(d)
    return described
