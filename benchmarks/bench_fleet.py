"""Benchmark 2: the largest fleet at 1 Hz that one cloud process serves through mosquitto with
no status lost and a p99 latency (car publishes → its head unit receives) under 250 ms,
beside the raw paho + mosquitto message rate on the same machine, in the same run.

A bounded search: fleets of 250, 500, 1000, ... cars (``ismart-fleet``, one short run each)
until one fails or the time budget is spent, then bisection between the last pass and the
first failure. The cars of one run stay bound for the next (same data directory), so a step
binds only the cars it adds. The cloud runs ``--kdf-profile fast`` (password hashing is not
what is measured) with its database, like the fleet's, on tmpfs when there is one. Every step
records the CPU the cloud, the fleet and mosquitto used while measuring, which names what
limits the fleet.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

from headunit.mqtt import BrokerUrl

from .bench_idle import cpu_seconds
from .common import save

RATE = 1.0
P99_LIMIT_MS = 250.0
TARGET = 10_000
PAYLOAD = 1438  # bytes: a car's status document


def raw_rate(broker: str, n: int = 20_000, qos: int = 1) -> float:
    """Messages/s from one paho publisher at full speed to one paho subscriber through
    ``broker``, status-sized payloads, QoS 1 (what the fleet uses)."""
    url = BrokerUrl.parse(broker)
    done = threading.Event()
    got = [0, 0.0]

    def on_message(c: Any, u: Any, m: Any) -> None:
        got[0] += 1
        if got[0] == 1:
            got[1] = time.perf_counter()
        if got[0] == n:
            done.set()

    sub = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    sub.on_message = on_message
    sub.connect(url.host, url.port)
    sub.subscribe("bench/raw", qos=qos)
    sub.loop_start()
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    pub.max_inflight_messages_set(1000)
    pub.max_queued_messages_set(0)
    pub.connect(url.host, url.port)
    pub.loop_start()
    time.sleep(0.5)
    payload = b"x" * PAYLOAD
    for _ in range(n):
        pub.publish("bench/raw", payload, qos=qos)
    if not done.wait(120):
        raise RuntimeError(f"the raw baseline received {got[0]} of {n} messages")
    rate = (n - 1) / (time.perf_counter() - got[1])
    for c in (pub, sub):
        c.loop_stop()
        c.disconnect()
    return rate


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the fleet's worker processes)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, pp in parents.items() if pp == p]
    return out


def cpu_of(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each named process; the fleet's with its worker processes, and its
    busiest process on its own (one network thread each)."""
    out = {}
    for name, pid in pids.items():
        if name == "fleet":
            each = {p: cpu_seconds(p) for p in tree(pid) if Path(f"/proc/{p}").exists()}
            out["fleet"] = sum(each.values())
            out.update({f"fleet/{p}": c for p, c in each.items()})
        else:
            out[name] = cpu_seconds(pid)
    return out


class Step:
    """One fleet run of ``n`` cars; CPU of each process over its measuring window."""

    def __init__(self, n: int, broker: str, cloud: str, data: Path, pids: dict[str, int],
                 duration: float, new_cars: int) -> None:
        self.n = n
        t0 = time.monotonic()
        processes = min(2, os.cpu_count() or 1)  # one network thread must not be the limit
        common = [str(Path(sys.executable).with_name("ismart-fleet")), "--json",
                  "--vehicles", str(n), "--rate", str(RATE), "--broker", broker,
                  "--cloud", cloud, "--data-dir", str(data), "--processes", str(processes)]
        self.bind_s = 0.0
        if new_cars:  # bind the cars this step adds first: the measured run only measures
            r = subprocess.run([*common, "--bind-only",
                                "--ready-timeout", str(30 + n / 200 + new_cars / 20)],
                               capture_output=True, text=True, timeout=900)
            self.bind_s = time.monotonic() - t0
            lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
            done = [x for x in lines if x.get("event") == "summary"]
            if not done or done[-1]["bound"] < n:  # a failed step: too slow to even bind
                if not done:
                    raise RuntimeError(f"ismart-fleet --bind-only --vehicles {n} exited "
                                       f"{r.returncode} without a summary: {r.stderr[-500:]}")
                self.summary, self.p99, self.ok, self.cpu = done[-1], None, False, {}
                self.seconds = time.monotonic() - t0
                return
        args = [*common, "--duration", str(duration), "--warmup", "3", "--drain", "5",
                "--ready-timeout", str(30 + n / 100)]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        pids = {**pids, "fleet": p.pid}
        summary: dict[str, Any] | None = None
        samples: list[tuple[float, dict[str, float]]] = []  # CPU seconds, every second
        start = end = None  # indexes into samples: the measuring window
        assert p.stdout is not None
        for line in p.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("event") == "progress":
                if p.poll() is None and end is None:
                    samples.append((time.monotonic(), cpu_of(pids)))
                if msg["phase"] == "warm-up" and msg["bound"] < n and p.poll() is None \
                        and end is None:
                    end = len(samples) - 1  # not every car bound in time: overloaded, failed
                    start = max(0, end - 10)  # what the processes used while it ramped up
                    p.terminate()
                elif msg["phase"] == "measuring" and start is None:
                    start = len(samples) - 1
                elif msg["phase"] == "draining" and start is not None and end is None:
                    end = len(samples) - 1
            elif msg.get("event") == "summary":
                summary = msg
        p.wait(120)
        self.seconds = time.monotonic() - t0
        if summary is None:
            raise RuntimeError(f"ismart-fleet --vehicles {n} exited {p.returncode} without "
                               "a summary")
        self.summary = summary
        self.cpu: dict[str, float] = {}
        if start is not None and end is not None and end > start:
            (t_a, a), (t_b, b) = samples[start], samples[end]
            share = {k: 100 * (b[k] - a.get(k, 0.0)) / (t_b - t_a) for k in b}
            workers = [v for k, v in share.items() if k.startswith("fleet/")]
            self.cpu = {k: round(v, 1) for k, v in share.items() if "/" not in k}
            self.cpu["fleet_busiest_process"] = round(max(workers, default=0.0), 1)
        lat = summary["latency_ms"]
        self.p99 = lat["p99"]
        self.ok = bool(summary["ok"]) and self.p99 is not None and self.p99 < P99_LIMIT_MS

    def record(self) -> dict[str, Any]:
        s = self.summary
        return {"vehicles": self.n, "ok": self.ok, "bound": s["bound"], "lost": s["lost"],
                "published": s["published"], "status_per_s": s["status_per_s"],
                "p50_ms": s["latency_ms"]["p50"], "p99_ms": self.p99,
                "cpu_percent": self.cpu, "seconds": round(self.seconds, 1),
                "binding_seconds": round(self.bind_s, 1),
                "errors": s["errors"][:3]}


def search(run, budget: float, first: int = 250, cap: int = TARGET) -> list[Step]:  # noqa: ANN001
    """Grow from ``first`` (doubling up to 1000 cars, then by half) while steps pass, then
    bisect until the gap is within 10 % (or 100 cars). A step that fails with every car
    bound is run once more (another process's burst of work can fail one); both runs are
    kept. No step starts that would not end within ``budget`` seconds."""
    t0 = time.monotonic()
    steps: list[Step] = []
    tried = [0]

    def left() -> float:
        return budget - (time.monotonic() - t0)

    def expected(n: int) -> float:  # seconds: start, measure, stop, and binding new cars
        return 25.0 + n / 200 + max(0, n - tried[0]) / 30

    def passes(n: int) -> bool:
        step = run(n)
        steps.append(step)
        tried[0] = max(tried[0], n)
        if not step.ok and step.summary["bound"] == n and left() > expected(n):
            step = run(n)
            steps.append(step)
        return step.ok

    best, worst, n = 0, None, first
    while True:
        if passes(n):
            best = n
        else:
            worst = n
            break
        nxt = min(cap, n * 2 if n < 1000 else n * 3 // 2 // 50 * 50)
        if n >= cap or left() < expected(nxt):
            return steps
        n = nxt
    while worst - best > max(100, best // 10):
        n = (best + worst) // 2 // 50 * 50 or (best + worst) // 2
        if left() < expected(n):
            break
        if passes(n):
            best = n
        else:
            worst = n
    return steps


def floor(raw: float) -> str:
    """How the target compares with the machine's floor: each status crosses the broker twice
    (car → cloud → head unit), against what raw paho + mosquitto moved here."""
    need = 2 * TARGET * RATE
    return (f"{TARGET:,} cars at {RATE:g} Hz need {need:,.0f} msg/s through the broker, "
            f"{need / raw:.1f}x the {raw:,.0f} msg/s raw paho + mosquitto moved on this machine")


def limit(step: Step | None, reached_cap: bool, raw: float) -> str:
    """What stopped the fleet from growing, in words, from the first failing step."""
    if step is None:
        return (f"none found up to {TARGET} cars" if reached_cap else
                "the time budget ran out before a fleet failed") + f"; {floor(raw)}"
    cores = os.cpu_count() or 1
    cpu = dict(step.cpu)
    busiest = cpu.pop("fleet_busiest_process", 0.0)
    total = sum(cpu.values())
    why = []
    if step.summary["lost"]:
        why.append(f"{step.summary['lost']} statuses lost")
    if step.summary["bound"] < step.n:
        why.append(f"only {step.summary['bound']} of {step.n} cars bound in time")
    if step.p99 is not None and step.p99 >= P99_LIMIT_MS:
        why.append(f"p99 {step.p99:.0f} ms")
    shares = ", ".join(f"{k} {v:.0f} %" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]))
    if not cpu:
        cause = "binding its cars took longer than a step allows"
    elif total >= 0.8 * 100 * cores:
        cause = (f"the machine's {cores} cores are {total / cores:.0f} % busy ({shares} of a "
                 "core): the simulated cars share them with the cloud and the broker")
    elif cpu.get("cloud", 0) >= 85:
        cause = f"the cloud's relay thread is saturated ({shares} of a core)"
    elif busiest >= 85:
        cause = f"a fleet process's network thread is saturated ({shares} of a core)"
    else:
        cause = f"no process saturated ({shares} of a core): other load on the machine?"
    return f"at {step.n} cars: {'; '.join(why) or 'failed'}; {cause}; {floor(raw)}"


def workdir() -> tempfile.TemporaryDirectory[str]:
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return tempfile.TemporaryDirectory(prefix="bench-fleet-", dir=base)


def main(argv: list[str] | None = None) -> dict:
    from tests.support.brokers import FleetMosquitto
    from tests.support.procs import Proc, program

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--budget", type=float, default=330.0,
                    help="seconds the search may take before it stops growing")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds measured a step")
    ap.add_argument("--first", type=int, default=250)
    args = ap.parse_args(argv)
    with workdir() as tmp:
        root = Path(tmp)
        broker = FleetMosquitto(root / "mosquitto").start()
        cloud = Proc([program("ismart-cloud"), "serve", "--broker", broker.url, "--http",
                      "127.0.0.1:0", "--data-dir", str(root / "cloud"), "--demo",
                      "--kdf-profile", "fast", "--trust-source", "127.0.0.1",
                      "--log-level", "WARNING"], name="cloud", log_dir=root / "logs")
        try:
            ready = cloud.wait_for(lambda line: line["event"] == "ready", 20)
            raw = statistics.median(raw_rate(broker.url) for _ in range(3))
            pids = {"cloud": cloud.p.pid, "mosquitto": broker.proc.pid}
            bound = [0]

            def run(n: int) -> Step:
                step = Step(n, broker.url, ready["http"], root / "fleet", pids,
                            args.duration, max(0, n - bound[0]))
                bound[0] = max(bound[0], step.summary["bound"])
                return step

            steps = search(run, args.budget, args.first)
        finally:
            cloud.stop()
            broker.stop()
    passed = [s for s in steps if s.ok]
    best = max(passed, key=lambda s: s.n) if passed else None
    failed = [s for s in steps if not s.ok]
    first_fail = min(failed, key=lambda s: s.n) if failed else None
    n = best.n if best else 0
    cloud_us = None
    if best and best.cpu.get("cloud") and best.summary["status_per_s"]:
        cloud_us = 1e4 * best.cpu["cloud"] / best.summary["status_per_s"]
    result = {
        "rate_hz": RATE, "p99_limit_ms": P99_LIMIT_MS, "max_vehicles": n,
        "at_max": best.record() if best else None,
        "broker_msgs_per_s": 2 * n * RATE,  # each status crosses the broker twice (car → cloud → head unit)
        "raw_paho_msgs_per_s": raw,
        "ratio_to_raw": 2 * n * RATE / raw,
        "cloud_cpu_us_per_status": cloud_us,
        "limit": limit(first_fail, bool(best and best.n >= TARGET), raw),
        "steps": [s.record() for s in steps],
        "data_on": "tmpfs" if str(root).startswith("/dev/shm") else "disk",
        "targets": {"10000_cars": n >= TARGET},
    }
    save("fleet", result)
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
