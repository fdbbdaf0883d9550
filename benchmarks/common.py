"""Shared pieces of the benchmarks: percentiles, a raw MQTT round-trip baseline, results."""

from __future__ import annotations

import json
import platform
import socket
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

from headunit.mqtt import BrokerUrl

RESULTS = Path(__file__).with_name("results.json")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99),
            "mean": statistics.fmean(values) if values else float("nan")}


def machine() -> dict[str, Any]:
    import os

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def mqtt_round_trip(broker: str, n: int = 1000, qos: int = 1) -> list[float]:
    """Raw paho round trips through ``broker``: A publishes, B echoes, A receives (ms)."""
    url = BrokerUrl.parse(broker)
    got = threading.Event()

    def client(cid: str) -> paho.Client:
        c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=cid, protocol=paho.MQTTv5)
        c.connect(url.host, url.port)
        c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.loop_start()
        return c

    echo, ping = client("bench-echo"), client("bench-ping")
    echo.on_message = lambda c, u, m: c.publish("bench/pong", m.payload, qos=qos)
    ping.on_message = lambda c, u, m: got.set()
    echo.subscribe("bench/ping", qos=qos)
    ping.subscribe("bench/pong", qos=qos)
    time.sleep(0.5)
    out = []
    for i in range(n + 20):
        got.clear()
        t0 = time.perf_counter()
        ping.publish("bench/ping", b"%d" % i, qos=qos)
        if not got.wait(5):
            raise RuntimeError("raw MQTT round trip timed out")
        if i >= 20:  # warm-up
            out.append((time.perf_counter() - t0) * 1000)
    for c in (echo, ping):
        c.loop_stop()
        c.disconnect()
    return out


def save(name: str, result: dict[str, Any]) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[name] = result
    data["machine"] = machine()
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
