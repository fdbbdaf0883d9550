"""Benchmark 4: the head unit's window idling on the login-QR screen: CPU and peak memory,
beside an empty Kivy window with the same settings, measured side by side in the same run.

Both windows run at once on the same X display (Xvfb, Mesa's software OpenGL), so noise from
the rest of the machine falls on both. CPU is utime+stime from ``/proc/<pid>/stat`` over the
window of measurement; peak RSS is ``VmHWM`` from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from .common import save

SIZE = "800x480"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def measure(pids: dict[str, int], seconds: float) -> dict[str, dict[str, float]]:
    """CPU % of one core over ``seconds`` and peak RSS (MB) of each process, side by side."""
    t0, c0 = time.monotonic(), {k: cpu_seconds(p) for k, p in pids.items()}
    time.sleep(seconds)
    t1, c1 = time.monotonic(), {k: cpu_seconds(p) for k, p in pids.items()}
    return {k: {"cpu_percent": 100.0 * (c1[k] - c0[k]) / (t1 - t0),
                "rss_peak_mb": status_kb(p, "VmHWM") / 1024.0,
                "rss_mb": status_kb(p, "VmRSS") / 1024.0} for k, p in pids.items()}


def main(argv: list[str] | None = None) -> dict:
    from tests.support.brokers import Mosquitto
    from tests.support.procs import Proc, program
    from tests.support.ui import HeadUnitWindow, Xvfb, kivy_env

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0, help="measuring time")
    args = ap.parse_args(argv)
    own_display = None
    display = os.environ.get("DISPLAY")
    if not display:
        own_display = Xvfb()
        display = own_display.display
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
        root = Path(tmp)
        broker = Mosquitto(root / "mosquitto").start()
        cloud = Proc([program("ismart-cloud"), "serve", "--broker", broker.url, "--http",
                      "127.0.0.1:0", "--data-dir", str(root / "cloud"), "--demo",
                      "--kdf-profile", "fast", "--log-level", "WARNING"],
                     name="cloud", log_dir=root / "logs")
        hu = empty = None
        try:
            cloud.wait_for(lambda line: line["event"] == "ready", 20)
            hu = HeadUnitWindow(display, broker.url, root, size=SIZE, theme="day",
                                extra=("--log-level", "WARNING"))
            hu.wait_state(30, "the login QR", state="no_user", online=True)
            empty = Proc([program("python"), "-m", "benchmarks.empty_window",
                          *SIZE.split("x")], name="empty-window", log_dir=root / "logs",
                         env=kivy_env(display, root / "empty-kivy"))
            empty.wait_for(lambda line: line["event"] == "ready", 60)
            time.sleep(3.0)  # both settle (first textures, fonts)
            got = measure({"headunit": hu.proc.p.pid, "empty": empty.p.pid}, args.seconds)
            state = hu.rc.state()
        finally:
            for p in (empty, hu.proc if hu else None, cloud):
                if p is not None:
                    p.stop()
            broker.stop()
            if own_display:
                own_display.stop()
    h, e = got["headunit"], got["empty"]
    result = {
        "seconds": args.seconds, "window": SIZE, "screen": state.get("state"),
        "headunit": h, "empty_window": e,
        "cpu_ratio": h["cpu_percent"] / e["cpu_percent"] if e["cpu_percent"] else None,
        "rss_peak_delta_mb": h["rss_peak_mb"] - e["rss_peak_mb"],
        "targets": {"cpu_within_1_5x": h["cpu_percent"] <= 1.5 * e["cpu_percent"],
                    "rss_within_30mb": h["rss_peak_mb"] - e["rss_peak_mb"] <= 30.0},
    }
    save("idle", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
