"""``ismart-fleet`` end to end: a fleet of real head-unit cores and vehicle simulators through
a real mosquitto (configured for fleets) and a real cloud process. Every car is bound to its
own account and no status is lost. (How *fast* is benchmark 2's business, not a test's.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.brokers import FleetMosquitto
from tests.support.procs import program

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fleet_broker(tmp_path_factory: pytest.TempPathFactory):
    broker = FleetMosquitto(tmp_path_factory.mktemp("fleet-mosquitto")).start()
    yield broker
    broker.stop()


def run_fleet(system, data: Path, *args: str, timeout: float = 240) -> tuple[dict, list[dict]]:
    r = subprocess.run([program("ismart-fleet"), "--json", "--broker", system.broker_url,
                        "--cloud", system.cloud_url, "--data-dir", str(data), *args],
                       capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    summaries = [line for line in lines if line.get("event") == "summary"]
    assert summaries, f"no summary (exit {r.returncode}): {r.stdout[-500:]} {r.stderr[-1500:]}"
    summary = summaries[-1]
    assert r.returncode == (0 if summary["ok"] else 1)
    return summary, [line for line in lines if line.get("event") == "progress"]


def test_two_hundred_cars_are_bound_and_lose_no_status(system_on, fleet_broker, tmp_path):
    system = system_on(fleet_broker.url)
    system.start_cloud("--trust-source", "127.0.0.1")
    summary, progress = run_fleet(system, tmp_path / "fleet", "--vehicles", "200",
                                  "--rate", "1", "--duration", "30", "--warmup", "2")
    assert summary["bound"] == 200, summary["errors"]
    assert summary["bind_failed"] == 0
    assert summary["lost"] == 0
    assert summary["window_received"] == summary["window_published"] > 0
    assert summary["published"] >= summary["window_published"]
    assert summary["ok"]
    # the progress line counted the cars connected and bound on the way
    assert progress[-1]["connected"] == progress[-1]["bound"] == 200
    assert any(p["phase"] == "measuring" and p["status_per_s"] > 0 for p in progress)
    # each car is bound to an account of its own, as the cloud sees it
    for vin in ("FLEET000000000000", "FLEET000000000123", "FLEET000000000199"):
        state = system.cloud_vehicle(vin)
        assert state["binding"]["display_name"] == f"Fleet driver {int(vin[5:])}"
        assert state["user"]["account_id"] == state["binding"]["account_id"]


def test_a_fleet_over_two_processes_started_again_finds_its_cars_bound(system_on, fleet_broker,
                                                                       tmp_path):
    system = system_on(fleet_broker.url)
    system.start_cloud("--trust-source", "127.0.0.1")
    data = tmp_path / "fleet"
    first, _ = run_fleet(system, data, "--vehicles", "30", "--processes", "2",
                         "--duration", "3", "--warmup", "1")
    assert first["bound"] == 30 and first["lost"] == 0 and first["ok"], first["errors"]
    before = [system.cloud_vehicle(f"FLEET{i:012d}") for i in range(30)]
    again, _ = run_fleet(system, data, "--vehicles", "30", "--processes", "2",
                         "--duration", "3", "--warmup", "1")
    assert again["bound"] == 30 and again["lost"] == 0 and again["ok"], again
    # the cars were left as they were: no scan, no new binding (the cloud's seq is unchanged)
    assert [system.cloud_vehicle(f"FLEET{i:012d}") for i in range(30)] == before


def test_a_fleet_without_a_trusted_source_says_what_to_do(system_on, fleet_broker, tmp_path):
    system = system_on(fleet_broker.url)
    system.start_cloud()  # abuse limits on for 127.0.0.1
    summary, _ = run_fleet(system, tmp_path / "fleet", "--vehicles", "20", "--duration", "1",
                           "--warmup", "0")
    assert not summary["ok"]
    assert summary["bound"] < 20
    assert any("--trust-source 127.0.0.1" in e for e in summary["errors"]), summary["errors"]
