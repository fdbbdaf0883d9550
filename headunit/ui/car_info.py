"""What the Navigation and Notifications screens show, as plain data (no Kivy).

- :func:`navigation`: the destination or point of interest the phone sent to the car
  (``status.navigation``), how far it is from the car, or "No destination".
- :class:`NoticeLog` remembers the account notices the head unit was shown (logged out,
  binding removed, force unbinding ...; a notice on screen lasts seconds, the log keeps it).
- :func:`notifications`: the car's alerts and those notices, newest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .. import i18n
from ..car import CarPanel
from ..protocol import vehicle as pv
from . import car_words as w

KEEP_NOTICES = 20
EARTH_KM = 6371.0

ALERT_ICONS = {
    "tyre_pressure_low": "tire_repair", "charging_complete": "battery_charging_full",
    "charging_interrupted": "power", "battery_low": "battery_alert",
    "aux_battery_low": "battery_alert", "alarm_triggered": "security",
    "destination_received": "flag", "arrived": "local_parking",
}
SEVERITY_TONES = {"info": "accent", "warning": "warn", "critical": "danger"}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees from north."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


# ---------------------------------------------------------------- Navigation


@dataclass(frozen=True)
class Navigation:
    has_destination: bool = False
    title: str = ""
    address: str = ""
    coords: str = ""
    received: str = ""
    distance: str = ""
    hint: str = ""
    bearing: float = 0.0     # from the car to the destination, degrees
    distance_km: float = 0.0


def navigation(panel: CarPanel | None, lang: str, now: float) -> Navigation:
    st = panel.status if panel is not None else None
    can_receive = panel is None or panel.has("map_poi")
    hint = (i18n.text("nav.hint", lang) if can_receive
            else i18n.text("nav.no_service", lang, model=panel.model if panel else ""))
    if st is None or st.navigation.destination is None:
        return Navigation(title=i18n.text("nav.none", lang), hint=hint)
    d = st.navigation.destination
    loc = st.location
    km = distance_km(loc.latitude, loc.longitude, d.latitude, d.longitude)
    received = st.navigation.receivedAt
    return Navigation(
        has_destination=True, title=d.name, address=d.address or "",
        coords=f"{w.latitude(d.latitude, lang)}, {w.longitude(d.longitude, lang)}",
        received=(i18n.text("nav.received", lang, time=w.when(received, now))
                  if received is not None else ""),
        distance=i18n.text("nav.distance", lang, km=w.num(km, 1 if km < 100 else 0, lang),
                           point=w.compass(bearing(loc.latitude, loc.longitude, d.latitude,
                                                   d.longitude), lang)),
        bearing=bearing(loc.latitude, loc.longitude, d.latitude, d.longitude),
        distance_km=km)


# ---------------------------------------------------------------- Notifications


@dataclass(frozen=True)
class Notice:
    time: float
    code: str
    params: tuple[tuple[str, str], ...] = ()


class NoticeLog:
    """The account notices the head unit showed, newest last (at most :data:`KEEP_NOTICES`).

    :meth:`see` takes each new view's notice and force-unbind state; a notice is logged
    once when it appears, not again while it stays on screen."""

    def __init__(self) -> None:
        self.entries: list[Notice] = []
        self._showing: tuple[Any, ...] | None = None
        self._force_unbind: str | None = None

    def see(self, notice: str | None, params: dict[str, str], force_unbind: str | None,
            now: float) -> bool:
        """Record what a view shows; True when the log changed."""
        changed = False
        key = (notice, tuple(sorted(params.items()))) if notice else None
        if key is not None and key != self._showing:
            self._add(Notice(now, notice, key[1]))  # type: ignore[arg-type]
            changed = True
        self._showing = key
        if force_unbind != self._force_unbind:
            code = {"pending": "force_unbind_requested",
                    "rejected": "force_unbind_rejected"}.get(force_unbind or "")
            if code and notice != code:
                self._add(Notice(now, code))
                changed = True
            self._force_unbind = force_unbind
        return changed

    def _add(self, entry: Notice) -> None:
        self.entries = (self.entries + [entry])[-KEEP_NOTICES:]


@dataclass(frozen=True)
class Note:
    key: str          # unique: alert-<epoch>-<id> or notice-<n>
    icon: str
    tone: str
    title: str
    source: str       # "The car" / "Your account"
    time_text: str
    time: float


def alert_title(alert: pv.Alert, lang: str) -> str:
    """The car writes its alerts in English with the details ("front left tyre at 1.9
    bar"); in Danish each code has its own words."""
    if lang == "en":
        return alert.title
    key = f"alert.{alert.code}"
    return i18n.text(key, lang) if key in i18n.TEXTS else alert.title


def notifications(panel: CarPanel | None, log: NoticeLog, lang: str,
                  now: float) -> tuple[Note, ...]:
    """Every alert of the car and every logged notice, newest first."""
    notes: list[Note] = []
    st = panel.status if panel is not None else None
    if st is not None:
        car = i18n.text("notes.from_car", lang)
        for a in st.alerts:
            notes.append(Note(f"alert-{st.epoch}-{a.id}", ALERT_ICONS.get(a.code, "info"),
                              SEVERITY_TONES[a.severity], alert_title(a, lang), car,
                              w.when(a.time, now), a.time))
    account = i18n.text("notes.from_account", lang)
    for n, entry in enumerate(log.entries):
        tone = "accent" if i18n.is_notice(entry.code) else "warn"
        notes.append(Note(f"notice-{n}", "account_circle", tone,
                          i18n.notice_text(entry.code, lang, dict(entry.params)), account,
                          w.when(entry.time, now), entry.time))
    notes.sort(key=lambda note: note.time, reverse=True)
    return tuple(notes)
