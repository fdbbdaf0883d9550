"""``ismart-cloud time | dealer | feedback``: talk to a running cloud (or read its database).

- ``time show | advance DURATION | scale N`` move the running cloud's simulated clock through
  its admin API (the admin token), so the 72-hour rule can be shown in seconds;
- ``dealer unbind --vin ... --case ...`` and ``dealer audit`` act as an MG dealer (the dealer
  token); the unbind is written to the audit log with who, when and why;
- ``feedback list`` lists what phones sent with ``ismart-phone feedback`` (from the database
  in ``--data-dir``, or from a running cloud with ``--cloud``).

Failures print one line ``ismart-cloud: <code>: <what to do>`` and exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import httpx

from headunit.clock import parse_duration

from . import db_ownership
from .notifications import when

DEFAULT_CLOUD = os.environ.get("ISMART_CLOUD", "http://127.0.0.1:8080")


class AdminError(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}")


def _duration(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("give a positive duration, e.g. 72h, 15m or 30s")
    return seconds


def _cloud_args(p: argparse.ArgumentParser, token: str, env: str) -> None:
    p.add_argument("--cloud", default=DEFAULT_CLOUD,
                   help="the running cloud's URL (default: $ISMART_CLOUD or %(default)s)")
    p.add_argument(f"--{token}-token", default=os.environ.get(env),
                   help=f"the cloud's {token} token (default: ${env})")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def add_parsers(sub: argparse._SubParsersAction, add_common: Any) -> None:
    t = sub.add_parser("time", help="show or move the running cloud's simulated clock")
    tsub = t.add_subparsers(dest="time_command", required=True)
    p = tsub.add_parser("show", help="the simulated time and scale")
    _cloud_args(p, "admin", "ISMART_ADMIN_TOKEN")
    p = tsub.add_parser("advance", help="jump the clock forward, e.g. 'advance 72h'; what fell "
                                        "due (force unbinds after 72 h) completes at once")
    p.add_argument("duration", type=_duration, help="e.g. 72h, 90m, 3d, 1h30m or seconds")
    _cloud_args(p, "admin", "ISMART_ADMIN_TOKEN")
    p = tsub.add_parser("scale", help="run the clock N times faster than real time")
    p.add_argument("scale", type=float)
    _cloud_args(p, "admin", "ISMART_ADMIN_TOKEN")

    d = sub.add_parser("dealer", help="act as an MG dealer: forced unbind, audit log")
    dsub = d.add_subparsers(dest="dealer_command", required=True)
    p = dsub.add_parser("unbind", help="unbind a car whose ownership you checked in person "
                                       "(written to the audit log)")
    p.add_argument("--vin", required=True, help="the car to unbind")
    p.add_argument("--case", required=True, help="your case number: why the car is unbound")
    p.add_argument("--dealer", default="MG dealer", help="who you are (default: %(default)s)")
    p.add_argument("--reason", default="", help="a note for the audit log")
    _cloud_args(p, "dealer", "ISMART_DEALER_TOKEN")
    p = dsub.add_parser("audit", help="ownership changes: who, when, why (newest first)")
    p.add_argument("--vin", help="only this car")
    _cloud_args(p, "dealer", "ISMART_DEALER_TOKEN")

    f = sub.add_parser("feedback", help="what users sent with 'ismart-phone feedback'")
    fsub = f.add_subparsers(dest="feedback_command", required=True)
    p = fsub.add_parser("list", help="list feedback, newest first")
    add_common(p)
    p.add_argument("--cloud", help="ask a running cloud instead of reading --data-dir "
                                   "(needs --admin-token)")
    p.add_argument("--admin-token", default=os.environ.get("ISMART_ADMIN_TOKEN"))
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _call(url: str, token: str | None, method: str, path: str, body: Any = None,
          params: dict | None = None) -> Any:
    if not token:
        raise AdminError("not_authenticated", "give the token with --admin-token / "
                         "--dealer-token (or the ISMART_*_TOKEN variable)")
    try:
        r = httpx.request(method, url.rstrip("/") + path, json=body, params=params,
                          headers={"Authorization": f"Bearer {token}"}, timeout=15)
    except httpx.HTTPError as exc:
        raise AdminError("offline", f"cannot reach the cloud at {url}: {exc}") from None
    try:
        data = r.json()
    except ValueError:
        raise AdminError("internal", f"the cloud answered {r.status_code} without JSON") from None
    if r.is_error:
        err = data.get("error", {}) if isinstance(data, dict) else {}
        raise AdminError(err.get("code", "internal"), err.get("message", r.reason_phrase))
    return data


def _time_line(r: dict) -> str:
    return f"Cloud time: {r['text']} (scale {r['scale']:g})."


def _entry_line(e: dict) -> str:
    return f"{when(e['at'])}  {e['vin']}  {e['action']}  by {e['actor']}: {e['reason']}"


def run(args: argparse.Namespace) -> tuple[Any, str]:
    """Carry out one command; returns (JSON result, human text)."""
    if args.command == "time":
        if args.time_command == "show":
            r = _call(args.cloud, args.admin_token, "GET", "/api/v1/admin/time")
        elif args.time_command == "advance":
            r = _call(args.cloud, args.admin_token, "POST", "/api/v1/admin/time/advance",
                      {"seconds": args.duration})
        else:
            r = _call(args.cloud, args.admin_token, "POST", "/api/v1/admin/time/scale",
                      {"scale": args.scale})
        return r, _time_line(r)
    if args.command == "dealer":
        if args.dealer_command == "unbind":
            r = _call(args.cloud, args.dealer_token, "POST",
                      f"/api/v1/dealer/vehicles/{args.vin}/unbind",
                      {"case": args.case, "dealer": args.dealer, "reason": args.reason})
            return r, f"{args.vin} is unbound. Audit log: {_entry_line(r['audit'])}"
        r = _call(args.cloud, args.dealer_token, "GET", "/api/v1/dealer/audit",
                  params={"vin": args.vin} if args.vin else None)
        return r, "\n".join(_entry_line(e) for e in r["entries"]) or "The audit log is empty."
    # feedback list
    if args.cloud:
        items = _call(args.cloud, args.admin_token, "GET", "/api/v1/admin/feedback")["feedback"]
    else:
        path = Path(args.data_dir) / "cloud.sqlite3"
        if not path.exists():
            raise AdminError("not_found", f"no cloud database at {path}; give --data-dir of "
                             "the cloud, or --cloud URL")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            items = db_ownership.feedback_list(conn)
        except sqlite3.OperationalError as exc:
            raise AdminError("not_found", f"{path} holds no feedback table ({exc})") from None
        finally:
            conn.close()
    lines = [f"#{f['id']}  {when(f['created'])}  {f['name']} <{f['from']}>: {f['text']}"
             for f in items]
    return {"feedback": items}, "\n".join(lines) or "No feedback yet."


def main(args: argparse.Namespace) -> int:
    try:
        result, text = run(args)
    except AdminError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": {"code": exc.code, "message": exc.message}}))
        print(f"ismart-cloud: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    print(json.dumps({"ok": True, "result": result}) if args.json else text)
    return 0
