"""Day and night palettes and the size scale of the head unit's screens (plain data, no Kivy).

Colours are RGBA tuples in 0..1, as Kivy wants them. The night theme is the car's default
look after dark: near-black surfaces, bright type, one accent colour.
"""

from __future__ import annotations

from dataclasses import dataclass

THEMES = ("day", "night")

RGBA = tuple[float, float, float, float]


def hex_rgba(code: str, alpha: float = 1.0) -> RGBA:
    code = code.lstrip("#")
    r, g, b = (int(code[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True)
class Palette:
    name: str
    bg: RGBA          # the screen behind everything
    bar: RGBA         # the status bar
    surface: RGBA     # tiles and cards
    surface_hi: RGBA  # pressed tiles, fields
    text: RGBA
    muted: RGBA       # secondary text
    accent: RGBA      # icons, primary buttons
    on_accent: RGBA   # text on the accent colour
    ok: RGBA
    warn: RGBA
    danger: RGBA      # error text and icons
    danger_bg: RGBA   # error banners
    on_danger: RGBA
    line: RGBA        # thin separators and field outlines

    def colours(self) -> dict[str, RGBA]:
        """Name -> colour (screens bind to this dict: a new theme is a new dict)."""
        return {k: v for k, v in self.__dict__.items() if k != "name"}


PALETTES: dict[str, Palette] = {
    "night": Palette(
        "night", bg=hex_rgba("0b0e13"), bar=hex_rgba("12161d"), surface=hex_rgba("1a2029"),
        surface_hi=hex_rgba("262e3a"), text=hex_rgba("f1f4f8"), muted=hex_rgba("9aa5b4"),
        accent=hex_rgba("3ea6ff"), on_accent=hex_rgba("04121f"), ok=hex_rgba("3ddc84"),
        warn=hex_rgba("ffb547"), danger=hex_rgba("ff8a80"), danger_bg=hex_rgba("8c1d18"), on_danger=hex_rgba("ffffff"),
        line=hex_rgba("323b48")),
    "day": Palette(
        "day", bg=hex_rgba("e9edf2"), bar=hex_rgba("ffffff"), surface=hex_rgba("ffffff"),
        surface_hi=hex_rgba("dde3ea"), text=hex_rgba("111820"), muted=hex_rgba("566170"),
        accent=hex_rgba("0b63c4"), on_accent=hex_rgba("ffffff"), ok=hex_rgba("137a3d"),
        warn=hex_rgba("8a5300"), danger=hex_rgba("b3261e"), danger_bg=hex_rgba("b3261e"), on_danger=hex_rgba("ffffff"),
        line=hex_rgba("c5cdd8")),
}


def palette(theme: str) -> Palette:
    try:
        return PALETTES[theme]
    except KeyError:
        raise ValueError(f"unknown theme {theme!r}; choose one of {', '.join(THEMES)}") from None


def scale_for(width: float, height: float, density: float = 1.0) -> float:
    """How much larger than the 800x480 baseline type and spacing are drawn (1.0 .. 1.6).

    Taken from the shorter side, so a 1920x720 bar display and a 720x1280 portrait panel get
    the same type size as a 1280x720 screen.
    """
    short = min(width, height) / max(density, 0.1)
    return max(1.0, min(1.6, short / 480.0))
