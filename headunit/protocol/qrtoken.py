"""The signed token inside every QR code the head unit shows.

The QR content is a URL ``{cloud public URL}/s/{token}``. The token is base64url (no
padding) of a fixed binary layout, so the QR stays small enough to scan from half a metre::

    offset size  field
    0      1     version (1)
    1      8     key id: first 8 bytes of SHA-256 of the car's raw Ed25519 public key
    9      17    VIN, ASCII
    26     1     purpose: 1 = login, 2 = bind
    27     16    nonce (128 random bits)
    43     4     issued, seconds since the epoch (simulated clock), big-endian
    47     4     expires, same
    51     64    Ed25519 signature over bytes 0..50

The cloud looks the key id up to find the car that signed, refuses a token whose VIN names
another car (``wrong_vehicle``), then checks the signature, expiry, purpose and nonce.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .topics import VIN_PATTERN

VERSION = 1
PURPOSES = {"login": 1, "bind": 2}
_PURPOSE_NAMES = {v: k for k, v in PURPOSES.items()}
_BODY = struct.Struct(">B8s17sB16sII")
MAX_TIME = 2**32 - 1  # issued and expires are unsigned 32-bit seconds
SIGNATURE_SIZE = 64
TOKEN_BYTES = _BODY.size + SIGNATURE_SIZE
PATH = "/s/"


class TokenError(ValueError):
    """A token that cannot be read at all (``bad_token``)."""


@dataclass(frozen=True)
class Claims:
    vin: str
    purpose: str
    nonce: bytes
    issued: int
    expires: int
    key_id: bytes
    version: int = VERSION

    @property
    def nonce_hex(self) -> str:
        return self.nonce.hex()


@dataclass(frozen=True)
class SignedToken:
    claims: Claims
    body: bytes
    signature: bytes


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key_raw: bytes) -> bytes:
    return hashlib.sha256(public_key_raw).digest()[:8]


def new_nonce() -> bytes:
    return secrets.token_bytes(16)


def sign(private_key: Ed25519PrivateKey, *, vin: str, purpose: str, issued: float,
         lifetime: float, nonce: bytes | None = None) -> tuple[str, Claims]:
    """Make a token; returns ``(token, claims)``."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {sorted(PURPOSES)}, got {purpose!r}")
    kid = key_id(raw_public_key(private_key.public_key()))
    claims = Claims(vin=vin, purpose=purpose, nonce=nonce or new_nonce(), issued=int(issued),
                    expires=int(issued + lifetime), key_id=kid)
    body = _BODY.pack(VERSION, kid, vin.encode("ascii"), PURPOSES[purpose], claims.nonce,
                      claims.issued, claims.expires)
    return b64url(body + private_key.sign(body)), claims


def parse(token: str) -> SignedToken:
    """Read a token without checking its signature; raise :class:`TokenError` if unreadable."""
    if not token or len(token) > 200 or not all(c.isalnum() or c in "-_" for c in token):
        raise TokenError("token is not base64url text of the right length")
    try:
        raw = unb64url(token)
    except ValueError:
        raise TokenError("token is not base64url") from None
    if len(raw) != TOKEN_BYTES:
        raise TokenError(f"token is {len(raw)} bytes; a version {VERSION} token is {TOKEN_BYTES}")
    body, signature = raw[: _BODY.size], raw[_BODY.size :]
    version, kid, vin_raw, purpose, nonce, issued, expires = _BODY.unpack(body)
    if version != VERSION:
        raise TokenError(f"token version {version} is not supported (expected {VERSION})")
    try:
        vin = vin_raw.decode("ascii")
    except UnicodeDecodeError:
        raise TokenError("token VIN is not ASCII") from None
    if not VIN_PATTERN.match(vin):
        raise TokenError("token VIN is not a valid VIN")
    if purpose not in _PURPOSE_NAMES:
        raise TokenError(f"token purpose {purpose} is unknown")
    claims = Claims(vin=vin, purpose=_PURPOSE_NAMES[purpose], nonce=nonce, issued=issued,
                    expires=expires, key_id=kid, version=version)
    return SignedToken(claims, body, signature)


def verify_signature(token: SignedToken, public_key_raw: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(token.signature, token.body)
    except (InvalidSignature, ValueError):
        return False
    return True


def url_for(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + PATH + token


def token_from_content(content: str) -> str:
    """The token from scanned QR content: a full URL or the bare token."""
    content = content.strip()
    if PATH in content:
        content = content.rsplit(PATH, 1)[1]
    return content.split("?", 1)[0].split("#", 1)[0].rstrip("/")
