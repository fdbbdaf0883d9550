"""The texts of the phone's notifications (push messages) about ownership changes.

A notification is a code from :data:`headunit.protocol.errors.MESSAGES` with parameters (the
car's VIN and model, a deadline, who ended a binding); :func:`render` makes the sentence the
phone shows, naming the car and saying what to do. Pure: no I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime

from headunit.protocol.errors import message_for
from headunit.protocol.support import SUPPORT_EMAIL


def when(epoch: str | float | None) -> str:
    """Seconds since the epoch (simulated time) as ``2026-11-30 14:03 UTC``."""
    try:
        t = float(epoch)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "later"
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _car(p: dict[str, str]) -> str:
    vin = p.get("vin", "")
    return f"{p.get('model', 'your car')} (VIN ending …{vin[-4:]})" if vin else "the car"


_SCAN = "Scan the code on the car's screen to log in and bind it."


def render(code: str, params: dict[str, str]) -> str:
    car, by, deadline = _car(params), params.get("by", ""), when(params.get("deadline"))
    case = params.get("case", "")
    if code == "force_unbind_request":
        return (f"Someone asked to unbind {car} from your account. Agree to unbind it now, or "
                f"Reject to keep it. With no answer it is unbound automatically at {deadline}.")
    if code == "force_unbind_sent":
        return (f"Unbind request for {car} sent to the previous user. You are told when they "
                f"answer; with no answer the car is unbound at {deadline}.")
    if code == "force_unbind_rejected":
        return (f"The previous user rejected the unbind of {car}. To prove you own the car, "
                "visit an MG dealer, who can unbind it.")
    if code == "unbind_completed":
        why = {"agreed": "The previous user agreed:",
               "timed_out": "The previous user did not answer within 72 hours:",
               "dealer": f"An MG dealer unbound it (case {case}):",
               "previous_user": "The previous user unbound it:"}.get(by, "")
        return f"{why} {car} has no bound user now. {_SCAN}".strip()
    if code == "binding_removed":
        if by == "user":
            return f"The unbind is complete: {car} is no longer bound to your account."
        why = {"agreed": "You agreed to a force unbind:",
               "timed_out": "You did not answer a force unbind request within 72 hours:",
               "dealer": f"An MG dealer unbound the car (case {case}):"}.get(by, "")
        tail = (f" If this is wrong, contact {SUPPORT_EMAIL}." if by in ("dealer", "timed_out")
                else "")
        return f"{why} {car} is no longer bound to your account.{tail}".strip()
    return message_for(code)
