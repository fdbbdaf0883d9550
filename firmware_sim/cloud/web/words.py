"""Plain words for what the service answers: refusals with their numbers (tries left, seconds
to wait, a deadline), push messages and car alerts, times, in English and Danish. Pure.

English keeps the service's own sentence where it is more precise than the code's text (the
car's reason for refusing a command, a push message naming the car); Danish words every code
from :mod:`headunit.protocol.errors_da` and the templates of :mod:`.texts_services`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from headunit.protocol.errors import CloudError
from headunit.protocol.support import SUPPORT_EMAIL

from . import i18n
from .texts_services import ALERTS_DA, DETAILED

MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "da": "jan. feb. mar. apr. maj jun. jul. aug. sep. okt. nov. dec.".split(),
}
# the car's own reasons (English) are more precise than the code's text
CAR_CODES = frozenset({"door_open", "cable_not_connected", "already_at_target", "not_charging",
                       "battery_low", "car_moving", "service_unavailable"})


def when(lang: str, ts: Any) -> str:
    """A moment of simulated time: ``30 Nov 2026, 14:03 UTC`` / ``30. nov. 2026 kl. 14.03 UTC``."""
    try:
        d = datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return "?"
    month = MONTHS[lang][d.month - 1]
    if lang == "da":
        return f"{d.day}. {month} {d.year} kl. {d.hour:02d}.{d.minute:02d} UTC"
    return f"{d.day} {month} {d.year}, {d.hour:02d}:{d.minute:02d} UTC"


def clock(lang: str, ts: Any) -> str:
    """The time of day only (a status update): ``14:03:07`` / ``14.03.07``."""
    try:
        d = datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return "?"
    sep = "." if lang == "da" else ":"
    return sep.join(f"{v:02d}" for v in (d.hour, d.minute, d.second)) + " UTC"


def describe(lang: str, exc: CloudError) -> str:
    """A refusal in plain words, with the numbers the service gave."""
    code, details = exc.code, exc.details or {}
    words = DETAILED[lang]
    if code == "code_invalid" and details.get("tries_left", "").isdigit():
        n = int(details["tries_left"])
        return words["code_invalid_last"] if n == 1 else words["code_invalid_left"].format(n=n)
    if code == "code_too_soon" and exc.retry_after:
        return words["code_too_soon_wait"].format(s=int(exc.retry_after) + 1)
    if code == "rate_limited" and exc.retry_after:
        return words["rate_limited_wait"].format(s=math.ceil(exc.retry_after))
    text = i18n.error_text(lang, code)
    if "deadline" in details:
        return f"{text} {words['deadline_tail'].format(deadline=when(lang, details['deadline']))}"
    if lang == "en" and code in CAR_CODES and exc.message:
        return exc.message
    return text


def push_text(lang: str, n: dict[str, Any]) -> str:
    """A push message (:mod:`..notifications`) in ``lang``."""
    if lang == "en":
        return str(n["text"])
    p = n.get("params") or {}
    vin = p.get("vin", "")
    car = f"{p.get('model', 'din bil')} (VIN der slutter på …{vin[-4:]})" if vin else "bilen"
    deadline, by, case = when(lang, p.get("deadline")), p.get("by", ""), p.get("case", "")
    scan = "Scan koden på bilens skærm for at logge på og binde den."
    code = n["code"]
    if code == "force_unbind_request":
        return (f"Nogen har bedt om at afbinde {car} fra din konto. Tryk Agree for at afbinde "
                f"den nu eller Reject for at beholde den. Uden svar afbindes den automatisk "
                f"{deadline}.")
    if code == "force_unbind_sent":
        return (f"Anmodningen om at afbinde {car} er sendt til den tidligere bruger. Du får "
                f"besked, når de svarer; uden svar afbindes bilen {deadline}.")
    if code == "force_unbind_rejected":
        return (f"Den tidligere bruger afviste afbindingen af {car}. Dokumentér ejerskab af "
                "bilen hos en MG-forhandler, som kan afbinde den.")
    if code == "unbind_completed":
        why = {"agreed": "Den tidligere bruger sagde ja:",
               "timed_out": "Den tidligere bruger svarede ikke inden for 72 timer:",
               "dealer": f"En MG-forhandler afbandt den (sag {case}):",
               "previous_user": "Den tidligere bruger afbandt den:"}.get(by, "")
        return f"{why} {car} har ingen tilknyttet bruger nu. {scan}".strip()
    if code == "binding_removed":
        if by == "user":
            return f"Afbindingen er gennemført: {car} er ikke længere tilknyttet din konto."
        why = {"agreed": "Du sagde ja til en afbinding:",
               "timed_out": "Du svarede ikke på en anmodning om afbinding inden for 72 timer:",
               "dealer": f"En MG-forhandler afbandt bilen (sag {case}):"}.get(by, "")
        tail = (f" Hvis det er forkert, så kontakt {SUPPORT_EMAIL}."
                if by in ("dealer", "timed_out") else "")
        return f"{why} {car} er ikke længere tilknyttet din konto.{tail}".strip()
    return i18n.error_text(lang, code)


def alert_text(lang: str, alert: dict[str, Any]) -> str:
    """A car alert: the car's own title in English, the code's words in Danish."""
    if lang == "da":
        return ALERTS_DA.get(alert["code"], alert["title"])
    return str(alert["title"])
