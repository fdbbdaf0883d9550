"""Scenario files: YAML, checked completely before anything runs.

A scenario names its phones and lists its steps; each step is one kind with its arguments
(``- tap: home.user``), or a bare kind (``- drop_broker``), optionally with ``name:`` and
``timeout:``. The kinds and their arguments are in :data:`KINDS` and in docs/scenarios.md.
A mistake is reported with the file, the step's number and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_TIMEOUT = 20.0
DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(s|m|h|d)?\s*$")
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}

PHONE_ACTIONS = ("register", "login", "logout", "scan", "confirm", "cancel", "car_logout",
                 "unbind", "force_unbind", "answer", "expect_notification")

# kind -> (what its argument is, a one-line example); the checks are in _check_args
KINDS: dict[str, tuple[str, str]] = {
    "reset_car": ("nothing", "- reset_car"),
    "go": ("a screen name", "- go: home"),
    "tap": ("a widget id, or {id|text|at}", "- tap: home.user   /   - tap: {text: User}"),
    "type": ("text", "- type: ann@example.com"),
    "wait": ("state matchers", "- wait: {state: bound, panel: profile}"),
    "expect": ("state matchers", "- expect: {user.display_name: Ann Hansen}"),
    "wait_vehicle": ("property: value", "- wait_vehicle: {doors.driver: true}"),
    "expect_vehicle": ("property: value", "- expect_vehicle: {doors.locked: true}"),
    "vehicle_set": ("property: value", "- vehicle_set: {doors.driver: open}"),
    "mark_cloud": ("nothing", "- mark_cloud"),
    "wait_cloud": ("cloud state matchers", "- wait_cloud: {binding: null}"),
    "expect_cloud": ("cloud state matchers", "- expect_cloud: {changes_since_mark: 1}"),
    "phone": ("{as, do, ...}", "- phone: {as: ann, do: scan}"),
    "dealer_unbind": ("{case, dealer}", "- dealer_unbind: {case: MG-2024-0042}"),
    "advance_clock": ("a duration", "- advance_clock: 72h"),
    "drop_broker": ("nothing", "- drop_broker"),
    "restore_broker": ("nothing", "- restore_broker"),
    "message_fault": ("{direction, action, topic, seconds, count}",
                      "- message_fault: {direction: in, action: drop, count: 1}"),
    "clear_message_faults": ("nothing", "- clear_message_faults"),
    "cloud_refuse_next": ("{code, scope, path, request, count}",
                          "- cloud_refuse_next: {code: internal, scope: http}"),
    "screenshot": ("a file name", "- screenshot: bound.png"),
    "sleep": ("seconds", "- sleep: 1"),
}
NO_ARGS = {k for k, (what, _) in KINDS.items() if what == "nothing"}


class ScenarioError(ValueError):
    """The file is not a valid scenario; the text says where and what to write."""


@dataclass(frozen=True)
class PhoneSpec:
    who: str
    identifier: str  # may hold {run}
    password: str
    name: str


@dataclass(frozen=True)
class Step:
    index: int  # 1-based
    kind: str
    args: Any
    name: str | None = None
    timeout: float | None = None

    @property
    def label(self) -> str:
        return f"{self.index:02d} {self.name or summary(self.kind, self.args)}"


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    description: str
    phones: dict[str, PhoneSpec]
    steps: tuple[Step, ...]
    timeout: float = DEFAULT_TIMEOUT
    tags: tuple[str, ...] = field(default_factory=tuple)


def seconds(value: Any, what: str = "a duration") -> float:
    """``72h``, ``30m``, ``90s``, ``2d`` or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"{what} is a number of seconds or 30s, 5m, 72h, 2d; not {value!r}")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ValueError(f"{what} must be more than 0")
        return float(value)
    m = DURATION.match(str(value))
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"{what} is a number of seconds or 30s, 5m, 72h, 2d; not {value!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def summary(kind: str, args: Any) -> str:
    if args is None:
        return kind
    if isinstance(args, dict):
        if kind == "phone":
            extra = {k: v for k, v in args.items() if k not in ("as", "do")}
            tail = " " + " ".join(f"{k}={v}" for k, v in extra.items()) if extra else ""
            return f"phone {args.get('as')} {args.get('do')}{tail}"
        return kind + " " + " ".join(f"{k}={v}" for k, v in args.items())
    return f"{kind} {args}"


def load(path: Path) -> Scenario:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read it: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    return parse(raw, path)


def parse(raw: Any, path: Path) -> Scenario:
    where = str(path)
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping with name, phones and steps")
    unknown = set(raw) - {"name", "description", "phones", "steps", "timeout", "tags"}
    if unknown:
        raise ScenarioError(f"{where}: unknown top-level key(s) {sorted(unknown)}; a scenario "
                            "has name, description, phones, timeout, tags and steps")
    name = raw.get("name") or path.stem
    try:
        timeout = seconds(raw.get("timeout", DEFAULT_TIMEOUT), "timeout")
    except ValueError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    phones = _phones(raw.get("phones") or {}, where)
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ScenarioError(f"{where}: 'steps' must be a non-empty list")
    steps = tuple(_step(i, s, phones, where) for i, s in enumerate(steps_raw, 1))
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ScenarioError(f"{where}: 'tags' is a list of words")
    return Scenario(path, str(name), str(raw.get("description") or ""), phones, steps,
                    timeout, tuple(tags))


def _phones(raw: Any, where: str) -> dict[str, PhoneSpec]:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: 'phones' maps a name to {{name, password, identifier}}, "
                            "e.g. ann: {name: Ann Hansen, password: correct horse 1}")
    out = {}
    for who, spec in raw.items():
        spec = spec or {}
        if not re.match(r"^[a-z][a-z0-9_]{0,31}$", str(who)) or not isinstance(spec, dict):
            raise ScenarioError(f"{where}: phone {who!r}: a phone is a short lower-case name "
                                "with a mapping {name, password, identifier}")
        extra = set(spec) - {"name", "password", "identifier"}
        if extra:
            raise ScenarioError(f"{where}: phone {who}: unknown key(s) {sorted(extra)}")
        out[str(who)] = PhoneSpec(
            str(who), str(spec.get("identifier") or f"{who}-{{run}}@example.com"),
            str(spec.get("password") or "correct horse battery"),
            str(spec.get("name") or str(who).title()))
    return out


def _step(i: int, raw: Any, phones: dict[str, PhoneSpec], where: str) -> Step:
    at = f"{where}: step {i}"
    if isinstance(raw, str):
        raw = {raw: None}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{at}: a step is '- kind: argument' or a bare kind, e.g. "
                            "'- tap: home.user'")
    meta = {k: raw[k] for k in ("name", "timeout") if k in raw}
    kinds = [k for k in raw if k not in ("name", "timeout")]
    if len(kinds) != 1:
        raise ScenarioError(f"{at}: a step has exactly one kind (besides name and timeout); "
                            f"found {kinds or 'none'}")
    kind = kinds[0]
    if kind not in KINDS:
        raise ScenarioError(f"{at}: unknown step kind {kind!r}; known: {', '.join(KINDS)}")
    args = raw[kind]
    try:
        timeout = seconds(meta["timeout"], "timeout") if "timeout" in meta else None
        _check_args(kind, args, phones)
    except ValueError as exc:
        example = KINDS[kind][1]
        raise ScenarioError(f"{at} ({kind}): {exc}. Example: {example}") from None
    name = str(meta["name"]) if meta.get("name") else None
    return Step(i, kind, args, name, timeout)


def _mapping(args: Any, what: str) -> dict:
    if not isinstance(args, dict) or not args:
        raise ValueError(f"expected {what}")
    return args


def _check_args(kind: str, args: Any, phones: dict[str, PhoneSpec]) -> None:
    if kind in NO_ARGS:
        if args not in (None, {}):
            raise ValueError(f"{kind} takes no argument")
        return
    if kind in ("go", "type", "screenshot"):
        if not isinstance(args, str) or not args:
            raise ValueError(f"{kind} takes {KINDS[kind][0]}")
        return
    if kind == "tap":
        if isinstance(args, str) and args:
            return
        a = _mapping(args, "a widget id, or one of {id: ...}, {text: ...}, {at: [x, y]}")
        if len(a) != 1 or next(iter(a)) not in ("id", "text", "at"):
            raise ValueError("tap takes one of id, text or at")
        if "at" in a and not (isinstance(a["at"], list) and len(a["at"]) == 2
                              and all(isinstance(v, (int, float)) for v in a["at"])):
            raise ValueError("at is [x, y] in window pixels")
        return
    if kind in ("wait", "expect", "wait_cloud", "expect_cloud", "wait_vehicle",
                "expect_vehicle", "vehicle_set"):
        _mapping(args, KINDS[kind][0])
        if kind in ("wait_cloud", "expect_cloud") and "changes_since_mark" in args \
                and not isinstance(args["changes_since_mark"], int):
            raise ValueError("changes_since_mark is a whole number")
        return
    if kind == "advance_clock":
        seconds(args, "advance_clock")
        return
    if kind == "sleep":
        seconds(args, "sleep")
        return
    if kind == "dealer_unbind":
        a = _mapping(args, "{case: CASE, dealer: NAME}")
        if not a.get("case") or set(a) - {"case", "dealer", "reason"}:
            raise ValueError("dealer_unbind takes case (required), dealer and reason")
        return
    if kind == "message_fault":
        a = _mapping(args, "{direction, action, topic, seconds, count}")
        if set(a) - {"direction", "action", "topic", "seconds", "count"} \
                or "direction" not in a or "action" not in a:
            raise ValueError("message_fault takes direction (in|out|both), action "
                             "(drop|delay), and optionally topic, seconds, count")
        return
    if kind == "cloud_refuse_next":
        a = _mapping(args, "{code, scope, path, request, count}")
        if "code" not in a or set(a) - {"code", "scope", "path", "request", "count", "status"}:
            raise ValueError("cloud_refuse_next takes code (required), scope (http|mqtt|any), "
                             "path, request, count, status")
        return
    if kind == "phone":
        a = _mapping(args, "{as: WHO, do: ACTION}")
        who, action = a.get("as"), a.get("do")
        if who not in phones:
            raise ValueError(f"'as' must name a phone of the scenario's 'phones' "
                             f"({', '.join(phones) or 'none declared'}), not {who!r}")
        if action not in PHONE_ACTIONS:
            raise ValueError(f"'do' is one of {', '.join(PHONE_ACTIONS)}, not {action!r}")
        allowed = {"as", "do", "expect_error", "confirm", "answer", "code", "result"}
        if set(a) - allowed:
            raise ValueError(f"unknown key(s) {sorted(set(a) - allowed)} for a phone step")
        if action == "answer" and a.get("answer") not in ("agree", "reject"):
            raise ValueError("do: answer needs answer: agree or answer: reject")
        if action == "expect_notification" and not a.get("code"):
            raise ValueError("do: expect_notification needs code: NOTIFICATION_CODE")
        return
    raise ValueError(f"no check for {kind}")  # pragma: no cover - every kind is listed
