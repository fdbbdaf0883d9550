"""Helpers for the ownership-change tests: bind a car end to end, call the cloud's admin and
dealer APIs and CLI, read a retained topic from the broker."""

from __future__ import annotations

import json
import secrets
import subprocess
import threading
import time
import uuid
from typing import Any

import httpx
import paho.mqtt.client as paho

from headunit.mqtt import BrokerUrl
from headunit.protocol import messages as m
from headunit.protocol import topics
from tests.conftest import ADMIN_TOKEN
from tests.support.procs import program

DEALER_TOKEN = "test-dealer-" + secrets.token_hex(8)
VIN = "LSJA24U66PS000001"


def start(system_on, broker_url: str, *extra: str):
    """A cloud (with the dealer role on) and a headless head unit; returns (system, hu)."""
    sys_ = system_on(broker_url)
    sys_.start_cloud("--dealer-token", DEALER_TOKEN, *extra)
    hu = sys_.start_headunit(vin=VIN, name="hu")
    return sys_, hu


def current_qr(hu, purpose: str, timeout: float = 15.0) -> dict:
    """The head unit's latest state line, once it shows an online QR code for ``purpose``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [x for x in list(hu.lines) if isinstance(x, dict) and x.get("event") == "state"]
        last = lines[-1] if lines else None
        if last and last["online"] and last["qr"] and last["qr"]["purpose"] == purpose:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{hu.name}: no {purpose} QR on screen after {timeout} s; "
                         f"last: {hu.lines[-1:]}")


def bind(sys_, hu, who: str, name: str) -> dict:
    """``who`` scans the login QR, then the bind QR; returns the head unit's bound line."""
    since = hu.mark()
    r = sys_.phone(who, "scan", current_qr(hu, "login")["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
    r = sys_.phone(who, "scan", current_qr(hu, "bind")["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    return _bound(hu, name, since)


def _bound(hu, name: str, since: int) -> dict:
    def ok(line: Any) -> bool:
        return (isinstance(line, dict) and line.get("event") == "state"
                and line["state"] == "bound" and line["user"]["display_name"] == name)

    return hu.wait_for(ok, 15, f"bound to {name}", since=since)


def refused_scan(sys_, hu, who: str) -> dict:
    """``who`` scans the car's login QR while it is bound to someone else: refused."""
    r = sys_.phone(who, "scan", current_qr(hu, "login")["qr"]["content"])
    assert r["rc"] == 1 and r["error"]["code"] == "bound_to_other_user", r
    return r


def admin(sys_, method: str, path: str, body: Any = None, token: str = ADMIN_TOKEN
          ) -> httpx.Response:
    return httpx.request(method, sys_.cloud_url + path, json=body, timeout=15,
                         headers={"Authorization": f"Bearer {token}"})


def cloud_cli(sys_, *args: str, token: str | None = None) -> dict:
    """``ismart-cloud ARGS --cloud URL --json`` (+ the right token); JSON with ``rc``."""
    extra = ["--cloud", sys_.cloud_url, "--json"]
    if token is not None:
        flag = "--dealer-token" if args[0] == "dealer" else "--admin-token"
        extra += [flag, token]
    elif args[0] == "dealer":
        extra += ["--dealer-token", DEALER_TOKEN]
    else:
        extra += ["--admin-token", ADMIN_TOKEN]
    r = subprocess.run([program("ismart-cloud"), *args, *extra], capture_output=True, text=True,
                       timeout=30)
    try:
        out = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError(
            f"ismart-cloud {args} printed no JSON: {r.stdout!r} {r.stderr!r}") from None
    out["rc"], out["stderr"] = r.returncode, r.stderr
    return out


def advance(sys_, duration: str) -> dict:
    r = cloud_cli(sys_, "time", "advance", duration)
    assert r["rc"] == 0, r
    return r["result"]


def notifications(sys_, who: str, *extra: str) -> dict:
    r = sys_.phone(who, "notifications", *extra)
    assert r["rc"] == 0, r
    return r["result"]


def codes_of(sys_, who: str) -> list[str]:
    return [n["code"] for n in notifications(sys_, who)["notifications"]]


def retained_session(broker_url: str, vin: str = VIN, timeout: float = 10.0) -> m.SessionState:
    """The car's retained session state as a new subscriber gets it from the broker."""
    url = BrokerUrl.parse(broker_url)
    got: list[bytes] = []
    done = threading.Event()
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"probe-{uuid.uuid4().hex[:8]}",
                    protocol=paho.MQTTv5)

    def on_connect(client, userdata, flags, reason_code, props) -> None:  # noqa: ANN001
        client.subscribe(topics.vehicle(vin, topics.SESSION), qos=1)

    def on_message(client, userdata, message) -> None:  # noqa: ANN001
        got.append(message.payload)
        done.set()

    c.on_connect, c.on_message = on_connect, on_message
    c.connect(url.host, url.port)
    c.loop_start()
    try:
        assert done.wait(timeout), "no retained session state on the broker"
    finally:
        c.disconnect()
        c.loop_stop()
    return m.decode(m.SESSION, got[0])


def logout_at_car(hu) -> dict:
    """The person at the car taps Log out: the login QR shows; the binding stays."""
    hu.send({"cmd": "logout"})
    line = current_qr(hu, "login")
    assert line["state"] == "no_user" and line["binding"] is not None
    return line
