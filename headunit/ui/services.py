"""The iSmart services a bound user sees on the head unit, per model (plain data).

Each service has a key (its screen is ``service/<key>``, its title ``service.<key>`` in
:mod:`headunit.i18n`) and an icon. Until the vehicle-services issue adds real screens, each
opens the placeholder screen.
"""

from __future__ import annotations

SERVICES: tuple[tuple[str, str], ...] = (
    ("climate", "ac_unit"),
    ("ev", "ev_station"),
    ("digital_key", "key"),
    ("find_my_car", "my_location"),
    ("map_poi", "map"),
    ("vehicle_status", "dashboard"),
    ("notifications", "notifications"),
)

ICONS = dict(SERVICES)


def services_for(model: str) -> tuple[tuple[str, str], ...]:
    """The services of ``model`` (every MG model here has them all)."""
    return SERVICES
