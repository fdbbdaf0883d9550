"""The iSmart services a bound user sees on the head unit, per model (plain data).

Each service has a key (its screen is ``service/<key>``, its title ``service.<key>`` in
:mod:`headunit.i18n`), an icon, and the name the protocol and the model catalogue give it
(``ev`` is ``ev_management`` there). A service the car's model lacks has no tile.
"""

from __future__ import annotations

from typing import Any

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

# UI key -> the service's name in headunit.protocol.vehicle.SERVICES
PROTOCOL_NAMES = {key: ("ev_management" if key == "ev" else key) for key, _ in SERVICES}


def available_services(vehicle: Any) -> list[str]:
    """The UI keys of the services the car has (``vehicle``: ``View.vehicle``, a CarPanel;
    a head unit without one shows none)."""
    if vehicle is None:
        return []
    return [key for key, _ in SERVICES if vehicle.has(PROTOCOL_NAMES[key])]


def services_for(vehicle: Any) -> tuple[tuple[str, str], ...]:
    """``(key, icon)`` of every service ``vehicle`` (``View.vehicle``) has, in tile order."""
    have = set(available_services(vehicle))
    return tuple((key, icon) for key, icon in SERVICES if key in have)
