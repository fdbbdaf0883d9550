"""``ismart-scenario`` as CI runs it:

- every scenario shipped in ``assets/scenarios/`` passes against one running system (real
  mosquitto, cloud, car simulator and a head-unit window under Xvfb), the processes shared
  by all of them; among them the fault scenario: the broker connection dropped in the middle
  of a bind shows the banner, the bind completes once the connection is back, and the
  cloud's record changed exactly once;
- a scenario with a failing assertion, run with ``--start`` (the runner starts its own
  system), exits 1 and its JUnit XML names the failing step and the reason;
- bad scenario files are refused before anything runs, naming the step.
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ADMIN_TOKEN, System
from tests.support.procs import program
from tests.support.ui import HeadUnitWindow

VIN = "LSJA24U66PS000001"
DEALER_TOKEN = "test-dealer-token-7"
SCENARIOS = sorted((Path(__file__).parent.parent / "assets" / "scenarios").glob("*.yaml"))


def scenario(args: list[str], env: dict[str, str] | None = None,
             timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([program("ismart-scenario"), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def rig_system(xvfb, mosquitto, tmp_path_factory):
    """One system for every shipped scenario (each resets the car and registers its own
    accounts): cloud, car and head-unit window on the module's mosquitto."""
    sys_ = System(mosquitto.url, tmp_path_factory.mktemp("scenarios"))
    try:
        sys_.start_cloud("--dealer-token", DEALER_TOKEN)
        sys_.start_vehicle(VIN)
        hu = HeadUnitWindow(xvfb.display, mosquitto.url, sys_.root, vin=VIN,
                            extra=("--qr-period", "5", "--qr-lifetime", "30"))
        sys_.procs.append(hu.proc)
        hu.wait_state(online=True, what="the head unit online")
        yield sys_, hu
    finally:
        sys_.stop()


def test_the_shipped_scenarios_cover_the_seeds_flows():
    names = {p.stem for p in SCENARIOS}
    assert {"two-scan-bind", "switch-user", "force-unbind-agree", "force-unbind-reject-dealer",
            "force-unbind-no-answer-72h", "fault-broker-drop-during-bind"} <= names
    r = scenario(["check", *map(str, SCENARIOS)])
    assert r.returncode == 0, r.stderr


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_passes_against_mosquitto(path, rig_system, tmp_path):
    sys_, hu = rig_system
    report = tmp_path / "report.xml"
    r = scenario(["run", str(path), "--junit-xml", str(report), "--workdir", str(tmp_path),
                  "--timeout-scale", "3"],  # waits end when met; this only spares a slow CI
                 env={"ISMART_REMOTE_URL": hu.url, "ISMART_REMOTE_TOKEN": hu.token,
                      "ISMART_CLOUD": sys_.cloud_url or "", "ISMART_ADMIN_TOKEN": ADMIN_TOKEN,
                      "ISMART_DEALER_TOKEN": DEALER_TOKEN})
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0" and suite.get("skipped") == "0"
    assert int(suite.get("tests")) == len(suite.findall("testcase")) > 10
    assert "PASS" in r.stdout and "FAIL" not in r.stdout


FAILING = """\
name: A bind that expects the wrong name
phones:
  ann: {name: Ann Hansen}
steps:
  - reset_car
  - go: home
  - wait: {state: no_user, online: true}
  - phone: {as: ann, do: register}
  - phone: {as: ann, do: login}
  - tap: home.user
  - phone: {as: ann, do: scan, result: logged_in}
  - name: the greeting names Bob
    expect: {user.display_name: Bob Jensen}
  - phone: {as: ann, do: scan, result: bound}
"""


@pytest.mark.ui
@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_failing_assertion_exits_non_zero_and_the_junit_xml_names_the_step_and_reason(
        xvfb, tmp_path):
    path = tmp_path / "wrong-name.yaml"
    path.write_text(FAILING)
    report = tmp_path / "out" / "report.xml"
    r = scenario(["run", str(path), "--start", "--junit-xml", str(report),
                  "--workdir", str(tmp_path / "work"), "--timeout-scale", "3"],
                 env={"DISPLAY": xvfb.display})
    out = f"{r.stdout}\n{r.stderr}"
    assert r.returncode == 1, out
    assert "FAIL  8/9 the greeting names Bob" in r.stdout, out
    assert "user.display_name is 'Ann Hansen', expected 'Bob Jensen'" in r.stdout, out

    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "A bind that expects the wrong name"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("9", "1", "1")
    cases = suite.findall("testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["08 the greeting names Bob"]
    failure = failing[0].find("failure")
    assert failure is not None
    assert failure.get("message") == ("user.display_name is 'Ann Hansen', "
                                      "expected 'Bob Jensen'")
    assert "step 8 (expect)" in (failure.text or "")
    assert cases[-1].find("skipped") is not None  # the step after the failure did not run
    assert all(c.find("failure") is None and c.find("skipped") is None for c in cases[:7])
    # --start stopped what it started
    logs = tmp_path / "work" / "system" / "logs"
    assert (logs / "headunit.log").exists() and (logs / "cloud.log").exists()


@pytest.mark.parametrize("text,message", [
    ("steps: []", "non-empty list"),
    ("steps:\n  - tap: home.user\n  - tapp: x\n", "step 2: unknown step kind 'tapp'"),
    ("steps:\n  - wait: bound\n", "step 1 (wait): expected state matchers"),
    ("phones: {ann: {}}\nsteps:\n  - phone: {as: bob, do: scan}\n", "must name a phone"),
    ("phones: {ann: {}}\nsteps:\n  - phone: {as: ann, do: dance}\n", "'do' is one of"),
    ("steps:\n  - advance_clock: soon\n", "a number of seconds or 30s"),
    ("steps:\n  - drop_broker: now\n", "drop_broker takes no argument"),
    ("steps:\n  - {tap: a, go: home}\n", "exactly one kind"),
    ("stepz: []", "unknown top-level key"),
    ("steps:\n  - message_fault: {direction: in}\n", "action"),
])
def test_a_bad_scenario_file_is_refused_before_anything_runs(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = scenario(["run", str(path), "--remote", "http://127.0.0.1:9/", "--remote-token", "x" * 8,
                  "--cloud", "http://127.0.0.1:9", "--admin-token", "x"], timeout=60)
    assert r.returncode == 2
    assert message in r.stderr and str(path) in r.stderr, r.stderr


def test_an_unreachable_system_is_reported_not_run(tmp_path):
    r = scenario(["run", str(SCENARIOS[0]), "--remote", "http://127.0.0.1:9/",
                  "--remote-token", "x" * 8, "--cloud", "http://127.0.0.1:9",
                  "--admin-token", "x"], timeout=60)
    assert r.returncode == 2 and "cannot reach the system" in r.stderr, r.stderr
