"""``ismart-fleet``: many cars on one machine against one cloud, for load tests and rigs.

    ismart-fleet --vehicles 1000 --rate 1 --broker mqtt://127.0.0.1:1883 \\
                 --cloud http://127.0.0.1:8080

Each car is the real head-unit core (controller, session machine, MQTT link) and the real
vehicle simulator, bound to an account of its own through the cloud's HTTP API, pushing its
status at ``--rate``. All the cars of a process share one network thread (not a thread a
car); ``--processes`` spreads them over several processes. A progress line every second
(cars connected and bound, status messages/s, latency publish → head unit, p50 and p99);
``--json`` prints it, and the summary, as JSON lines.

The cloud must run in demo mode and trust this machine's address, and a fleet is lighter on
the cloud with cheap password hashing:

    ismart-cloud serve --demo --kdf-profile fast --trust-source 127.0.0.1 ...

and mosquitto needs a configuration for many clients (``ismart-fleet --mosquitto-config``).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from headunit.mqtt import BrokerUrl
from headunit.vehicle_models import UnknownModel, find_model

from . import broker_config
from .run import Plan, run
from .worker import FleetConfig


def positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be more than 0")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-fleet", description=__doc__.split("\n\n")[2].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="The cloud: ismart-cloud serve --demo --kdf-profile fast --trust-source "
               "127.0.0.1. Mosquitto: ismart-fleet --mosquitto-config. Exit code 0 when "
               "every car was bound and no status was lost, 1 otherwise.")
    ap.add_argument("--vehicles", type=positive(int), help="how many cars (required)")
    ap.add_argument("--rate", type=positive(float), default=1.0,
                    help="status messages a car publishes per second (default: %(default)s)")
    ap.add_argument("--broker", default="mqtt://127.0.0.1:1883",
                    help="MQTT 5 broker URL (default: %(default)s)")
    ap.add_argument("--cloud", default="http://127.0.0.1:8080",
                    help="the cloud's HTTP API, for binding the cars (default: %(default)s)")
    ap.add_argument("--processes", type=positive(int), default=1,
                    help="spread the cars over this many processes (default: %(default)s)")
    ap.add_argument("--duration", type=positive(float),
                    help="seconds to measure, then stop (default: until Ctrl-C)")
    ap.add_argument("--warmup", type=float, default=5.0,
                    help="seconds between every car bound and measuring (default: %(default)s)")
    ap.add_argument("--drain", type=float, default=10.0,
                    help="seconds to wait at the end for statuses on their way; what has not "
                         "arrived then is lost (default: %(default)s)")
    ap.add_argument("--ready-timeout", type=positive(float),
                    help="seconds to wait for every car to be connected and bound before "
                         "measuring anyway (default: 60 + 0.02 a car)")
    ap.add_argument("--data-dir", type=Path, default=Path("var/fleet"),
                    help="the head units' keys and sessions, one directory a car; a fleet "
                         "started again on it finds its cars bound (default: %(default)s)")
    ap.add_argument("--model", default="mg4", help="the cars' model (default: %(default)s)")
    ap.add_argument("--bind-workers", type=positive(int), default=32,
                    help="cars being bound at once (default: %(default)s)")
    ap.add_argument("--bind-only", action="store_true",
                    help="bind every car (those of an earlier run stay bound), push no status, "
                         "and exit: prepares a large fleet so that a run measures only")
    ap.add_argument("--json", action="store_true",
                    help="JSON lines on stdout: progress every second, then the summary")
    ap.add_argument("--mosquitto-config", action="store_true",
                    help="print a mosquitto configuration for a fleet and exit")
    ap.add_argument("--log-level", default="WARNING")
    return ap


def progress_line(p: dict[str, Any]) -> str:
    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f} ms"
    return (f"fleet {p['elapsed']:>6.1f} s  {p['phase']:<9}  connected {p['connected']}/"
            f"{p['cars']}  bound {p['bound']}/{p['cars']}  {p['status_per_s']:.0f} status/s  "
            f"latency p50 {ms(p['p50_ms'])} p99 {ms(p['p99_ms'])}  in flight {p['outstanding']}")


def summary_text(s: dict[str, Any]) -> str:
    lat = s["latency_ms"]

    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f} ms"
    lines = [f"{s['vehicles']} cars at {s['rate']:g} Hz in {s['processes']} process(es): "
             f"{s['bound']} bound, {s['window_received']} statuses in {s['window_s']:.0f} s "
             f"({s['status_per_s']:.0f}/s), latency p50 {ms(lat['p50'])} p99 {ms(lat['p99'])} "
             f"max {ms(lat['max'])}, lost {s['lost']} of {s['published']}",
             "OK" if s["ok"] else "NOT OK: " + ("; ".join(s["errors"][:3]) or
                                                  "statuses were lost or cars not bound")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.mosquitto_config:
        print(broker_config.mosquitto_config(1883), end="")
        return 0
    if args.vehicles is None:
        parser().error("give the number of cars with --vehicles N")
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s fleet %(levelname)s %(name)s: %(message)s")
    try:
        BrokerUrl.parse(args.broker)
        find_model(args.model)
        if not args.cloud.startswith(("http://", "https://")):
            raise ValueError(f"--cloud {args.cloud!r} must be an http:// or https:// URL")
    except (ValueError, UnknownModel) as exc:
        print(f"ismart-fleet: {exc}", file=sys.stderr)
        return 2
    config = FleetConfig(vehicles=args.vehicles, broker=args.broker, cloud=args.cloud,
                         data_dir=args.data_dir, rate=args.rate, model=args.model,
                         bind_workers=args.bind_workers, bind_only=args.bind_only)
    plan = Plan(duration=args.duration, warmup=args.warmup, drain=args.drain,
                ready_timeout=args.ready_timeout)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    tty = sys.stderr.isatty() and not args.json

    def report(p: dict[str, Any]) -> None:
        if args.json:
            print(json.dumps(p), flush=True)
        else:
            print(("\r" if tty else "") + progress_line(p), end="" if tty else "\n",
                  file=sys.stderr, flush=True)

    try:
        summary = run(config, args.processes, plan, report, stop)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    if tty:
        print(file=sys.stderr)
    print(json.dumps(summary) if args.json else summary_text(summary), flush=True)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
