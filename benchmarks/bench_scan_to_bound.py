"""Benchmark 1: scan-to-bound latency beside the raw MQTT round trip through the same broker.

From the phone's confirm request being sent to the head unit reporting "bound": the owner of a
bound car logs in again with one scan (scan → confirm → bound), then logs out on the head unit,
N times. The cloud runs as its own process; the head unit and the phone run here.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from firmware_sim.phone.client import PhoneClient
from headunit.runtime import HeadUnitSettings, build

from .common import mqtt_round_trip, save, summary


def run(broker: str, cloud_url: str, workdir: Path, n: int = 200) -> dict:
    hu = build(HeadUnitSettings(broker=broker, data_dir=workdir / "hu",
                                vin="LSJBENCH000000001"))
    cond = threading.Condition()
    seen: list[tuple[float, str]] = []

    def listener(view) -> None:  # noqa: ANN001
        with cond:
            seen.append((time.perf_counter(), view.state, view.qr.content if view.qr else None))
            cond.notify_all()

    def wait(pred, timeout: float = 10.0):  # noqa: ANN001
        deadline = time.monotonic() + timeout
        with cond:
            while True:
                for item in reversed(seen):
                    if pred(item):
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"head unit did not get there; last {seen[-1:]}")
                cond.wait(left)

    hu.on_change(listener)
    hu.link.conn.start()
    ticker_stop = threading.Event()

    def ticker() -> None:
        while not ticker_stop.wait(0.05):
            hu.tick()

    threading.Thread(target=ticker, daemon=True).start()
    phone = PhoneClient(cloud_url, workdir / "phone")
    phone.register("bench@example.com", "bench password", "Bench")
    phone.login("bench@example.com", "bench password")
    # first bind: two scans
    qr = wait(lambda s: s[1] == "no_user" and s[2])[2]
    phone.confirm(phone.scan(qr)["scan_id"])
    qr = wait(lambda s: s[1] == "logged_in" and s[2])[2]
    phone.confirm(phone.scan(qr)["scan_id"])
    wait(lambda s: s[1] == "bound")

    latencies = []
    for _ in range(n):
        hu.logout()
        qr = wait(lambda s: s[1] == "no_user" and s[2])[2]
        deadline = time.monotonic() + 10
        while hu.session.pending_logout:  # the cloud has not answered the logout yet
            if time.monotonic() > deadline:
                raise RuntimeError("the cloud did not answer the logout")
            time.sleep(0.002)
        scan = phone.scan(qr)
        with cond:
            mark = len(seen)
        t0 = time.perf_counter()
        phone.confirm(scan["scan_id"])
        with cond:
            deadline = time.monotonic() + 10
            while not any(s[1] == "bound" for s in seen[mark:]):
                if not cond.wait(max(0.0, deadline - time.monotonic())):
                    raise RuntimeError("no bound state after confirm")
            t_bound = next(s[0] for s in seen[mark:] if s[1] == "bound")
        latencies.append((t_bound - t0) * 1000)
    ticker_stop.set()
    hu.link.conn.stop()
    return summary(latencies)


def main(argv: list[str] | None = None) -> dict:
    from tests.support.brokers import Mosquitto
    from tests.support.procs import Proc, program

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        broker = Mosquitto(root / "mosquitto").start()
        cloud = Proc([program("ismart-cloud"), "serve", "--broker", broker.url, "--http",
                      "127.0.0.1:0", "--data-dir", str(root / "cloud"), "--demo",
                      "--kdf-profile", "fast", "--log-level", "WARNING"],
                     name="cloud", log_dir=root / "logs")
        try:
            ready = cloud.wait_for(lambda l: l["event"] == "ready", 20)
            raw = summary(mqtt_round_trip(broker.url))
            bound = run(broker.url, ready["http"], root, args.n)
        finally:
            cloud.stop()
            broker.stop()
    result = {"scan_to_bound_ms": bound, "raw_mqtt_rtt_ms": raw,
              "ratio_p50": bound["p50"] / raw["p50"],
              "targets": {"p50_within_20x_raw": bound["p50"] <= 20 * raw["p50"],
                          "p99_under_50ms": bound["p99"] < 50}}
    save("scan_to_bound", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
