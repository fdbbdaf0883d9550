"""What the head unit remembers across restarts: who is logged in, the binding, the cloud.

One JSON file, ``session.json``, written atomically. A missing or unreadable file means
"nothing remembered" (an unreadable one is kept aside as ``session.json.bad``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .fsutil import atomic_write
from .protocol.messages import Binding, UserInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Remembered:
    user: UserInfo | None = None
    binding: Binding | None = None
    cloud_id: str | None = None
    seq: int = -1
    public_url: str | None = None
    pending_logout: bool = False


class SessionStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "session.json"

    def load(self) -> Remembered:
        if not self.path.exists():
            return Remembered()
        try:
            raw = json.loads(self.path.read_text())
            return Remembered(
                user=UserInfo.model_validate(raw["user"]) if raw.get("user") else None,
                binding=Binding.model_validate(raw["binding"]) if raw.get("binding") else None,
                cloud_id=raw.get("cloud_id"),
                seq=int(raw.get("seq", -1)),
                public_url=raw.get("public_url"),
                pending_logout=raw.get("pending_logout") is True,
            )
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            log.error("%s is unreadable (%s); starting with no user", self.path, exc)
            self.path.replace(self.path.with_suffix(".json.bad"))
            return Remembered()

    def save(self, r: Remembered) -> None:
        data = {
            "user": r.user.model_dump() if r.user else None,
            "binding": r.binding.model_dump() if r.binding else None,
            "cloud_id": r.cloud_id,
            "seq": r.seq,
            "public_url": r.public_url,
            "pending_logout": r.pending_logout,
        }
        atomic_write(self.path, json.dumps(data, indent=1).encode())
