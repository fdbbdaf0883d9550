"""Runs every benchmark (each in its own process), then prints the table of results.

``make bench`` runs this under Xvfb. Results go to ``benchmarks/results.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from .common import RESULTS

BENCHMARKS = [
    "benchmarks.bench_scan_to_bound",
    "benchmarks.bench_qr_rotation",
    "benchmarks.bench_idle",
    "benchmarks.bench_fleet",
]


def fmt(v: float) -> str:
    return f"{v:.3g}"


def table(data: dict) -> str:
    rows = [("benchmark", "ours", "baseline (same run)", "ratio", "target met")]
    if "scan_to_bound" in data:
        d = data["scan_to_bound"]
        rows.append(("scan-to-bound p50 / p99 (ms)",
                     f"{fmt(d['scan_to_bound_ms']['p50'])} / {fmt(d['scan_to_bound_ms']['p99'])}",
                     f"raw MQTT RTT {fmt(d['raw_mqtt_rtt_ms']['p50'])} / "
                     f"{fmt(d['raw_mqtt_rtt_ms']['p99'])}",
                     f"{fmt(d['ratio_p50'])}x (p50)",
                     "yes" if all(d["targets"].values()) else "NO"))
    if "qr_rotation" in data:
        d = data["qr_rotation"]
        rows.append(("QR rotation, median (ms)", fmt(d["rotation_ms"]),
                     f"qrcode {fmt(d['qrcode_ms'])}, segno {fmt(d['segno_ms'])}",
                     f"{fmt(d['ratio_to_qrcode'])}x qrcode",
                     "yes" if all(d["targets"].values()) else "NO"))
    if "fleet" in data:
        d = data["fleet"]
        at = d["at_max"] or {}
        rows.append((f"fleet at {d['rate_hz']:g} Hz: most cars with 0 lost, p99 < "
                     f"{d['p99_limit_ms']:.0f} ms",
                     f"{d['max_vehicles']} cars ({d['broker_msgs_per_s']:.0f} msg/s through "
                     f"the broker), p99 {fmt(at.get('p99_ms') or float('nan'))} ms",
                     f"raw paho + mosquitto {d['raw_paho_msgs_per_s']:.0f} msg/s",
                     f"{fmt(d['ratio_to_raw'])}x raw",
                     "yes" if all(d["targets"].values()) else "NO (10,000 cars)"))
    if "idle" in data:
        d = data["idle"]
        h, e = d["headunit"], d["empty_window"]
        rows.append(("head unit idle on the login QR: CPU / peak RSS",
                     f"{h['cpu_percent']:.2f} % / {h['rss_peak_mb']:.0f} MB",
                     f"empty Kivy window {e['cpu_percent']:.2f} % / {e['rss_peak_mb']:.0f} MB",
                     f"{fmt(d['cpu_ratio'] or float('nan'))}x CPU, "
                     f"{d['rss_peak_delta_mb']:+.0f} MB",
                     "yes" if all(d["targets"].values()) else "NO"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    RESULTS.unlink(missing_ok=True)
    failed = []
    started, t_start = time.strftime("%Y-%m-%d %H:%M"), time.monotonic()
    for name in BENCHMARKS:
        t0 = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, "-m", name], stdout=subprocess.DEVNULL)
        print(f"  {name}: exit {r.returncode} in {time.monotonic() - t0:.0f} s",
              file=sys.stderr, flush=True)
        if r.returncode:
            failed.append(name)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["run"] = {"date": started, "seconds": round(time.monotonic() - t_start),
                   "failed": failed}
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    print(f"\nMachine: {data.get('machine')}\n")
    print(table(data))
    if "fleet" in data:
        print(f"\nFleet limit: {data['fleet']['limit']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
