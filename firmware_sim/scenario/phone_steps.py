"""The phone's actions in a scenario (``- phone: {as: ann, do: scan}``), with the simulated
phone of :mod:`firmware_sim.phone.client` in this process. ``scan`` reads the QR code from the
screen's pixels through the head unit's remote control, as a phone's camera would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..phone.client import PhoneClient, PhoneError
from .spec import PhoneSpec
from .steps import POLL, Rig, StepFailed, screen_context


def run_phone(rig: Rig, args: dict, timeout: float) -> str | None:
    who, action = args["as"], args["do"]
    client, spec = rig.phone(who)
    expect_error = args.get("expect_error")
    try:
        note = PHONE[action](rig, client, spec, args, timeout)
    except PhoneError as exc:
        if expect_error == exc.code:
            return f"refused as expected: {exc.code}"
        raise StepFailed(f"{who}'s phone was refused: {exc.code}: {exc.message}") from None
    if expect_error:
        raise StepFailed(f"{who}'s phone expected the refusal {expect_error}, but it was "
                         f"accepted ({note})")
    return note


def _register(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    ident = rig.fill(spec.identifier)
    c.register(ident, spec.password, spec.name)
    return ident


def _login(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    return c.login(rig.fill(spec.identifier), spec.password)["display_name"]


def _logout(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> None:
    c.logout()


def _scan(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    """Read the QR code from the screen's pixels, present it, confirm (unless confirm: false)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = rig.remote.read_qr()
        # the pixels must say what the car means to show in that very frame
        if seen["text"] and seen["text"] == seen["shown"]:
            break
        if time.monotonic() >= deadline:
            found = ("no QR code" if not seen["text"] else
                     f"a QR code that is not the car's ({seen['text']!r} vs {seen['shown']!r})")
            raise StepFailed(f"{found} on the screen within {timeout:g} s "
                             f"{screen_context(rig)}")
        time.sleep(POLL)
    s = c.scan(seen["text"])
    rig.scans[spec.who] = s["scan_id"]
    if args.get("confirm", True) is False:
        return f"scanned ({s['purpose']}), not confirmed"
    result = c.confirm(s["scan_id"])["result"]
    if args.get("result") is not None and result != args["result"]:
        raise StepFailed(f"the scan's result is {result!r}, expected {args['result']!r}")
    return result


def _last_scan(rig: Rig, spec: PhoneSpec) -> str:
    if spec.who not in rig.scans:
        raise StepFailed(f"{spec.who}'s phone has not scanned yet (do: scan first)")
    return rig.scans[spec.who]


def _confirm(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    result = c.confirm(_last_scan(rig, spec))["result"]
    if args.get("result") is not None and result != args["result"]:
        raise StepFailed(f"the confirmation's result is {result!r}, expected {args['result']!r}")
    return result


def _cancel(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> None:
    c.cancel(_last_scan(rig, spec))


def _car_logout(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    return c.call("POST", f"/api/v1/vehicles/{rig.vin}/logout", auth=True)["result"]


def _unbind(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    c.send_unbind_code(rig.vin)
    return c.unbind(rig.vin, c.latest_code(rig.fill(spec.identifier)))["result"]


def _force_unbind(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict,
                  timeout: float) -> str:
    return c.force_unbind(rig.vin, True)["result"]


def _answer(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict, timeout: float) -> str:
    waiting = [r for r in c.force_requests() if r["role"] == "previous_user"
               and r["status"] == "pending" and r["vin"] == rig.vin]
    if not waiting:
        raise StepFailed(f"no force unbind request waits for {spec.who}'s answer")
    return c.answer(waiting[0]["request_id"], args["answer"] == "agree")["result"]


def _expect_notification(rig: Rig, c: PhoneClient, spec: PhoneSpec, args: dict,
                         timeout: float) -> str:
    codes = [n["code"] for n in c.notifications()["notifications"]]
    if args["code"] not in codes:
        raise StepFailed(f"{spec.who}'s phone has no {args['code']!r} notification; "
                         f"it has {codes or 'none'}")
    return args["code"]


PHONE: dict[str, Callable[..., Any]] = {
    "register": _register, "login": _login, "logout": _logout, "scan": _scan,
    "confirm": _confirm, "cancel": _cancel, "car_logout": _car_logout, "unbind": _unbind,
    "force_unbind": _force_unbind, "answer": _answer,
    "expect_notification": _expect_notification,
}
