"""``ismart-phone``: the iSmart phone app on the command line.

Every command prints a human line, or with ``--json`` one JSON object. Any failure exits
non-zero with a one-line reason (``ismart-phone: <code>: <what to do>``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import car_cli, ownership_cli
from .client import PhoneClient, PhoneError, decode_qr_image

DEFAULT_PROFILE = Path(os.environ.get("ISMART_PHONE_PROFILE", Path.home() / ".ismart-phone"))


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-phone",
        description="The iSmart phone app, simulated: register, log in, scan the car's QR codes, "
                    "unbind and force-unbind cars, notifications, feedback, contact, and use "
                    "the car's services (status, climate, charge, lock, find-my-car, "
                    "send-destination, poi, alerts).")
    ap.add_argument("--cloud", default=os.environ.get("ISMART_CLOUD", "http://127.0.0.1:8080"),
                    help="the cloud's URL (default: $ISMART_CLOUD or %(default)s)")
    ap.add_argument("--profile", type=Path, default=DEFAULT_PROFILE,
                    help="where this phone keeps its session (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("send-code", help="ask for a verification code (SMS or e-mail)")
    p.add_argument("identifier", help="phone number or e-mail address")

    p = sub.add_parser("register", help="create an account")
    p.add_argument("identifier", help="phone number or e-mail address")
    p.add_argument("--password", required=True)
    p.add_argument("--name", default="", help="the name the car shows (default: from the e-mail)")
    p.add_argument("--code", help="the verification code (default: ask for one and read it "
                                  "from the simulated inbox)")

    p = sub.add_parser("inbox", help="the simulated SMS / e-mail inbox (demo cloud)")
    p.add_argument("identifier")

    p = sub.add_parser("login", help="log in; accepts the user agreement and privacy policy")
    p.add_argument("identifier")
    p.add_argument("--password", required=True)
    p.add_argument("--decline-terms", action="store_true",
                   help="do not accept the agreement and policy (the cloud refuses the login)")

    sub.add_parser("logout", help="log this phone out")
    sub.add_parser("whoami", help="the account this phone is logged in as")

    p = sub.add_parser("scan", help="scan the car's QR code, then confirm on the phone")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("content", nargs="?", help="the QR content (a URL) as text")
    src.add_argument("--image", type=Path, help="a picture holding the QR code (e.g. a screenshot)")
    p.add_argument("--no-confirm", action="store_true",
                   help="stop after scanning; the car shows 'confirm on your phone'")

    for name in ("confirm", "cancel"):
        p = sub.add_parser(name, help=f"{name} a scan that waits on the phone")
        p.add_argument("scan_id")

    sub.add_parser("vehicles", help="the cars this account is bound to or logged into")

    p = sub.add_parser("car-logout", help="log this account out of a car (the binding stays)")
    p.add_argument("vin")
    car_cli.add_commands(sub)  # the car's services: status, climate, charge, lock, ...

    ownership_cli.add_parsers(sub)
    return ap


def run(args: argparse.Namespace, phone: PhoneClient) -> tuple[Any, str]:
    """Carry out one command; returns (JSON result, human line)."""
    c = args.command
    if c == "send-code":
        r = phone.send_code(args.identifier)
        return r, f"Code sent by {r['channel']} to {r['sent_to']}."
    if c == "register":
        r = phone.register(args.identifier, args.password, args.name, args.code)
        return r, f"Account created for {r['identifier']} ({r['display_name']})."
    if c == "inbox":
        msgs = phone.inbox(args.identifier)
        return msgs, "\n".join(f"[{m['channel']}] {m['body']}" for m in msgs) or "Inbox empty."
    if c == "login":
        r = phone.login(args.identifier, args.password, accept_terms=not args.decline_terms)
        return r, (f"Logged in as {r['display_name']} (you accepted the user agreement and "
                   "the privacy policy).")
    if c == "logout":
        phone.logout()
        return {"logged_out": True}, "Logged out."
    if c == "whoami":
        r = phone.call("GET", "/api/v1/me", auth=True)
        return r, f"{r['display_name']} <{r['identifier']}>"
    if c == "scan":
        content = decode_qr_image(args.image) if args.image else args.content
        s = phone.scan(content)
        if args.no_confirm:
            return s, f"{s['question']} Waiting: confirm with 'ismart-phone confirm {s['scan_id']}'."
        r = phone.confirm(s["scan_id"])
        r = {**s, **r}
        text = {"logged_in": "You are now logged into the car. Scan the code again to bind it.",
                "bound": "The car is bound to your account."}.get(r["result"], r["result"])
        return r, f"{s['question']} Confirmed. {text}"
    if c == "confirm":
        r = phone.confirm(args.scan_id)
        return r, f"Confirmed: {r['result']}."
    if c == "cancel":
        return phone.cancel(args.scan_id), "Cancelled."
    if c == "vehicles":
        vs = phone.vehicles()
        lines = [f"{v['vin']}  {v['model']}  {'bound' if v['bound'] else 'not bound'}"
                 f"{', logged in' if v['logged_in'] else ''}" for v in vs]
        return vs, "\n".join(lines) or "No cars."
    if c in ownership_cli.COMMANDS:
        return ownership_cli.run(args, phone)
    if c == "car-logout":
        r = phone.call("POST", f"/api/v1/vehicles/{args.vin}/logout", auth=True)
        return r, "Logged out of the car."
    if c in car_cli.COMMANDS:
        return car_cli.run(args, phone)
    raise PhoneError("invalid_request", f"unknown command {c}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    phone = PhoneClient(args.cloud, args.profile)
    try:
        result, text = run(args, phone)
    except PhoneError as exc:
        message = exc.message + ownership_cli.scan_hint(exc)
        if args.json:
            error = {"code": exc.code, "message": message}
            if exc.details:
                error["details"] = exc.details
            print(json.dumps({"ok": False, "error": error}))
        print(f"ismart-phone: {exc.code}: {message}", file=sys.stderr)
        return 1
    print(json.dumps({"ok": True, "result": result}) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
