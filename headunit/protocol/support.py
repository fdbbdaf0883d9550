"""Contact us: iSmart's support address, shown by the phone and the head unit (seed section 8)."""

from __future__ import annotations

from urllib.parse import quote

SUPPORT_EMAIL = "mg.europe@ismart-service.com"


def mailto(subject: str = "iSmart", address: str = SUPPORT_EMAIL) -> str:
    """A ``mailto:`` link that opens a message to ``address`` in a mail program."""
    return f"mailto:{address}?subject={quote(subject)}"
