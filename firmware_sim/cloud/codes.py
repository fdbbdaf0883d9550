"""Verification codes (SMS / e-mail), as pure rules over a code's record.

A code has 6 digits, lives :data:`LIFETIME` seconds (5 minutes), is single-use, allows at most
:data:`MAX_WRONG` wrong tries (then a new code is needed), and a new one can be asked for at
most once per :data:`RESEND_AFTER` seconds (1 minute).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace

from headunit.protocol.errors import CloudError

LIFETIME = 300.0
RESEND_AFTER = 60.0
MAX_WRONG = 5


@dataclass(frozen=True)
class Code:
    identifier: str
    purpose: str
    code: str
    created: float
    expires: float
    wrong_tries: int = 0
    used: bool = False


def issue(previous: Code | None, identifier: str, purpose: str, now: float) -> Code:
    """A new code, unless the previous one was sent less than a minute ago."""
    if previous is not None and not previous.used and now - previous.created < RESEND_AFTER:
        wait = RESEND_AFTER - (now - previous.created)
        raise CloudError("code_too_soon", f"A code was sent less than a minute ago. "
                         f"Try again in {int(wait) + 1} s.", status=429, retry_after=wait)
    return Code(identifier, purpose, f"{secrets.randbelow(10**6):06d}", now, now + LIFETIME)


def check(record: Code | None, given: str, now: float) -> tuple[Code | None, CloudError | None]:
    """Check ``given`` against ``record``; returns the record to store and the refusal, if any.

    The record returned is marked used on success and counts a wrong try on failure, so the
    caller stores it whatever the outcome.
    """
    if record is None or record.used:
        return record, CloudError("code_invalid", "There is no code waiting; ask for a new one.")
    if record.wrong_tries >= MAX_WRONG:
        return record, CloudError("code_locked", status=429)
    if now >= record.expires:
        return record, CloudError("code_expired")
    if not hmac.compare_digest(record.code, given.strip()):
        record = replace(record, wrong_tries=record.wrong_tries + 1)
        left = MAX_WRONG - record.wrong_tries
        if left <= 0:
            return record, CloudError("code_locked", status=429)
        return record, CloudError("code_invalid", f"The verification code is wrong; "
                                  f"{left} tr{'y' if left == 1 else 'ies'} left.",
                                  details={"tries_left": str(left)})
    return replace(record, used=True), None
