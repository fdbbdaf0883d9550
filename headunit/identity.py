"""The head unit's identity: its VIN, its model and an Ed25519 key pair made on first start.

Kept in the data directory: ``identity.key`` (PEM, mode 0600) and ``identity.json``.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .fsutil import atomic_write
from .protocol import qrtoken
from .protocol.topics import check_vin

DEFAULT_MODEL = "MG4 Electric"
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def random_vin() -> str:
    """A well-formed VIN with SAIC's manufacturer code (LSJ) and random serial."""
    return "LSJ" + "".join(secrets.choice(_VIN_CHARS) for _ in range(14))


@dataclass(frozen=True)
class Identity:
    vin: str
    model: str
    private_key: Ed25519PrivateKey

    @property
    def public_key_raw(self) -> bytes:
        return qrtoken.raw_public_key(self.private_key.public_key())

    @property
    def public_key_b64(self) -> str:
        return qrtoken.b64url(self.public_key_raw)


def load_or_create(data_dir: Path, vin: str | None = None, model: str | None = None) -> Identity:
    """Load the identity from ``data_dir``, making it on first start.

    A VIN or model given on the command line must match a stored identity: a head unit does
    not change cars.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    key_path, meta_path = data_dir / "identity.key", data_dir / "identity.json"
    if key_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if vin and vin != meta["vin"]:
            raise SystemExit(
                f"{data_dir} belongs to VIN {meta['vin']}, not {vin}; "
                "use another --data-dir for another car"
            )
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SystemExit(f"{key_path} is not an Ed25519 key; move it away to make a new one")
        return Identity(meta["vin"], model or meta["model"], key)
    vin = check_vin(vin) if vin else random_vin()
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    atomic_write(key_path, pem, mode=0o600)
    atomic_write(meta_path, json.dumps({"vin": vin, "model": model or DEFAULT_MODEL}).encode())
    os.chmod(key_path, 0o600)
    return Identity(vin, model or DEFAULT_MODEL, key)
