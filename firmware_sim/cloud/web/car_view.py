"""What the car page shows, from the cloud's answer for the bound user
(:meth:`VehicleRelay.status_for`): pure functions, no I/O.

The page's words come from :mod:`.i18n`; this module only picks the facts (which doors are
open, which tyres are low, how long charging takes) and the car's services in the phone
app's order, so a model without a service shows no section for it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from headunit.car import LOW_TYRE_FRACTION
from headunit.protocol import vehicle as pv

# the page's sections: (service, anchor, title key), in the app's order
SECTIONS = (("vehicle_status", "status", "svc_status"), ("climate", "climate", "svc_climate"),
            ("ev_management", "ev", "svc_ev"), ("digital_key", "key", "svc_key"),
            ("find_my_car", "find", "svc_find"), ("map_poi", "map", "svc_map"),
            ("notifications", "alerts", "svc_alerts"))
ANCHOR = {service: anchor for service, anchor, _ in SECTIONS}
DOORS = ("driver", "passenger", "rearLeft", "rearRight", "bonnet", "boot")
WINDOWS = ("driver", "passenger", "rearLeft", "rearRight", "sunRoof")
TYRES = (("frontLeftPressure", "tyre_fl"), ("frontRightPressure", "tyre_fr"),
         ("rearLeftPressure", "tyre_rl"), ("rearRightPressure", "tyre_rr"))
SETPOINTS = tuple(x / 2 for x in range(int(pv.SETPOINT_MIN * 2), int(pv.SETPOINT_MAX * 2) + 1))


def version(data: Any) -> str:
    """A short fingerprint of what a live part shows: equal means nothing to redraw."""
    blob = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def duration(seconds: int) -> str:
    """``2 h 05 min`` / ``45 min``."""
    minutes = max(0, int(seconds) // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def sections(services: dict[str, bool]) -> list[dict[str, str]]:
    """The sections of the services the model has, in the app's order."""
    return [{"service": s, "anchor": a, "title": key} for s, a, key in SECTIONS
            if services.get(s)]


def facts(data: dict[str, Any], tyre_bar: float) -> dict[str, Any] | None:
    """The car's status as the page shows it; None before the car's first status."""
    st = data.get("status")
    if st is None:
        return None
    d, cl, loc = st["drivetrain"], st["climate"], st["location"]
    limit = tyre_bar * LOW_TYRE_FRACTION
    tyres = [{"key": key, "bar": f"{st['tyres'][field]:.1f}",
              "low": st["tyres"][field] < limit} for field, key in TYRES]
    return {
        "seq": st["seq"], "time": st["time"],
        "soc": round(d["soc"]), "soc_exact": d["soc"], "range": int(d["range"]),
        "charging": d["charging"], "plugged": d["chargerConnected"],
        "power": f"{d['chargingPower']:.1f}".rstrip("0").rstrip("."),
        "to_target": duration(d["remainingChargingTime"]), "target": d["socTarget"],
        "limit": d["chargeCurrentLimit"], "schedule": d["chargingSchedule"],
        "mileage": int(d["mileage"]), "aux": f"{d['auxiliaryBatteryVoltage']:.1f}",
        "locked": st["doors"]["locked"],
        "open_doors": [k for k in DOORS if st["doors"][k]],
        "open_windows": [k for k in WINDOWS if st["windows"][k]],
        "tyres": tyres,
        "inside": f"{cl['interiorTemperature']:.0f}", "outside": f"{cl['exteriorTemperature']:.0f}",
        "climate": cl["remoteClimateState"], "setpoint": cl["remoteTemperature"],
        "seat_left": cl["heatedSeatsFrontLeftLevel"], "seat_right": cl["heatedSeatsFrontRightLevel"],
        "defrost_front": cl["frontWindowDefrosterHeating"],
        "defrost_rear": cl["rearWindowDefrosterHeating"],
        "lat": f"{loc['latitude']:.5f}", "lon": f"{loc['longitude']:.5f}",
        "latitude": loc["latitude"], "longitude": loc["longitude"],
        "driving": loc["driving"], "speed": int(loc["speed"]), "find": loc["findMyCar"],
        "destination": (st["navigation"]["destination"] or {}).get("name"),
        "alarm": st["alarm"]["triggered"],
    }


def live_version(data: dict[str, Any], alerts: dict[str, Any] | None) -> str:
    """What the car page's live parts depend on: the status, being online, the alerts."""
    st = data.get("status") or {}
    return version([st.get("epoch"), st.get("seq"), data.get("car_online"),
                    alerts and [alerts["unread"], [a["id"] for a in alerts["notifications"]]]])


# ------------------------------------------------------------------ forms -> commands


class FormError(ValueError):
    """A command form that cannot be a command (a field missing or not a number)."""


def command_from_form(form: dict[str, str], find_poi: Any) -> dict[str, Any]:
    """The command a car page's form asks for, as the JSON the command model validates.

    ``find_poi(id)`` gives a point of interest (for ``send_destination``) or None.
    """
    name = form.get("cmd", "")
    try:
        if name == "climate":
            cmd: dict[str, Any] = {"name": name, "state": form.get("state", "")}
            if form.get("state") != "off" and form.get("temperature"):
                cmd["temperature"] = float(form["temperature"])
            return cmd
        if name == "heated_seat":
            return {"name": name, "seat": form.get("seat", ""), "level": int(form["level"])}
        if name == "defrost":
            return {"name": name, "window": form.get("window", ""), "on": form.get("on") == "1"}
        if name == "charging":
            return {"name": name, "action": form.get("action", "")}
        if name == "charge_target":
            return {"name": name, "soc": int(form["soc"])}
        if name == "charge_current_limit":
            return {"name": name, "limit": form.get("limit", "")}
        if name == "charge_schedule":
            return {"name": name, "enabled": form.get("enabled") == "yes",
                    "start": form.get("start", ""), "end": form.get("end", "")}
        if name in ("lock", "unlock"):
            return {"name": name}
        if name == "find_my_car":
            return {"name": name, "mode": form.get("mode", "")}
        if name == "send_destination":
            p = find_poi(form.get("poi", ""))
            if p is None:
                raise FormError("no such point of interest")
            return {"name": name, "destination": {
                "name": p.name[:128], "latitude": p.latitude, "longitude": p.longitude,
                "address": p.address[:200], "poi_id": p.id}}
    except (KeyError, ValueError) as exc:
        raise FormError(str(exc)) from None
    raise FormError(f"unknown command {name!r}")
