"""``ismart-phone`` commands for ownership changes, notifications, contact and feedback.

``unbind VIN`` (a code by SMS / e-mail, then confirm), ``force-unbind VIN`` (a push goes to
the previous user), ``force-requests``, ``answer agree|reject [REQUEST_ID]``,
``notifications [--mark-read]``, ``feedback TEXT``, ``contact [--open]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from typing import Any

from .client import PhoneClient, PhoneError

COMMANDS = ("unbind", "force-unbind", "force-requests", "answer", "notifications", "feedback",
            "contact")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("unbind", help="unbind a car from your account: a 6-digit code comes by "
                                      "SMS or e-mail, then you confirm with it")
    p.add_argument("vin")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--code", help="confirm with this code (sent before with --send-code); "
                                    "default: ask for a code and read it from the simulated "
                                    "inbox")
    how.add_argument("--send-code", action="store_true",
                     help="only ask for the code (valid 5 minutes, at most one a minute)")

    p = sub.add_parser("force-unbind", help="after scanning a car bound to someone else: ask "
                                            "the previous user to agree to unbinding it")
    p.add_argument("vin")
    p.add_argument("--yes", action="store_true",
                   help="confirm that a push message is sent to the previous user "
                        "(asked interactively when omitted)")

    sub.add_parser("force-requests", help="force unbind requests you made or must answer")

    p = sub.add_parser("answer", help="answer a force unbind request for your car")
    p.add_argument("answer", choices=("agree", "reject"),
                   help="agree: the car is unbound at once; reject: it stays bound to you")
    p.add_argument("request_id", nargs="?",
                   help="which request (default: the one waiting for your answer)")

    p = sub.add_parser("notifications", help="your push messages, newest first, with the "
                                             "unread count")
    p.add_argument("--unread", action="store_true", help="only the unread ones")
    p.add_argument("--mark-read", action="store_true", help="mark them read after showing them")

    p = sub.add_parser("feedback", help="send feedback to iSmart")
    p.add_argument("text")
    p.add_argument("--vin", help="the car it is about")

    p = sub.add_parser("contact", help="Contact us: iSmart's support address (mailto: link)")
    p.add_argument("--open", action="store_true",
                   help="open a new message in the desktop's mail program (xdg-open)")


def _confirm_push(args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    question = ("A push message is sent to the previous user of this car, who can agree or "
                "reject; with no answer the car is unbound after 72 hours. Send it? [y/N] ")
    if not sys.stdin.isatty():
        raise PhoneError("confirmation_required", "confirm that a push message goes to the "
                         "previous user: add --yes")
    return input(question).strip().lower() in ("y", "yes")


def _waiting_request(phone: PhoneClient) -> str:
    waiting = [r for r in phone.force_requests()
               if r["role"] == "previous_user" and r["status"] == "pending"]
    if not waiting:
        raise PhoneError("force_unbind_not_found", "no force unbind request waits for your "
                         "answer; see 'ismart-phone notifications'")
    if len(waiting) > 1:
        ids = ", ".join(f"{r['request_id']} ({r['model']} …{r['vin'][-4:]})" for r in waiting)
        raise PhoneError("invalid_request", f"several requests wait for your answer: {ids}; "
                         "give the REQUEST_ID")
    return waiting[0]["request_id"]


def _notification_line(n: dict) -> str:
    mark = " " if n["read"] else "*"
    line = f"{mark} #{n['id']} {n['text']}"
    if n["actions"] and n["request_id"]:
        line += (f"\n    answer: ismart-phone answer agree {n['request_id']}   |   "
                 f"ismart-phone answer reject {n['request_id']}")
    return line


def run(args: argparse.Namespace, phone: PhoneClient) -> tuple[Any, str]:
    c = args.command
    if c == "unbind":
        if args.send_code:
            r = phone.send_unbind_code(args.vin)
            return r, (f"Code sent by {r['channel']} to {r['sent_to']}; it is valid "
                       f"{int(r['expires_in'] // 60)} minutes. Confirm with "
                       f"'ismart-phone unbind {args.vin} --code CODE'.")
        code = args.code
        if code is None:
            phone.send_unbind_code(args.vin)
            code = phone.latest_code(phone.account()["identifier"])
        r = phone.unbind(args.vin, code)
        return r, r["message"]
    if c == "force-unbind":
        if not _confirm_push(args):
            return {"result": "not_sent"}, "Nothing was sent."
        r = phone.force_unbind(args.vin, True)
        q = r["request"]
        return r, (f"Unbind request sent to the previous user of {q['model']} (VIN ending "
                   f"…{q['vin'][-4:]}). You are told when they answer; with no answer the car "
                   f"is unbound at {q['deadline_text']}. Request {q['request_id']}.")
    if c == "force-requests":
        rs = phone.force_requests()
        lines = [f"{r['request_id']}  {r['model']} …{r['vin'][-4:]}  you are the "
                 f"{r['role'].replace('_', ' ')}  {r['status']}  deadline {r['deadline_text']}"
                 for r in rs]
        return rs, "\n".join(lines) or "No force unbind requests."
    if c == "answer":
        request_id = args.request_id or _waiting_request(phone)
        r = phone.answer(request_id, args.answer == "agree")
        return r, r["message"]
    if c == "notifications":
        r = phone.notifications(unread_only=args.unread)
        if args.mark_read and r["notifications"]:
            marked = phone.mark_read([n["id"] for n in r["notifications"]])
            r = {"unread": marked["unread"], "marked": marked["marked"],
                 "notifications": [{**n, "read": True} for n in r["notifications"]]}
        lines = [f"{r['unread']} unread."] + [_notification_line(n) for n in r["notifications"]]
        return r, "\n".join(lines)
    if c == "feedback":
        r = phone.feedback(args.text, args.vin)
        return r, r["message"]
    if c == "contact":
        r = phone.support()
        text = f"Contact us: {r['email']}  ({r['mailto']})"
        if args.open:
            opener = shutil.which("xdg-open")
            if opener is None:
                raise PhoneError("not_found", f"no mail program found (xdg-open is missing); "
                                 f"write to {r['email']}")
            subprocess.run([opener, r["mailto"]], check=False, timeout=15)
            text += "\nOpened a new message in your mail program."
        return r, text
    raise PhoneError("invalid_request", f"unknown command {c}")


def scan_hint(exc: PhoneError) -> str:
    """What the phone offers after a refused scan of a car bound to someone else."""
    d = exc.details or {}
    if exc.code != "bound_to_other_user" or "vin" not in d:
        return ""
    vin = d["vin"]
    return {
        "available": f" You can ask the previous user to unbind it: "
                     f"ismart-phone force-unbind {vin}",
        "pending": " A force unbind request for this car is already waiting for the previous "
                   "user's answer.",
        "rejected": " The previous user rejected force unbinding: prove ownership at an MG "
                    "dealer, who can unbind it.",
    }.get(d.get("force_unbind", ""), "")
