"""What the vehicle simulator keeps across restarts: its state, the epoch and sequence number
of its status, and the answers to recent commands (so a repeated request id is answered
again even after a restart, never run twice).

One JSON file, ``vehicle.json``, written atomically. On load the sequence number jumps ahead
by :data:`SEQ_RESERVE`, past any status published after the last save (a kill -9 loses at
most a few seconds), so receivers never take a new status for an old one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from headunit.fsutil import atomic_write
from headunit.protocol import vehicle as pv

from .state import VehicleState, from_dict, to_dict

log = logging.getLogger(__name__)

SEQ_RESERVE = 1000
FORMAT = 1


@dataclass(frozen=True)
class Saved:
    epoch: str
    seq: int
    state: VehicleState
    results: tuple[pv.CarResult, ...]


class CarStore:
    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir)
        self.path = self.dir / "vehicle.json"

    def load(self) -> Saved | None:
        try:
            raw = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._set_aside(f"unreadable: {exc}")
            return None
        try:
            if raw.get("format") != FORMAT:
                raise ValueError(f"format {raw.get('format')!r}, expected {FORMAT}")
            results = tuple(pv.CarResult.model_validate(r) for r in raw["results"])
            return Saved(str(raw["epoch"]), int(raw["seq"]) + SEQ_RESERVE,
                         from_dict(raw["state"]), results)
        except (KeyError, TypeError, ValueError, LookupError) as exc:
            self._set_aside(f"not a vehicle state: {exc}")
            return None

    def save(self, epoch: str, seq: int, state: VehicleState,
             results: list[pv.CarResult]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "vin": state.vin, "epoch": epoch, "seq": seq,
                "state": to_dict(state), "results": [r.model_dump() for r in results]}
        atomic_write(self.path, json.dumps(data).encode())

    def _set_aside(self, why: str) -> None:
        bad = self.path.with_suffix(".json.bad")
        log.error("%s is %s; moved it to %s and starting with a new car state",
                  self.path, why, bad)
        try:
            self.path.replace(bad)
        except OSError:
            pass
