"""``ismart-scenario``: run YAML scenarios against a running system (or one it starts).

    ismart-scenario run assets/scenarios/two-scan-bind.yaml \\
        --remote http://127.0.0.1:8765/ --remote-token TOKEN \\
        --cloud http://127.0.0.1:8080 --admin-token TOKEN --junit-xml report.xml
    xvfb-run -a ismart-scenario run assets/scenarios/*.yaml --start --junit-xml report.xml
    ismart-scenario check assets/scenarios/*.yaml

Exit code: 0 when every scenario passed, 1 when a step failed, 2 for bad arguments, an
invalid scenario file, or a system that cannot be reached or started.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

from headunit.remote.client import RemoteClient, RemoteError
from headunit.remote.cloud_admin import CloudAdmin, CloudAdminError

from .launch import LaunchedSystem, LaunchError
from .runner import ScenarioResult, junit_xml, run_scenario
from .spec import ScenarioError, load
from .steps import Rig


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ismart-scenario",
        description="Run scenario files (YAML: phone actions, taps, typing, waits, assertions "
                    "on the screen, the car and the cloud, fault injection, clock jumps) "
                    "against a running iSmart emulator, or one it starts. See "
                    "docs/scenarios.md.")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run scenarios; exit 1 when a step fails")
    r.add_argument("files", nargs="+", type=Path, metavar="FILE.yaml")
    r.add_argument("--junit-xml", type=Path, metavar="PATH",
                   help="write a JUnit XML report (one testsuite per scenario, one testcase "
                        "per step; a failing step names the reason)")
    r.add_argument("--start", action="store_true",
                   help="start a system first (broker, cloud, car, head-unit window under "
                        "$DISPLAY) and stop it afterwards; for CI")
    r.add_argument("--remote", default=os.environ.get("ISMART_REMOTE_URL"),
                   help="the head unit's remote-control URL (default: $ISMART_REMOTE_URL)")
    r.add_argument("--remote-token", default=os.environ.get("ISMART_REMOTE_TOKEN"),
                   help="its bearer token (default: $ISMART_REMOTE_TOKEN)")
    r.add_argument("--cloud", default=os.environ.get("ISMART_CLOUD"),
                   help="the cloud's URL (default: $ISMART_CLOUD)")
    r.add_argument("--admin-token", default=os.environ.get("ISMART_ADMIN_TOKEN"),
                   help="the cloud's admin token (default: $ISMART_ADMIN_TOKEN)")
    r.add_argument("--dealer-token", default=os.environ.get("ISMART_DEALER_TOKEN"),
                   help="the cloud's dealer token, for dealer_unbind steps "
                        "(default: $ISMART_DEALER_TOKEN)")
    r.add_argument("--timeout-scale", type=float, default=1.0,
                   help="multiply every step's timeout (e.g. 3 on a slow machine)")
    r.add_argument("--workdir", type=Path,
                   help="phone profiles, screenshots and (with --start) the system's data and "
                        "logs (default: a new temporary directory, kept)")
    c = sub.add_parser("check", help="check scenario files without running them")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE.yaml")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        scenarios = [load(f) for f in args.files]
    except ScenarioError as exc:
        print(f"ismart-scenario: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        for s in scenarios:
            print(f"{s.path}: {s.name!r}, {len(s.steps)} steps, ok")
        return 0
    if args.timeout_scale <= 0:
        print("ismart-scenario: --timeout-scale must be more than 0", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ismart-scenario-"))
    workdir.mkdir(parents=True, exist_ok=True)
    system = None
    try:
        if args.start:
            print(f"starting a system in {workdir} ...", flush=True)
            system = LaunchedSystem(workdir / "system").start()
            args.remote, args.remote_token = system.remote_url, system.remote_token
            args.cloud, args.admin_token = system.cloud_url, system.admin_token
            args.dealer_token = system.dealer_token
        missing = [flag for flag, value in (("--remote", args.remote),
                                            ("--remote-token", args.remote_token),
                                            ("--cloud", args.cloud),
                                            ("--admin-token", args.admin_token)) if not value]
        if missing:
            print(f"ismart-scenario: give {', '.join(missing)} (or their ISMART_* variables), "
                  "or --start to start a system", file=sys.stderr)
            return 2
        rig = Rig(RemoteClient(args.remote, args.remote_token),
                  CloudAdmin(args.cloud, args.admin_token, dealer_token=args.dealer_token),
                  args.cloud, workdir, secrets.token_hex(3), args.timeout_scale)
        try:
            print(f"head unit {args.remote} (VIN {rig.vin}), cloud {args.cloud}", flush=True)
            rig.cloud.time()
        except (RemoteError, CloudAdminError, OSError) as exc:
            print(f"ismart-scenario: cannot reach the system: {exc}", file=sys.stderr)
            return 2
        results: list[ScenarioResult] = [run_scenario(rig, s) for s in scenarios]
    except LaunchError as exc:
        print(f"ismart-scenario: {exc}", file=sys.stderr)
        return 2
    finally:
        if system is not None:
            system.stop()
    if args.junit_xml:
        junit_xml(results, args.junit_xml)
    failed = [r for r in results if not r.passed]
    print(f"{len(results) - len(failed)} of {len(results)} scenario(s) passed"
          + (f"; failed: {', '.join(r.scenario.name for r in failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
