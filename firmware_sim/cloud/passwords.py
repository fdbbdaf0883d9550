"""Password hashing with scrypt (memory-hard), parameters stored with each hash.

Profiles: ``owasp`` (N=2^17, r=8, p=1: OWASP's recommendation, ~0.3 s and 128 MiB a hash)
is the default; ``fast`` (N=2^10) exists only so the test suite stays quick. A hash made with
one profile verifies under any profile, because its parameters travel with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

PROFILES = {"owasp": (2**17, 8, 1), "fast": (2**10, 8, 1)}


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def hash_password(password: str, profile: str = "owasp") -> str:
    if profile not in PROFILES:
        raise ValueError(f"unknown KDF profile {profile!r}; choose one of {sorted(PROFILES)}")
    n, r, p = PROFILES[profile]
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 2**20,
                            dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=256 * 2**20, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)



def burn_time(password: str, profile: str) -> None:
    """Spend as long as a real check, so unknown accounts cannot be told apart by timing."""
    n, r, p = PROFILES.get(profile, PROFILES["owasp"])
    hashlib.scrypt(password.encode(), salt=b"0" * 16, n=n, r=r, p=p, maxmem=256 * 2**20, dklen=32)
