"""``ismart-headunit``: the head unit, in a Kivy window or headless (JSON lines)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import kiosk_cli
from .mqtt import BrokerUrl, TlsFiles
from .protocol.topics import TopicError, check_vin
from .remote.server import RemoteSettings
from .runtime import HeadUnitSettings, build

DEFAULT_DATA = Path(os.environ.get("ISMART_HEADUNIT_DATA", "var/headunit"))


def size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 800x480") from None
    if w < 320 or h < 240:
        raise argparse.ArgumentTypeError(f"{text} is too small; the smallest screen is 320x240")
    return w, h


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-headunit",
        description="The iSmart head unit: the car's User menu with rotating QR codes. "
                    "Opens a touchscreen window, or with --headless prints one JSON line per "
                    "screen change and reads JSON commands on stdin.")
    ap.add_argument("--broker", default="mqtt://127.0.0.1:1883",
                    help="MQTT 5 broker URL, mqtt://host:port or mqtts://... (default: %(default)s)")
    ap.add_argument("--ca", help="CA certificate for mqtts://")
    ap.add_argument("--cert", help="client certificate for mqtts://")
    ap.add_argument("--key", help="client key for mqtts://")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                    help="identity key and session are kept here (default: %(default)s)")
    ap.add_argument("--vin", help="the car's VIN (first start only; default: a random SAIC VIN)")
    ap.add_argument("--model", help="the car's model, e.g. 'MG4 Electric' (first start only)")
    ap.add_argument("--public-url",
                    help="base URL for QR codes (default: the one the cloud announces)")
    ap.add_argument("--qr-period", type=float, default=20.0,
                    help="seconds between QR codes (default: %(default)s)")
    ap.add_argument("--qr-lifetime", type=float, default=30.0,
                    help="seconds each QR code stays valid (default: %(default)s)")
    ap.add_argument("--headless", action="store_true",
                    help="no window: JSON lines on stdout, JSON commands on stdin")
    ap.add_argument("--size", type=size, default=(800, 480), help="window size WxH (default: 800x480)")
    ap.add_argument("--lang", choices=("en", "da"), default="en", help="language (default: en)")
    ap.add_argument("--theme", choices=("day", "night"), default="day", help="theme (default: day)")
    ap.add_argument("--fullscreen", action="store_true", help="fill the screen")
    ap.add_argument("--remote-control", metavar="HOST:PORT",
                    help="serve the remote-control interface for test rigs (JSON-RPC 2.0 over "
                         "HTTP, see docs/remote-control.md) on HOST:PORT, or PORT on 127.0.0.1; "
                         "port 0 picks a free one and prints it. Off by default; needs "
                         "--remote-token")
    ap.add_argument("--remote-token", metavar="TOKEN",
                    default=os.environ.get("ISMART_REMOTE_TOKEN"),
                    help="the bearer token every remote-control call must carry "
                         "(default: $ISMART_REMOTE_TOKEN)")
    kiosk_cli.add_arguments(ap)
    ap.add_argument("--log-level", default="INFO")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s headunit %(levelname)s %(name)s: %(message)s")
    remote = None
    try:
        BrokerUrl.parse(args.broker)
        if args.vin:
            check_vin(args.vin)
        if args.remote_control:
            if args.headless:
                raise ValueError("--remote-control drives the window; it does not work with "
                                 "--headless (use its JSON commands on stdin instead)")
            remote = RemoteSettings.parse(args.remote_control, args.remote_token)
        if args.kiosk and args.headless:
            raise ValueError("--kiosk is a touchscreen mode; it does not work with --headless")
        kiosk = kiosk_cli.options(args, args.data_dir)
    except (ValueError, TopicError) as exc:
        print(f"ismart-headunit: {exc}", file=sys.stderr)
        return 2
    settings = HeadUnitSettings(
        broker=args.broker, data_dir=args.data_dir, vin=args.vin, model=args.model,
        public_url=args.public_url, qr_period=args.qr_period, qr_lifetime=args.qr_lifetime,
        tls=TlsFiles(args.ca, args.cert, args.key) if args.ca else None)
    hu = build(settings)
    if args.headless:
        from .headless import run
        return run(hu)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") \
            and not os.path.exists("/dev/dri/card0"):
        print("ismart-headunit: no display found (DISPLAY is unset); run under a desktop or "
              "xvfb-run, or use --headless", file=sys.stderr)
        return 2
    from .ui.app import run_window
    return run_window(hu, size=args.size, lang=args.lang, theme=args.theme,
                      fullscreen=args.fullscreen, remote=remote, kiosk=kiosk,
                      rotation=args.rotation, touch=kiosk_cli.touch_input(args, kiosk))


if __name__ == "__main__":
    sys.exit(main())
