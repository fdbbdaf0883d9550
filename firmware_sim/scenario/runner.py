"""Runs scenarios step by step, reports each step's result, and writes JUnit XML.

A scenario stops at its first failing step; the steps after it are reported as skipped. Faults
a scenario injected are undone after it, pass or fail, so the next scenario on the same
system starts clean.
"""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from headunit.remote.client import RemoteError
from headunit.remote.cloud_admin import CloudAdminError

from ..phone.client import PhoneError
from .spec import Scenario, Step
from .steps import Rig, StepFailed, run_step

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class StepResult:
    step: Step
    status: str
    seconds: float = 0.0
    message: str = ""


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    cleanup: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.status == PASS for r in self.steps) and not self.cleanup

    @property
    def failure(self) -> StepResult | None:
        return next((r for r in self.steps if r.status == FAIL), None)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (StepFailed, AssertionError)):
        return str(exc)
    if isinstance(exc, RemoteError):
        return f"the head unit refused: {exc.message} (JSON-RPC {exc.code})"
    if isinstance(exc, CloudAdminError):
        return f"the cloud refused: {exc.code}: {exc.message}"
    if isinstance(exc, PhoneError):
        return f"the phone was refused: {exc.code}: {exc.message}"
    if isinstance(exc, OSError):
        return f"cannot reach the system: {exc}"
    return f"{type(exc).__name__}: {exc}"


def run_scenario(rig: Rig, scenario: Scenario, out: TextIO = sys.stdout) -> ScenarioResult:
    result = ScenarioResult(scenario)
    total = len(scenario.steps)
    print(f"scenario {scenario.name!r} ({scenario.path.name}, {total} steps)", file=out,
          flush=True)
    started = time.monotonic()
    rig.begin(scenario)
    failed = False
    for step in scenario.steps:
        if failed:
            result.steps.append(StepResult(step, SKIP, message="an earlier step failed"))
            continue
        t0 = time.monotonic()
        try:
            note = run_step(rig, step)
            r = StepResult(step, PASS, time.monotonic() - t0, str(note) if note else "")
        except Exception as exc:  # noqa: BLE001 - every failure becomes the step's result
            r = StepResult(step, FAIL, time.monotonic() - t0, _reason(exc))
            failed = True
        result.steps.append(r)
        tail = f": {r.message}" if r.message else ""
        print(f"  {'PASS' if r.status == PASS else 'FAIL'}  {step.index}/{total} "
              f"{step.label[3:]} ({r.seconds:.1f} s){tail}", file=out, flush=True)
    result.cleanup = rig.cleanup()
    for problem in result.cleanup:
        print(f"  CLEANUP FAILED: {problem}", file=out, flush=True)
    result.seconds = time.monotonic() - started
    skipped = sum(r.status == SKIP for r in result.steps)
    verdict = "passed" if result.passed else "FAILED"
    print(f"  {verdict}: {sum(r.status == PASS for r in result.steps)} passed, "
          f"{sum(r.status == FAIL for r in result.steps)} failed, {skipped} skipped "
          f"({result.seconds:.1f} s)", file=out, flush=True)
    return result


def junit_xml(results: list[ScenarioResult], path: Path) -> None:
    """One ``testsuite`` per scenario, one ``testcase`` per step; a failing step carries a
    ``failure`` with the reason, the steps after it a ``skipped``."""
    suites = ET.Element("testsuites", name="ismart-scenario",
                        tests=str(sum(len(r.steps) for r in results)),
                        failures=str(sum(r.failure is not None for r in results)),
                        time=f"{sum(r.seconds for r in results):.3f}")
    for res in results:
        sc = res.scenario
        suite = ET.SubElement(
            suites, "testsuite", name=sc.name, file=str(sc.path), tests=str(len(res.steps)),
            failures=str(sum(r.status == FAIL for r in res.steps) + bool(res.cleanup)),
            skipped=str(sum(r.status == SKIP for r in res.steps)), errors="0",
            time=f"{res.seconds:.3f}")
        if sc.description:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="description", value=sc.description)
        for r in res.steps:
            case = ET.SubElement(suite, "testcase", classname=f"scenario.{sc.path.stem}",
                                 name=r.step.label, time=f"{r.seconds:.3f}")
            if r.status == FAIL:
                failure = ET.SubElement(case, "failure", message=r.message,
                                        type="ScenarioStepFailed")
                failure.text = (f"step {r.step.index} ({r.step.kind}) of {sc.path}: "
                                f"{r.message}")
            elif r.status == SKIP:
                ET.SubElement(case, "skipped", message=r.message)
            elif r.message:
                ET.SubElement(case, "system-out").text = r.message
        if res.cleanup:
            case = ET.SubElement(suite, "testcase", classname=f"scenario.{sc.path.stem}",
                                 name="cleanup", time="0")
            ET.SubElement(case, "failure", message="; ".join(res.cleanup), type="Cleanup")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.indent(suites)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
