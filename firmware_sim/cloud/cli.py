"""``ismart-cloud``: run the iSmart cloud simulator, and administer its database."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path

from headunit.clock import ScaledClock
from headunit.mqtt import BrokerUrl, TlsFiles
from headunit.protocol.errors import CloudError

from ..netutil import parse_host_port
from . import cli_admin, pki_cli
from .passwords import PROFILES
from .runtime import CloudConfig, CloudRuntime
from .service import CloudService, CloudSettings

DEFAULT_DATA = Path(os.environ.get("ISMART_CLOUD_DATA", "var/cloud"))


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                   help="where the SQLite database lives (default: %(default)s)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-cloud",
        description="The iSmart cloud simulator: accounts, vehicles and bindings. Phones use "
                    "its HTTP API, head units its MQTT topics. 'time', 'dealer' and 'feedback' "
                    "talk to a running cloud: move its clock, unbind as an MG dealer, read "
                    "feedback.")
    sub = ap.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the cloud (HTTP + MQTT) in the foreground")
    _add_common(s)
    s.add_argument("--broker", default="mqtt://127.0.0.1:1883",
                   help="MQTT 5 broker URL, mqtt://host:port or mqtts://... (default: %(default)s)")
    s.add_argument("--ca", help="CA certificate for mqtts://")
    s.add_argument("--cert", help="client certificate for mqtts://")
    s.add_argument("--key", help="client key for mqtts://")
    s.add_argument("--http", default="127.0.0.1:8080",
                   help="HOST:PORT for the phone API; port 0 picks a free one (default: %(default)s)")
    s.add_argument("--public-url",
                   help="the URL phones reach this cloud at; the base of every QR code "
                        "(default: the --http address; the LAN address for 0.0.0.0)")
    s.add_argument("--demo", action="store_true",
                   help="demo mode: trust head units on first contact and open the simulated "
                        "SMS/e-mail inbox to phones")
    s.add_argument("--kdf-profile", choices=sorted(PROFILES), default="owasp",
                   help="password hashing strength; 'fast' is for tests only (default: %(default)s)")
    s.add_argument("--admin-token", default=os.environ.get("ISMART_ADMIN_TOKEN"),
                   help="enables /api/v1/admin/* for callers with this bearer token "
                        "(default: $ISMART_ADMIN_TOKEN; off when unset)")
    s.add_argument("--dealer-token", default=os.environ.get("ISMART_DEALER_TOKEN"),
                   help="enables the dealer role (/api/v1/dealer/*: forced unbind, audit log) "
                        "for callers with this bearer token (default: $ISMART_DEALER_TOKEN; "
                        "off when unset)")
    s.add_argument("--time-scale", type=float, default=1.0,
                   help="simulated seconds per real second; the clock persists, so a restart "
                        "never moves it back (default: %(default)s)")
    s.add_argument("--trust-source", action="append", default=[], metavar="ADDRESS",
                   help="a client IP address that is not limited per source (the abuse "
                        "limits), e.g. 127.0.0.1 for an ismart-fleet load test on this "
                        "machine; per-account limits still apply; repeatable")
    s.add_argument("--kiosk-vin", action="append", default=[], metavar="VIN",
                   help="mark this car as a kiosk (demo) car: its head unit may ask for a "
                        "reset for the next visitor (ismart-headunit --kiosk --reset-on-idle). "
                        "Repeat for more cars; the mark is kept in the database")
    s.add_argument("--log-level", default="INFO")

    p = sub.add_parser("provision", help="register a car's public key (when not in demo mode)")
    _add_common(p)
    p.add_argument("--vin", required=True)
    p.add_argument("--public-key", required=True,
                   help="the raw Ed25519 key, base64url (ismart-headunit prints it at start)")
    p.add_argument("--model", default="MG4 Electric")
    p.add_argument("--kiosk", action="store_true",
                   help="mark the car as a kiosk (demo) car its head unit may reset")

    cli_admin.add_parsers(sub, _add_common)
    pki_cli.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command in ("time", "dealer", "feedback"):
        return cli_admin.main(args)
    if args.command == "pki":
        return pki_cli.run(args)
    if args.command == "provision":
        service = CloudService(CloudSettings(args.data_dir / "cloud.sqlite3", "http://localhost"),
                               ScaledClock())
        try:
            out = service.provision(args.vin, args.public_key, args.model)
            if args.kiosk:
                from .kiosk import mark
                out["kiosk"] = mark(service, args.vin, by="provision")["kiosk"]
            print(json.dumps(out))
        except (CloudError, ValueError) as exc:
            print(f"ismart-cloud: {exc}", file=sys.stderr)
            return 2
        return 0
    return 2


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s cloud %(levelname)s %(name)s: %(message)s")
    try:
        BrokerUrl.parse(args.broker)
        host, port = parse_host_port(args.http, 8080)
        tls = TlsFiles(args.ca, args.cert, args.key) if args.ca else None
        runtime = CloudRuntime(CloudConfig(
            broker=args.broker, http_host=host, http_port=port, public_url=args.public_url,
            data_dir=args.data_dir, demo=args.demo, kdf_profile=args.kdf_profile,
            admin_token=args.admin_token, dealer_token=args.dealer_token,
            time_scale=args.time_scale, tls=tls, trusted_sources=tuple(args.trust_source),
            kiosk_vins=tuple(args.kiosk_vin)))
    except (ValueError, OSError) as exc:
        print(f"ismart-cloud: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        print(f"ismart-cloud: cannot open the database in {args.data_dir}: {exc}; make the "
              "directory writable and give it free space", file=sys.stderr)
        return 2
    runtime.start_background()
    print(json.dumps({"event": "ready", "http": runtime.http_url,
                      "public_url": runtime.public_url, "broker": args.broker,
                      "demo": args.demo}), flush=True)
    try:
        runtime.serve_http()
    finally:
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
