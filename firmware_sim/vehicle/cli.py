"""``ismart-vehicle``: run a simulated MG car, and read or set its properties while it runs.

    ismart-vehicle run --vin LSJA24U66PS000001 --model mg4 --broker mqtt://127.0.0.1:1883
    ismart-vehicle --vin LSJA24U66PS000001 get doors.driver
    ismart-vehicle --vin LSJA24U66PS000001 set doors.driver open
    ismart-vehicle --vin LSJA24U66PS000001 set tyres.frontLeftPressure 1.9
    ismart-vehicle --vin LSJA24U66PS000001 drive --to 55.4934,12.1596 --speed 90

``get``/``set``/``drive`` talk to the running simulator over MQTT (``car/admin``); it applies
the change at once and publishes its status, which the cloud relays to the head unit.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from headunit.mqtt import BrokerUrl, TlsFiles
from headunit.protocol import vehicle as pv
from headunit.protocol.topics import TopicError, check_vin
from headunit.vehicle_models import UnknownModel, find_model, load_catalogue

from .admin import AdminError, request

DEFAULT_BROKER = os.environ.get("ISMART_BROKER", "mqtt://127.0.0.1:1883")


def point(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not LAT,LON, e.g. 55.6761,12.5683") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"{text} is not on Earth (lat -90..90, lon -180..180)")
    return lat, lon


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-vehicle",
        description="The simulated MG car behind the head unit: 'run' one car per VIN; 'get', "
                    "'set', 'drive' and 'park' act on a running one over MQTT (car/admin).")
    ap.add_argument("--vin", help="the car's VIN")
    ap.add_argument("--broker", default=DEFAULT_BROKER,
                    help="MQTT 5 broker URL (default: $ISMART_BROKER or %(default)s)")
    ap.add_argument("--ca", help="CA certificate for mqtts://")
    ap.add_argument("--cert", help="client certificate for mqtts://")
    ap.add_argument("--key", help="client key for mqtts://")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for the running simulator (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    sub = ap.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the car in the foreground (JSON lines on stdout)")
    r.add_argument("--vin", default=argparse.SUPPRESS, help="the car's VIN (required)")
    r.add_argument("--broker", default=argparse.SUPPRESS, help="MQTT 5 broker URL")
    r.add_argument("--model", default="mg4",
                   help="model id or name from assets/vehicle_models.json (default: %(default)s; "
                        "'ismart-vehicle models' lists them)")
    r.add_argument("--data-dir", type=Path,
                   help="where the car's state is kept (default: var/vehicle/VIN)")
    r.add_argument("--status-period", type=float, default=30.0,
                   help="real seconds between status publications without a change "
                        "(default: %(default)s)")
    r.add_argument("--min-interval", type=float, default=1.0,
                   help="real seconds at least between publications of changes that come from "
                        "time passing, e.g. driving (default: %(default)s)")
    r.add_argument("--soc", type=float, help="a new car's state of charge, percent")
    r.add_argument("--location", type=point, help="a new car's position LAT,LON")
    r.add_argument("--no-admin", action="store_true",
                   help="do not accept get/set/drive requests on car/admin")
    r.add_argument("--log-level", default="INFO")

    g = sub.add_parser("get", help="read a property, e.g. doors.driver")
    g.add_argument("path")
    s = sub.add_parser("set", help="set a property, e.g. doors.driver open")
    s.add_argument("path")
    s.add_argument("value")
    sub.add_parser("props", help="list the properties (readable, and writable with their values)")
    sub.add_parser("status", help="the whole status document")
    d = sub.add_parser("drive", help="drive to a point, or to the destination the car received")
    where = d.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", type=point, help="LAT,LON")
    where.add_argument("--destination", action="store_true",
                       help="the destination sent from the phone (Map & POI)")
    d.add_argument("--speed", type=float, default=50.0, help="km/h (default: %(default)s)")
    sub.add_parser("park", help="stop driving where the car is")
    sub.add_parser("models", help="the models this simulator knows, with their services")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "models":
            return _print(args, _models(), _models_text())
        BrokerUrl.parse(args.broker)
        if not args.vin:
            raise ValueError("give the car's VIN with --vin")
        check_vin(args.vin)
        tls = TlsFiles(args.ca, args.cert, args.key) if args.ca else None
        if args.command == "run":
            return run(args, tls)
        try:
            op = _op(args)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = str(first["loc"][0]) if first["loc"] else "request"
            hint = " (a path is group.field, e.g. doors.driver; see 'props')" \
                if where == "path" else ""
            raise ValueError(f"{where}: {first['msg']}{hint}") from None
        result = request(args.broker, args.vin, op, timeout=args.timeout, tls=tls)
    except (ValueError, TopicError, UnknownModel, AdminError) as exc:
        print(f"ismart-vehicle: {exc}", file=sys.stderr)
        return 2
    if result.status != "ok":
        message = result.error.message if result.error else "refused"
        if args.json:
            print(json.dumps({"ok": False, "error": result.error.model_dump()
                              if result.error else None}))
        print(f"ismart-vehicle: {message}", file=sys.stderr)
        return 1
    data = result.data or {}
    return _print(args, data, _text(args, data))


def _op(args: argparse.Namespace) -> Any:
    if args.command == "get":
        return pv.AdminGet(path=args.path)
    if args.command == "set":
        return pv.AdminSet(path=args.path, value=args.value)
    if args.command == "props":
        return pv.AdminProps()
    if args.command == "status":
        return pv.AdminStatus()
    if args.command == "drive":
        if args.to:
            return pv.AdminDrive(latitude=args.to[0], longitude=args.to[1], speed=args.speed)
        return pv.AdminDrive(to_destination=True, speed=args.speed)
    return pv.AdminPark()


def _text(args: argparse.Namespace, data: dict) -> str:
    if args.command in ("get", "set"):
        return json.dumps(data.get("value"))
    if args.command == "props":
        lines = [f"{p}  (set: {data['writable'][p]})" if p in data["writable"] else p
                 for p in sorted(set(data["readable"]) | set(data["writable"]))]
        return "\n".join(lines)
    if args.command == "status":
        return json.dumps(data, indent=2)
    return f"done (status seq {data.get('seq')})"


def _print(args: argparse.Namespace, data: Any, text: str) -> int:
    print(json.dumps({"ok": True, "result": data}) if args.json else text)
    return 0


def _models() -> list[dict]:
    return [{"id": s.id, "name": s.name, "powertrain": s.powertrain,
             "battery_kwh": s.battery_kwh, "wltp_range_km": s.wltp_range_km,
             "ac_max_kw": s.ac_max_kw, "dc_max_kw": s.dc_max_kw,
             "services": [x for x in pv.SERVICES if x in s.services]}
            for s in load_catalogue().models]


def _models_text() -> str:
    return "\n".join(f"{m['id']:<10} {m['name']:<24} {m['battery_kwh']:>5} kWh "
                     f"{m['wltp_range_km']:>4.0f} km  {', '.join(m['services'])}"
                     for m in _models())


def run(args: argparse.Namespace, tls: TlsFiles | None) -> int:
    from .sim import SimSettings, VehicleSim

    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s vehicle %(levelname)s %(name)s: %(message)s")
    model = find_model(args.model)
    start: dict[str, Any] = {}
    if args.soc is not None:
        if not 0 <= args.soc <= 100:
            raise ValueError(f"--soc {args.soc} is outside 0..100")
        start["soc"] = float(args.soc)
    if args.location:
        from .state import Location
        start["location"] = Location(latitude=args.location[0], longitude=args.location[1])
    settings = SimSettings(
        vin=args.vin, model=model, broker=args.broker,
        data_dir=args.data_dir or Path("var/vehicle") / args.vin,
        status_period=args.status_period, min_interval=args.min_interval,
        admin=not args.no_admin, tls=tls, start=start)
    sim = VehicleSim(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def line(event: str, **fields: Any) -> None:
        print(json.dumps({"event": event, **fields}), flush=True)

    sim.conn.on_connectivity(lambda up: line("connected" if up else "disconnected"))
    line("started", vin=sim.vin, model=model.name, model_id=model.id, epoch=sim.epoch,
         data_dir=str(settings.data_dir), services=sorted(model.services))
    sim.start()
    while not stop.wait(0.25):
        sim.tick()
    sim.stop()
    line("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
