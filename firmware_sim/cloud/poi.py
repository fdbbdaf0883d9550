"""Map & POI: the bundled list of points of interest (``assets/poi_denmark.json``) and its
search. Matching ignores case and Danish letters (``Koge`` finds ``Køge``); with a position,
the nearest come first.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from headunit.vehicle_models import assets_dir

FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", "ö": "o", "ä": "a"})


def fold(text: str) -> str:
    return text.casefold().translate(FOLD)


@dataclass(frozen=True)
class Poi:
    id: str
    kind: str  # charger | place | dealer
    name: str
    operator: str | None
    address: str
    latitude: float
    longitude: float
    power_kw: float | None

    @property
    def haystack(self) -> str:
        return fold(" ".join(filter(None, (self.name, self.operator, self.address, self.kind))))


@lru_cache(maxsize=2)
def load(path: Path | None = None) -> tuple[Poi, ...]:
    path = path or assets_dir() / "poi_denmark.json"
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))["pois"]
        return tuple(Poi(**p) for p in raw)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"cannot read the POI list {path}: {exc}") from None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def search(query: str = "", *, kind: str | None = None, near: tuple[float, float] | None = None,
           limit: int = 10) -> list[dict[str, Any]]:
    """Points whose name, operator, address or kind hold every word of ``query``."""
    words = fold(query).split()
    hits = [p for p in load()
            if (kind is None or p.kind == kind) and all(w in p.haystack for w in words)]
    out = []
    for p in hits:
        item = asdict(p)
        if near is not None:
            item["distance_km"] = round(distance_km(near[0], near[1], p.latitude, p.longitude), 1)
        out.append(item)
    if near is not None:
        out.sort(key=lambda item: item["distance_km"])
    return out[:limit]


def by_id(poi_id: str) -> Poi | None:
    return next((p for p in load() if p.id == poi_id), None)
