"""What each kind of scenario step does, against a running system.

The :class:`Rig` holds the three ways in: the head unit's remote control (screen, touches,
the car's properties, faults of the head unit's connection), the cloud's admin API (clock,
refusals, the car's record, resets, the dealer) and one simulated phone per scenario phone
(:class:`~firmware_sim.phone.client.PhoneClient`, in this process). A step that does not
hold raises :class:`StepFailed` with the reason a person needs to see.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from headunit.remote.client import RemoteClient
from headunit.remote.cloud_admin import CloudAdmin

from ..phone.client import PhoneClient
from .spec import PhoneSpec, Scenario, Step, seconds

POLL = 0.2
_MISSING = object()


class StepFailed(AssertionError):
    """A step did not hold: the reason, in words."""


@dataclass
class Rig:
    remote: RemoteClient
    cloud: CloudAdmin
    cloud_url: str
    workdir: Path
    run_id: str
    timeout_scale: float = 1.0
    # per scenario
    scenario: Scenario | None = None
    phones: dict[str, PhoneClient] = field(default_factory=dict)
    scans: dict[str, str] = field(default_factory=dict)  # phone -> its last scan id
    mark: int | None = None
    count: int = 0
    _vin: str | None = None

    def begin(self, scenario: Scenario) -> None:
        self.scenario, self.phones, self.scans, self.mark = scenario, {}, {}, None
        self.count += 1  # {run} differs per scenario: every run registers new accounts

    @property
    def run(self) -> str:
        return f"{self.run_id}{self.count}"

    @property
    def vin(self) -> str:
        if self._vin is None:
            self._vin = self.remote.state()["vin"]
        return self._vin

    def phone(self, who: str) -> tuple[PhoneClient, PhoneSpec]:
        assert self.scenario is not None
        spec = self.scenario.phones[who]
        if who not in self.phones:
            profile = self.workdir / "phones" / f"{self.run}-{who}"
            self.phones[who] = PhoneClient(self.cloud_url, profile)
        return self.phones[who], spec

    def fill(self, value: Any) -> Any:
        """``{vin}`` and ``{run}`` in strings (also inside lists and mappings)."""
        if isinstance(value, str):
            return value.replace("{run}", self.run).replace("{vin}", self._vin or self.vin)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    def cleanup(self) -> list[str]:
        """Undo faults a scenario may have left (also after a failure); problems, in words."""
        problems = []
        for what, undo in (("restore the broker connection", self.remote.restore_broker),
                           ("clear message faults", self.remote.clear_message_faults),
                           ("clear the cloud's refusals", self.cloud.clear_faults)):
            try:
                undo()
            except Exception as exc:  # noqa: BLE001 - reported, never hides the result
                problems.append(f"could not {what}: {exc}")
        return problems


# ---------------------------------------------------------------- matching


def lookup(obj: Any, path: str) -> Any:
    """``user.display_name`` in nested mappings (``qr.purpose``, ``vehicle.status...``)."""
    for part in path.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return _MISSING
    return obj


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected or (isinstance(actual, str) and str(expected).lower() == actual)
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-6)
    return actual == expected


def _show(v: Any) -> str:
    return "missing" if v is _MISSING else repr(v)


def state_mismatches(rig: Rig, state: dict, matchers: dict) -> list[str]:
    out = []
    widgets: list[dict] | None = None
    for key, expected in matchers.items():
        if key in ("visible", "hidden", "shows"):
            if widgets is None:
                widgets = rig.remote.widgets()["widgets"]
            for item in expected if isinstance(expected, list) else [expected]:
                if key == "shows":
                    if not any(item in (w.get("text") or "") for w in widgets):
                        out.append(f"no visible widget shows {item!r}")
                    continue
                seen = any(w["id"] == item and w["rect"][2] > 0 and w["rect"][3] > 0
                           for w in widgets)
                if key == "visible" and not seen:
                    out.append(f"{item} is not visible")
                elif key == "hidden" and seen:
                    out.append(f"{item} is visible")
            continue
        actual = lookup(state, key)
        if actual is _MISSING and expected is not None or not same(
                None if actual is _MISSING else actual, expected):
            out.append(f"{key} is {_show(actual)}, expected {expected!r}")
    return out


def poll(check: Callable[[], list[str]], timeout: float, what: str) -> None:
    """Until ``check()`` finds nothing wrong; else StepFailed with what was last wrong."""
    deadline = time.monotonic() + timeout
    while True:
        wrong = check()
        if not wrong:
            return
        if time.monotonic() >= deadline:
            raise StepFailed(f"{what} not reached within {timeout:g} s: {'; '.join(wrong)}")
        time.sleep(POLL)


def screen_context(rig: Rig) -> str:
    s = rig.remote.state()
    return (f"(screen {s.get('screen')}, panel {s.get('panel')}, state {s.get('state')}, "
            f"online {s.get('online')}, notice {s.get('notice')})")


# ---------------------------------------------------------------- the steps


def run_step(rig: Rig, step: Step) -> str | None:
    """Carry out ``step``; returns a short note for the report (or None)."""
    assert rig.scenario is not None
    timeout = (step.timeout or rig.scenario.timeout) * rig.timeout_scale
    args = rig.fill(step.args)
    return STEPS[step.kind](rig, args, timeout)


def _reset_car(rig: Rig, args: Any, timeout: float) -> str:
    # every scenario's phones come from the rig's one address: without this, one scenario
    # after another would run into the cloud's per-source limits on codes and logins
    rig.cloud.reset_limits()
    return rig.cloud.reset_vehicle(rig.vin)


def _go(rig: Rig, args: str, timeout: float) -> None:
    rig.remote.go(args)


def _tap(rig: Rig, args: Any, timeout: float) -> None:
    if isinstance(args, str):
        args = {"id": args}
    if "at" in args:
        rig.remote.tap_at(*args["at"])
    else:
        rig.remote.tap(args.get("id"), text=args.get("text"))


def _type(rig: Rig, args: str, timeout: float) -> None:
    rig.remote.type(args)


def _checks(mismatches: Callable[[Rig, dict], list[str]], what: str
            ) -> tuple[Callable[[Rig, dict, float], None], Callable[[Rig, dict, float], None]]:
    """The two steps built on one comparison: ``wait_*`` polls until nothing differs (or the
    timeout), ``expect_*`` fails at once with every difference."""
    def wait(rig: Rig, args: dict, timeout: float) -> None:
        poll(lambda: mismatches(rig, args), timeout, what)

    def expect(rig: Rig, args: dict, timeout: float) -> None:
        wrong = mismatches(rig, args)
        if wrong:
            raise StepFailed("; ".join(wrong))
    return wait, expect


_wait, _expect = _checks(lambda rig, args: state_mismatches(rig, rig.remote.state(), args),
                         "the screen state")


def _vehicle_mismatches(rig: Rig, args: dict) -> list[str]:
    out = []
    for path, expected in args.items():
        actual = rig.remote.vehicle_get(path)
        if not same(actual, expected):
            out.append(f"the car's {path} is {actual!r}, expected {expected!r}")
    return out


_wait_vehicle, _expect_vehicle = _checks(_vehicle_mismatches, "the car's state")


def _vehicle_set(rig: Rig, args: dict, timeout: float) -> None:
    for path, value in args.items():
        rig.remote.vehicle_set(path, value)


def _mark_cloud(rig: Rig, args: Any, timeout: float) -> str:
    rig.mark = rig.cloud.vehicle(rig.vin)["seq"]
    return f"seq {rig.mark}"


def _cloud_mismatches(rig: Rig, args: dict) -> list[str]:
    record = rig.cloud.vehicle(rig.vin)
    matchers = dict(args)
    out = []
    if "changes_since_mark" in matchers:
        want = matchers.pop("changes_since_mark")
        if rig.mark is None:
            raise StepFailed("changes_since_mark needs a mark_cloud step before it")
        if record["seq"] - rig.mark != want:
            out.append(f"the cloud changed the car's record {record['seq'] - rig.mark} "
                       f"time(s) since the mark, expected {want}")
    for key, expected in matchers.items():
        actual = lookup(record, key)
        if actual is _MISSING and expected is not None or not same(
                None if actual is _MISSING else actual, expected):
            out.append(f"the cloud's {key} is {_show(actual)}, expected {expected!r}")
    return out


_wait_cloud, _expect_cloud = _checks(_cloud_mismatches, "the cloud's record of the car")


def _dealer_unbind(rig: Rig, args: dict, timeout: float) -> str:
    r = rig.cloud.dealer_unbind(rig.vin, str(args["case"]), str(args.get("dealer", "MG dealer")),
                                str(args.get("reason", "")))
    return str(r.get("result"))


def _advance_clock(rig: Rig, args: Any, timeout: float) -> str:
    s = seconds(args)
    rig.cloud.advance_time(s)
    return f"+{s:g} s"


def _drop_broker(rig: Rig, args: Any, timeout: float) -> None:
    rig.remote.drop_broker()


def _restore_broker(rig: Rig, args: Any, timeout: float) -> None:
    rig.remote.restore_broker()


def _message_fault(rig: Rig, args: dict, timeout: float) -> None:
    rig.remote.message_fault(args["direction"], args["action"], topic=args.get("topic", "#"),
                             seconds=args.get("seconds", 0.0), count=args.get("count"))


def _clear_message_faults(rig: Rig, args: Any, timeout: float) -> None:
    rig.remote.clear_message_faults()


def _cloud_refuse_next(rig: Rig, args: dict, timeout: float) -> None:
    rig.cloud.refuse_next(args["code"], scope=args.get("scope", "any"), path=args.get("path"),
                          request=args.get("request"), count=args.get("count", 1),
                          status=args.get("status"))


def _screenshot(rig: Rig, args: str, timeout: float) -> str:
    path = Path(args)
    if not path.is_absolute():
        path = rig.workdir / "screenshots" / path
    return rig.remote.screenshot(str(path))["path"]


def _sleep(rig: Rig, args: Any, timeout: float) -> None:
    time.sleep(seconds(args))


def _phone(rig: Rig, args: dict, timeout: float) -> str | None:
    from .phone_steps import run_phone  # the phone's actions, in their own module

    return run_phone(rig, args, timeout)


STEPS: dict[str, Callable[[Rig, Any, float], Any]] = {
    "reset_car": _reset_car, "go": _go, "tap": _tap, "type": _type, "wait": _wait,
    "expect": _expect, "wait_vehicle": _wait_vehicle, "expect_vehicle": _expect_vehicle,
    "vehicle_set": _vehicle_set, "mark_cloud": _mark_cloud, "wait_cloud": _wait_cloud,
    "expect_cloud": _expect_cloud, "phone": _phone, "dealer_unbind": _dealer_unbind,
    "advance_clock": _advance_clock, "drop_broker": _drop_broker,
    "restore_broker": _restore_broker, "message_fault": _message_fault,
    "clear_message_faults": _clear_message_faults, "cloud_refuse_next": _cloud_refuse_next,
    "screenshot": _screenshot, "sleep": _sleep,
}
