"""The phone app's car services on the command line: status, climate, EV management, digital
key, find my car, map & POI, the car's alerts (``ismart-phone status``, ``climate on --temp 21``,
``charge target 80``, ``lock``, ...).

Every command goes to ``POST /api/v1/vehicles/{vin}/commands`` with a request id (random, or
``--request-id`` to repeat one: the car answers a repeat again and never runs it twice). The
car is the one bound to this account, or ``--vin``.
"""

from __future__ import annotations

import argparse
import json
import re
import uuid
from typing import Any

from headunit.protocol import vehicle as pv

from .client import PhoneClient, PhoneError

COMMANDS = ("status", "climate", "seat-heat", "defrost", "charge", "lock", "unlock", "key",
            "find-my-car", "send-destination", "poi", "alerts", "car-command")


def _car_options(p: argparse.ArgumentParser, command: bool = True) -> None:
    p.add_argument("--vin", help="the car (default: the one car bound to this account)")
    if command:
        p.add_argument("--request-id", help="the command's request id (default: a new one); "
                                            "repeat one to see it answered again, not re-run")


def add_commands(sub: Any) -> None:
    p = sub.add_parser("status", help="Vehicle status: the car's newest status")
    _car_options(p, command=False)
    p.add_argument("--after-seq", type=int, help="wait for a status newer than this seq")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for it (max 30)")

    p = sub.add_parser("climate", help="Climate: on, off, front (with defrost), blowingonly")
    p.add_argument("state", choices=pv.CLIMATE_STATES)
    p.add_argument("--temp", type=float, help=f"setpoint, {pv.SETPOINT_MIN:g}..{pv.SETPOINT_MAX:g} °C")
    _car_options(p)

    p = sub.add_parser("seat-heat", help="Climate: a front seat's heating level 0-3")
    p.add_argument("seat", choices=pv.SEATS)
    p.add_argument("level", type=int, choices=range(4))
    _car_options(p)

    p = sub.add_parser("defrost", help="Climate: front or rear window defroster on/off")
    p.add_argument("window", choices=("front", "rear"))
    p.add_argument("on", choices=("on", "off"))
    _car_options(p)

    p = sub.add_parser("charge", help="EV management: start | stop | target 80 | limit 16A | "
                                      "schedule 22:00-06:00 | schedule off")
    p.add_argument("action", choices=("start", "stop", "target", "limit", "schedule"))
    p.add_argument("value", nargs="?", help="for target: 40..100 in tens; limit: 6A, 8A, 16A, "
                                            "MAX; schedule: HH:MM-HH:MM or off")
    _car_options(p)

    for name, what in (("lock", "Digital key: lock the car"),
                       ("unlock", "Digital key: unlock the car")):
        _car_options(sub.add_parser(name, help=what))
    _car_options(sub.add_parser("key", help="Digital key: the key's status"), command=False)

    p = sub.add_parser("find-my-car", help="Find my car: activate | lights_only | horn_only | stop")
    p.add_argument("mode", choices=pv.FIND_MY_CAR_MODES)
    _car_options(p)

    p = sub.add_parser("send-destination", help="Map & POI: send a destination to the car")
    p.add_argument("name", nargs="?", help="what to call it (default: the POI's name)")
    p.add_argument("--lat", type=float)
    p.add_argument("--lon", type=float)
    p.add_argument("--address")
    p.add_argument("--poi", help="a point of interest id from 'poi search'")
    _car_options(p)

    p = sub.add_parser("poi", help="Map & POI: search the points of interest")
    p.add_argument("action", choices=("search",))
    p.add_argument("query", nargs="*", help="words to find, e.g. Køge charger")
    p.add_argument("--kind", choices=("charger", "place", "dealer"))
    p.add_argument("--near", help="LAT,LON: nearest first")
    p.add_argument("--limit", type=int, default=10)

    p = sub.add_parser("alerts", help="Notifications: the car's alerts (tyre pressure, charging "
                                      "complete, alarm, ...)")
    _car_options(p, command=False)
    p.add_argument("--read", nargs="*", metavar="ID",
                   help="mark these read (no ids: all of them)")

    p = sub.add_parser("car-command", help="send any command as JSON, e.g. "
                                           '\'{"name": "lock"}\' (see docs/protocol.md)')
    p.add_argument("json")
    _car_options(p)


# ---------------------------------------------------------------- running them


def bound_vin(phone: PhoneClient, vin: str | None) -> str:
    if vin:
        return vin
    cars = [v for v in phone.vehicles() if v["bound"]]
    if len(cars) == 1:
        return cars[0]["vin"]
    if not cars:
        raise PhoneError("not_bound", "no car is bound to this account; bind one by scanning "
                         "its QR codes, or give --vin")
    raise PhoneError("invalid_request", f"{len(cars)} cars are bound to this account; give "
                     "--vin (see 'ismart-phone vehicles')")


def send(phone: PhoneClient, args: argparse.Namespace, command: dict[str, Any]) -> dict:
    vin = bound_vin(phone, args.vin)
    rid = args.request_id or uuid.uuid4().hex
    return phone.call("POST", f"/api/v1/vehicles/{vin}/commands", auth=True,
                      body={"request_id": rid, "command": command})


def _charge(args: argparse.Namespace) -> dict[str, Any]:
    a, v = args.action, args.value
    if a in ("start", "stop"):
        return {"name": "charging", "action": a}
    if v is None:
        raise PhoneError("invalid_request", f"'charge {a}' needs a value, e.g. 'charge target 80'")
    if a == "target":
        if not v.isdigit():
            raise PhoneError("invalid_request", f"target {v!r} is not a number; use 40..100 "
                             "in steps of 10")
        return {"name": "charge_target", "soc": int(v)}
    if a == "limit":
        return {"name": "charge_current_limit", "limit": v.upper()}
    if v.lower() == "off":
        return {"name": "charge_schedule", "enabled": False}
    found = re.fullmatch(r"(\d{2}:\d{2})-(\d{2}:\d{2})", v)
    if not found:
        raise PhoneError("invalid_request", f"schedule {v!r} is not HH:MM-HH:MM (or off)")
    return {"name": "charge_schedule", "enabled": True, "start": found[1], "end": found[2]}


def _destination(phone: PhoneClient, args: argparse.Namespace) -> dict[str, Any]:
    if args.poi:
        p = phone.call("GET", f"/api/v1/pois/{args.poi}", auth=True)
        dest = {"name": args.name or p["name"], "latitude": p["latitude"],
                "longitude": p["longitude"], "address": p["address"], "poi_id": p["id"]}
    elif args.lat is not None and args.lon is not None and args.name:
        dest = {"name": args.name, "latitude": args.lat, "longitude": args.lon}
        if args.address:
            dest["address"] = args.address
    else:
        raise PhoneError("invalid_request", "give --poi ID, or a NAME with --lat and --lon")
    return {"name": "send_destination", "destination": dest}


def run(args: argparse.Namespace, phone: PhoneClient) -> tuple[Any, str]:
    c = args.command
    if c == "status":
        vin = bound_vin(phone, args.vin)
        params: dict[str, Any] = {}
        if args.after_seq is not None:
            params = {"after_seq": args.after_seq, "wait": args.wait}
        r = phone.call("GET", f"/api/v1/vehicles/{vin}/status", auth=True, params=params)
        return r, status_text(r)
    if c == "key":
        r = phone.call("GET", f"/api/v1/vehicles/{bound_vin(phone, args.vin)}/status", auth=True)
        if r["key"] is None:
            raise PhoneError("service_unavailable", f"The {r['model']} has no Digital key service.")
        k = r["key"]
        return k, (f"Digital key of {k['holder']}: active; the car is "
                   f"{'locked' if k['locked'] else 'unlocked' if k['locked'] is False else 'unknown'}.")
    if c == "poi":
        params = {"q": " ".join(args.query), "limit": args.limit}
        if args.kind:
            params["kind"] = args.kind
        if args.near:
            params["near"] = args.near
        pois = phone.call("GET", "/api/v1/pois", auth=True, params=params)["pois"]
        lines = [f"{p['id']:<22} {p['name']}"
                 + (f" ({p['operator']}, {p['power_kw']:g} kW)" if p["power_kw"] else "")
                 + f", {p['address']}"
                 + (f", {p['distance_km']} km" if "distance_km" in p else "") for p in pois]
        return pois, "\n".join(lines) or "Nothing found."
    if c == "alerts":
        vin = bound_vin(phone, args.vin)
        if args.read is not None:
            r = phone.call("POST", f"/api/v1/vehicles/{vin}/notifications/read", auth=True,
                           body={"ids": args.read or None})
        else:
            r = phone.call("GET", f"/api/v1/vehicles/{vin}/notifications", auth=True)
        lines = [f"{'  ' if n['read'] else '* '}{n['id']}  {n['title']}"
                 for n in r["notifications"]]
        return r, "\n".join([f"{r['unread']} unread", *lines])
    command = _command(phone, args)
    r = send(phone, args, command)
    return r, result_text(command, r)


def _command(phone: PhoneClient, args: argparse.Namespace) -> dict[str, Any]:
    c = args.command
    if c == "climate":
        cmd: dict[str, Any] = {"name": "climate", "state": args.state}
        if args.temp is not None:
            cmd["temperature"] = args.temp
        return cmd
    if c == "seat-heat":
        return {"name": "heated_seat", "seat": args.seat, "level": args.level}
    if c == "defrost":
        return {"name": "defrost", "window": args.window, "on": args.on == "on"}
    if c == "charge":
        return _charge(args)
    if c in ("lock", "unlock"):
        return {"name": c}
    if c == "find-my-car":
        return {"name": "find_my_car", "mode": args.mode}
    if c == "send-destination":
        return _destination(phone, args)
    try:
        cmd = json.loads(args.json)
    except ValueError as exc:
        raise PhoneError("invalid_request", f"the command is not JSON: {exc}") from None
    if not isinstance(cmd, dict):
        raise PhoneError("invalid_request", 'the command is a JSON object like {"name": "lock"}')
    return cmd


def result_text(command: dict[str, Any], r: dict[str, Any]) -> str:
    data = r.get("data") or {}
    name = command.get("name")
    if name == "find_my_car":
        lat, lon = data.get("latitude"), data.get("longitude")
        return (f"Find my car: {data.get('findMyCar')}. The car is at {lat}, {lon} "
                f"(https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}).")
    details = ", ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, dict))
    return f"{name}: done{' (' + details + ')' if details else ''}."


def status_text(r: dict[str, Any]) -> str:
    s = r["status"]
    head = f"{r['model']}, VIN ending …{r['vin'][-4:]}: car {'online' if r['car_online'] else 'offline'}"
    if s is None:
        return head + "; no status yet."
    d, cl, loc = s["drivetrain"], s["climate"], s["location"]
    charging = (f"charging {d['chargingPower']:g} kW to {d['socTarget']} %"
                if d["charging"] else "plugged in" if d["chargerConnected"] else "not plugged in")
    opened = [k for k, v in s["doors"].items() if k != "locked" and v]
    lines = [
        head,
        f"battery {d['soc']:g} % ({d['range']:.0f} km), {charging}",
        f"{'locked' if s['doors']['locked'] else 'unlocked'}"
        f"{'; open: ' + ', '.join(opened) if opened else ''}",
        f"cabin {cl['interiorTemperature']:g} °C, outside {cl['exteriorTemperature']:g} °C, "
        f"climate {cl['remoteClimateState']} ({cl['remoteTemperature']:g} °C)",
        f"at {loc['latitude']}, {loc['longitude']}"
        f"{', driving ' + format(loc['speed'], 'g') + ' km/h' if loc['driving'] else ''}",
        f"status seq {s['seq']}",
    ]
    return "\n".join(lines)
