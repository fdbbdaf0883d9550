"""Writes the README's "Performance" table from ``benchmarks/results.json`` (``make bench``
runs it after the benchmarks), so the figures in the README are the last measured ones.

The section lies between the markers ``<!-- bench:start -->`` and ``<!-- bench:end -->``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import RESULTS
from .run import table

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def section(data: dict) -> str:
    m, run = data.get("machine", {}), data.get("run", {})
    lines = [START,
             f"Measured {run.get('date', '?')} on {m.get('cpu', '?')}, {m.get('cores', '?')} "
             f"cores, {m.get('system', '?')}, Python {m.get('python', '?')}; `make bench` took "
             f"{run.get('seconds', '?')} s.", "", table(data), ""]
    if "fleet" in data:
        f = data["fleet"]
        steps = ", ".join(f"{s['vehicles']} {'ok' if s['ok'] else 'failed'}"
                          for s in f["steps"])
        lines += [f"Fleet: what limits it — {f['limit']}. Steps: {steps}. The cloud spent "
                  + (f"{f['cloud_cpu_us_per_status']:.0f} µs of CPU per status relayed"
                     if f.get("cloud_cpu_us_per_status") else "an unknown amount of CPU")
                  + " at the largest fleet.", ""]
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    if not RESULTS.exists():
        print(f"{RESULTS} is missing: run 'make bench' first", file=sys.stderr)
        return 1
    text = README.read_text()
    if START not in text or END not in text:
        print(f"{README} has no {START} ... {END} section", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + section(json.loads(RESULTS.read_text())) + tail)
    print(f"updated the Performance section of {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
