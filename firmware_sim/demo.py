"""``ismart-demo``: the whole system on embedded defaults, with one command.

Starts an MQTT 5 broker (embedded, unless ``--broker`` names one), the cloud simulator in
demo mode, and a head unit: a window when a display is available, else headless. Then it
prints what to do next with a phone.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import sys
from pathlib import Path

from headunit import kiosk_cli
from headunit.cli import size
from headunit.runtime import HeadUnitSettings, build

from .broker import EmbeddedBroker
from .cloud.passwords import PROFILES
from .cloud.runtime import CloudConfig, CloudRuntime
from .netutil import parse_host_port


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-demo",
        description="Run the iSmart emulator: broker, cloud simulator and head unit together.")
    ap.add_argument("--broker", help="use this MQTT 5 broker (mqtt://host:port) instead of the "
                                     "embedded one")
    ap.add_argument("--broker-port", type=int, default=0,
                    help="port of the embedded broker (default: a free one)")
    ap.add_argument("--http", default="0.0.0.0:8080",
                    help="HOST:PORT of the cloud's phone API (default: %(default)s, so a phone on "
                         "the LAN can open the QR codes; port 0 picks a free one)")
    ap.add_argument("--public-url", help="the URL phones reach the cloud at (default: LAN address)")
    ap.add_argument("--data-dir", type=Path, default=Path("var/demo"),
                    help="state of cloud and head unit (default: %(default)s)")
    ap.add_argument("--vin", help="the demo car's VIN (first start only)")
    ap.add_argument("--model", default=None, help="the demo car's model (first start only)")
    ap.add_argument("--headless", action="store_true", help="no window, even with a display")
    ap.add_argument("--size", type=size, default=(800, 480), help="window WxH (default: 800x480)")
    ap.add_argument("--lang", choices=("en", "da"), default="en")
    ap.add_argument("--theme", choices=("day", "night"), default="day")
    ap.add_argument("--fullscreen", action="store_true")
    ap.add_argument("--kdf-profile", choices=sorted(PROFILES), default="owasp",
                    help="password hashing strength (default: %(default)s)")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="simulated seconds per real second (default: %(default)s)")
    ap.add_argument("--no-car", action="store_true",
                    help="do not run the simulated car (run 'ismart-vehicle run' yourself)")
    ap.add_argument("--admin-token", default=os.environ.get("ISMART_ADMIN_TOKEN"),
                    help="the cloud's admin token, e.g. for 'ismart-cloud time advance 72h' "
                         "(default: $ISMART_ADMIN_TOKEN, else a new one printed at start)")
    ap.add_argument("--dealer-token", default=os.environ.get("ISMART_DEALER_TOKEN"),
                    help="the cloud's dealer token for 'ismart-cloud dealer unbind' "
                         "(default: $ISMART_DEALER_TOKEN, else a new one printed at start)")
    kiosk_cli.add_arguments(ap)
    ap.add_argument("--log-level", default="WARNING")
    return ap


def start_car(vin: str, model_name: str, broker_url: str, data_dir: Path):
    """The simulated car behind the head unit, in threads; returns a stop function."""
    import threading

    from headunit.vehicle_models import UnknownModel, find_model

    from .vehicle.sim import SimSettings, VehicleSim

    try:
        model = find_model(model_name)
    except UnknownModel as exc:
        print(f"ismart-demo: {exc}; running no car", file=sys.stderr)
        return lambda: None
    sim = VehicleSim(SimSettings(vin=vin, model=model, broker=broker_url, data_dir=data_dir))
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.25):
            sim.tick()

    sim.start()
    threading.Thread(target=loop, name="car", daemon=True).start()

    def halt() -> None:
        stop.set()
        sim.stop()
    return halt


def command(name: str) -> str:
    """How to run one of our programs from this directory: its bare name when it is on PATH,
    else its path in the virtual environment (``make demo`` does not put .venv/bin on PATH)."""
    if shutil.which(name):
        return name
    path = Path(sys.executable).parent / name
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s demo %(levelname)s %(name)s: %(message)s")
    broker = None
    if args.broker:
        broker_url = args.broker
    else:
        broker = EmbeddedBroker(port=args.broker_port).start()
        broker_url = broker.url
    host, port = parse_host_port(args.http, 8080)
    admin_token = args.admin_token or secrets.token_urlsafe(12)
    dealer_token = args.dealer_token or secrets.token_urlsafe(12)
    try:
        cloud = CloudRuntime(CloudConfig(
            broker=broker_url, http_host=host, http_port=port, public_url=args.public_url,
            data_dir=args.data_dir / "cloud", demo=True, kdf_profile=args.kdf_profile,
            time_scale=args.time_scale, admin_token=admin_token, dealer_token=dealer_token))
    except OSError as exc:
        print(f"ismart-demo: {exc}", file=sys.stderr)
        if broker:
            broker.stop()
        return 2
    cloud.start_background()
    cloud.serve_http_in_thread()
    hu = build(HeadUnitSettings(broker=broker_url, data_dir=args.data_dir / "headunit",
                                vin=args.vin, model=args.model))
    try:
        kiosk = kiosk_cli.options(args, args.data_dir / "headunit")
    except ValueError as exc:
        print(f"ismart-demo: {exc}", file=sys.stderr)
        cloud.stop()
        if broker:
            broker.stop()
        return 2
    if kiosk is not None:  # the demo car may reset itself for the next visitor
        from .cloud.kiosk import mark
        mark(cloud.service, hu.identity.vin, by="serve")
    stop_car = (lambda: None) if args.no_car else start_car(
        hu.identity.vin, hu.identity.model, broker_url, args.data_dir / "vehicle")
    window = not args.headless and bool(os.environ.get("DISPLAY")
                                        or os.environ.get("WAYLAND_DISPLAY")
                                        or (kiosk is not None and os.path.exists("/dev/dri/card0")))
    if kiosk is not None and not window:
        print("ismart-demo: --kiosk needs a display (DISPLAY, WAYLAND_DISPLAY or KMS/DRM) and "
              "no --headless", file=sys.stderr)
        stop_car()
        cloud.stop()
        if broker:
            broker.stop()
        return 2
    phone = f"{command('ismart-phone')} --cloud {cloud.http_url}"
    vehicle_cmd, cloud_cmd = command("ismart-vehicle"), command("ismart-cloud")
    print(f"""
iSmart emulator running
  MQTT broker : {broker_url}{' (embedded)' if broker else ''}
  cloud       : {cloud.http_url}   (QR codes point at {cloud.public_url})
  head unit   : VIN {hu.identity.vin}, {hu.identity.model}, {'window' if window else 'headless'}
  phone (web) : {cloud.public_url}/   a phone on the same network opens this, or scans the
                car's QR code with its camera (no app needed)

Next, with a phone (in another terminal, from this directory):
  {phone} register you@example.com --password 'a long secret' --name 'Your Name'
  {phone} login you@example.com --password 'a long secret'
  {phone} scan 'QR URL'                 # 1st scan: log into the car
  {phone} scan 'QR URL'                 # 2nd scan: bind the car
  ({'the QR URL is in the JSON lines below' if not window else 'or: scan --image screenshot.png'})
Then use the car (bound accounts only):
  {phone} status
  {phone} climate on --temp 21
  {phone} charge target 80
  {phone} lock
And act as the car (a rig or a developer):
  {vehicle_cmd} --broker {broker_url} --vin {hu.identity.vin} set doors.driver open
Ownership changes (see README): {phone} unbind VIN | force-unbind VIN | answer agree
  {cloud_cmd} time advance 72h --cloud {cloud.http_url} --admin-token {admin_token}
  {cloud_cmd} dealer unbind --vin VIN --case CASE --cloud {cloud.http_url} --dealer-token {dealer_token}
Ctrl-C stops everything.
""", file=sys.stderr if not window else sys.stdout, flush=True)
    try:
        if window:
            from headunit.ui.app import run_window
            return run_window(hu, size=args.size, lang=args.lang, theme=args.theme,
                              fullscreen=args.fullscreen, kiosk=kiosk, rotation=args.rotation,
                              touch=kiosk_cli.touch_input(args, kiosk))
        from headunit.headless import run
        return run(hu)
    finally:
        stop_car()
        cloud.stop()
        if broker:
            broker.stop()


if __name__ == "__main__":
    sys.exit(main())
