"""The MG model catalogue (``assets/vehicle_models.json``): battery, range, charging power and
the iSmart services each model has.

The head unit uses it to hide the tiles of services its model lacks, the cloud to refuse
their commands, and the vehicle simulator for its physics. ``ISMART_ASSETS`` points at
another assets directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .protocol.vehicle import SERVICES


def assets_dir() -> Path:
    override = os.environ.get("ISMART_ASSETS")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "assets"


class UnknownModel(LookupError):
    """A model name or id that is not in the catalogue; the text lists the known ones."""


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    powertrain: str  # bev | phev
    year: int
    battery_kwh: float  # usable
    wltp_range_km: float
    ac_max_kw: float
    dc_max_kw: float | None
    tyre_bar: float
    services: frozenset[str]

    @property
    def kwh_per_km(self) -> float:
        return self.battery_kwh / self.wltp_range_km

    def has(self, service: str) -> bool:
        return service in self.services

    def service_map(self) -> dict[str, bool]:
        return {s: s in self.services for s in SERVICES}


def _spec(raw: dict, where: Path) -> ModelSpec:
    try:
        services = frozenset(raw["services"])
        unknown = services - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}; known: {', '.join(SERVICES)}")
        spec = ModelSpec(
            id=str(raw["id"]), name=str(raw["name"]), powertrain=str(raw["powertrain"]),
            year=int(raw["year"]), battery_kwh=float(raw["battery_kwh"]),
            wltp_range_km=float(raw["wltp_range_km"]), ac_max_kw=float(raw["ac_max_kw"]),
            dc_max_kw=None if raw.get("dc_max_kw") is None else float(raw["dc_max_kw"]),
            tyre_bar=float(raw.get("tyre_bar", 2.5)), services=services)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: model {raw.get('id', '?')!r} is malformed: {exc}") from None
    if spec.powertrain not in ("bev", "phev") or spec.battery_kwh <= 0 or spec.wltp_range_km <= 0:
        raise ValueError(f"{where}: model {spec.id!r} needs powertrain bev|phev and positive "
                         "battery_kwh and wltp_range_km")
    return spec


@dataclass(frozen=True)
class Catalogue:
    models: tuple[ModelSpec, ...]

    def find(self, name_or_id: str) -> ModelSpec:
        """The model named ``name_or_id`` (its id or its name, any case)."""
        key = name_or_id.strip().casefold()
        for spec in self.models:
            if key in (spec.id.casefold(), spec.name.casefold()):
                return spec
        known = ", ".join(f"{s.id} ({s.name})" for s in self.models)
        raise UnknownModel(f"unknown model {name_or_id!r}; known models: {known}")

    def get(self, name_or_id: str) -> ModelSpec | None:
        try:
            return self.find(name_or_id)
        except UnknownModel:
            return None


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or assets_dir() / "vehicle_models.json"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"cannot read the model catalogue {path}: {exc}; set ISMART_ASSETS "
                           "to the project's assets directory") from None
    return Catalogue(tuple(_spec(raw, Path(path)) for raw in data["models"]))


def find_model(name_or_id: str) -> ModelSpec:
    return load_catalogue().find(name_or_id)
