"""Layout checks on the remote control's ``widgets`` answer: what a person would see as
broken on a screen."""

from __future__ import annotations

from typing import Any

TOLERANCE = 1.0  # px: rounding of layouts
MIN_TOUCH_DP = 48


def _inside(inner: list[float], outer: list[float], tol: float = TOLERANCE) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - tol and y >= oy - tol and x + w <= ox + ow + tol and y + h <= oy + oh + tol


def _overlap(a: list[float], b: list[float]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > TOLERANCE and dy > TOLERANCE else 0.0


def _name(w: dict[str, Any]) -> str:
    text = w.get("text") or ""
    label = f" {text[:40]!r}" if text and w["cls"] != "Icon" else ""
    return f"{w['cls']}{'#' + w['id'] if w['id'] else ''}{label}"


def problems(snapshot: dict[str, Any]) -> list[str]:
    """Every layout fault on screen: text that needs more room than its widget has (or is
    shortened), widgets outside the window or outside their parent, touch targets smaller
    than 48 dp, and touch targets on top of each other."""
    ww, wh = snapshot["window"]
    window = [0.0, 0.0, float(ww), float(wh)]
    min_touch = MIN_TOUCH_DP * snapshot["dp"]
    widgets = snapshot["widgets"]
    found: list[str] = []

    def ancestors(i: int) -> set[int]:
        seen = set()
        while widgets[i]["parent"] >= 0:
            i = widgets[i]["parent"]
            seen.add(i)
        return seen

    for w in widgets:
        rect = w["rect"]
        sized = rect[2] > 0 and rect[3] > 0
        if w.get("text") and w.get("needed_size"):
            nw, nh = w["needed_size"]
            if nw > rect[2] + TOLERANCE or nh > rect[3] + TOLERANCE:
                found.append(f"{_name(w)} needs {nw}x{nh} px but has {rect[2]:.0f}x{rect[3]:.0f}")
        if w.get("shorten"):
            found.append(f"{_name(w)} is shortened (ellipsised)")
        if sized and not _inside(rect, window):
            found.append(f"{_name(w)} at {rect} is outside the {ww}x{wh} window")
        parent = widgets[w["parent"]] if w["parent"] >= 0 else None
        if sized and parent is not None and parent["rect"][2] > 0 \
                and not _inside(rect, parent["rect"]):
            found.append(f"{_name(w)} at {rect} sticks out of its parent {_name(parent)} "
                         f"at {parent['rect']}")
        if w["touch"] and (rect[2] < min_touch - TOLERANCE or rect[3] < min_touch - TOLERANCE):
            found.append(f"touch target {_name(w)} is {rect[2]:.0f}x{rect[3]:.0f} px, "
                         f"smaller than {MIN_TOUCH_DP} dp ({min_touch:.0f} px)")
    targets = [i for i, w in enumerate(widgets) if w["touch"]]
    for n, i in enumerate(targets):
        for j in targets[n + 1:]:
            if i in ancestors(j) or j in ancestors(i):
                continue
            if _overlap(widgets[i]["rect"], widgets[j]["rect"]):
                found.append(f"touch targets {_name(widgets[i])} and {_name(widgets[j])} "
                             "overlap")
    return found


def texts(snapshot: dict[str, Any]) -> list[str]:
    return [w["text"] for w in snapshot["widgets"] if w.get("text") and w["cls"] != "Icon"]
