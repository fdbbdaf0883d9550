"""Icon glyphs: code points of the Material Icons font shipped in ``headunit/ui/fonts``."""

from __future__ import annotations

from pathlib import Path

FONT = str(Path(__file__).parent / "fonts" / "MaterialIcons-Regular.ttf")

CODEPOINTS: dict[str, int] = {
    "navigation": 0xE55D, "music_note": 0xE405, "phone": 0xE0CD, "directions_car": 0xE531,
    "apps": 0xE5C3, "settings": 0xE8B8, "person": 0xE7FD, "account_circle": 0xE853,
    "cloud_done": 0xE2BF, "cloud_off": 0xE2C1, "ac_unit": 0xEB3B, "ev_station": 0xE56D,
    "key": 0xE73C, "my_location": 0xE55C, "map": 0xE55B, "dashboard": 0xE871,
    "notifications": 0xE7F4, "logout": 0xE9BA, "arrow_back": 0xE5C4, "language": 0xE894,
    "dark_mode": 0xE51C, "light_mode": 0xE518, "backspace": 0xE14A,
    "keyboard_return": 0xE31B, "keyboard_capslock": 0xE318, "space_bar": 0xE256,
    "qr_code_2": 0xE00A, "smartphone": 0xE32C, "check_circle": 0xE86C,
    "error_outline": 0xE001, "warning": 0xE002, "lock": 0xE897, "schedule": 0xE8B5,
    "info": 0xE88E, "close": 0xE5CD, "link": 0xE157, "login": 0xEA77,
    # the car's screens (issue 5)
    "lock_open": 0xE898, "battery_charging_full": 0xE1A3, "battery_full": 0xE1A4,
    "battery_alert": 0xE19C, "power": 0xE63C, "thermostat": 0xF076, "event_seat": 0xE903,
    "flag": 0xE153, "explore": 0xE87A, "volume_up": 0xE050, "campaign": 0xEF49,
    "wb_incandescent": 0xE42E, "speed": 0xE9E4, "add": 0xE145, "remove": 0xE15B,
    "chevron_left": 0xE5CB, "chevron_right": 0xE5CC, "security": 0xE32A,
    "tire_repair": 0xEBC8, "local_parking": 0xE54F, "stop": 0xE047, "window": 0xF088,
    "wb_sunny": 0xE430, "air": 0xEFD8, "straighten": 0xE41C, "play_arrow": 0xE037,
}

# the keyboard's special keys drawn as icons
KEY_ICONS = {"shift": "keyboard_capslock", "backspace": "backspace", "enter": "keyboard_return"}


def glyph(name: str) -> str:
    """The character that draws icon ``name`` in :data:`FONT`."""
    try:
        return chr(CODEPOINTS[name])
    except KeyError:
        raise KeyError(f"no icon {name!r}; add its code point to headunit/ui/icons.py") from None
