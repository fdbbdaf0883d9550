"""Numbers, times and durations as the car's screens write them, in English or Danish
(no Kivy here): ``21.5 °C`` / ``21,5 °C``, ``12,345 km`` / ``12.345 km``, ``2 h 10 min`` /
``2 t 10 min``."""

from __future__ import annotations

import time

from .. import i18n


def num(value: float, digits: int, lang: str) -> str:
    """``value`` with ``digits`` decimals and thousands separators in ``lang``'s style."""
    text = f"{value:,.{digits}f}"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def temp(value: float, lang: str) -> str:
    return f"{num(value, 1, lang)} °C"


def clock(t: float) -> str:
    """The local time of day of ``t`` (simulated seconds since the epoch)."""
    return time.strftime("%H:%M", time.localtime(t))


def when(t: float, now: float) -> str:
    """``14:02`` on the day of ``now``, else ``24.12. 14:02``."""
    same_day = time.localtime(t)[:3] == time.localtime(now)[:3]
    return clock(t) if same_day else time.strftime("%d.%m. %H:%M", time.localtime(t))


def duration(seconds: float, lang: str) -> str:
    """``53 min``, ``2 h 10 min`` (``2 t 10 min`` in Danish); whole minutes, rounded up."""
    minutes = max(0, int(-(-seconds // 60)))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return i18n.text("unit.minutes", lang, m=minutes)
    return i18n.text("unit.hours_minutes", lang, h=hours, m=minutes)


COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
COMPASS_DA = ("N", "NØ", "Ø", "SØ", "S", "SV", "V", "NV")


def compass(heading: float, lang: str) -> str:
    """The compass point of ``heading`` degrees: ``NE`` (``NØ`` in Danish)."""
    names = COMPASS_DA if lang == "da" else COMPASS
    return names[int((heading % 360) / 45 + 0.5) % 8]


def latitude(value: float, lang: str) -> str:
    hemi = "N" if value >= 0 else "S"
    return f"{num(abs(value), 5, lang)}° {hemi}"


def longitude(value: float, lang: str) -> str:
    east = "E" if lang == "en" else "Ø"
    hemi = east if value >= 0 else ("W" if lang == "en" else "V")
    return f"{num(abs(value), 5, lang)}° {hemi}"
