"""Fault injection on one MQTT connection, for test rigs: delay or drop messages.

Off unless a rig enables it (``MqttConnection.enable_faults()``, done by the head unit's
remote control): until then no message passes through here. A rule matches messages by
direction (``in``: received, ``out``: published, or ``both``) and MQTT topic filter, and
either **drops** them (as if lost on the network) or **delays** them by some seconds (a
slow link: delayed messages keep their order among themselves). A rule may apply to the
next ``count`` matching messages only, or until the rules are cleared.

Delayed messages are handed over on one delay thread, in the order they fall due.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from paho.mqtt.client import topic_matches_sub

log = logging.getLogger(__name__)

DIRECTIONS = ("in", "out", "both")
ACTIONS = ("drop", "delay")
MAX_RULES = 50
MAX_DELAY = 600.0


@dataclass
class MessageRule:
    direction: str
    action: str
    topic: str = "#"
    seconds: float = 0.0
    count: int | None = None  # None: every matching message until cleared
    hits: int = 0

    def matches(self, direction: str, topic: str) -> bool:
        return (self.direction in (direction, "both") and topic_matches_sub(self.topic, topic)
                and (self.count is None or self.hits < self.count))

    def to_json(self) -> dict:
        return {"direction": self.direction, "action": self.action, "topic": self.topic,
                "seconds": self.seconds, "count": self.count, "hits": self.hits}


def check_rule(direction: str, action: str, topic: str, seconds: float,
               count: int | None) -> MessageRule:
    """A rule from a rig's arguments; ValueError says what is wrong."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if action not in ACTIONS:
        raise ValueError(f"action must be drop or delay, not {action!r}")
    if not isinstance(topic, str) or not topic or "\0" in topic or len(topic) > 256:
        raise ValueError("topic must be an MQTT topic filter such as 'ismart/v1/#'")
    parts = topic.split("/")
    if any(("#" in p and p != "#") or ("+" in p and p != "+") for p in parts) \
            or "#" in parts[:-1]:
        raise ValueError(f"topic {topic!r} is not a valid MQTT filter: + and # stand alone, "
                         "and # only at the end")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
            or not 0 <= seconds <= MAX_DELAY:
        raise ValueError(f"seconds must be a number from 0 to {MAX_DELAY:g}")
    if action == "delay" and seconds <= 0:
        raise ValueError("a delay needs seconds > 0")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                              or count < 1):
        raise ValueError("count must be a whole number >= 1 (or absent: until cleared)")
    return MessageRule(direction, action, topic, float(seconds), count)


class FaultLayer:
    """The rules of one connection, and the thread that hands over delayed messages."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Condition()
        self._rules: list[MessageRule] = []
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.dropped = {"in": 0, "out": 0}
        self.delayed = {"in": 0, "out": 0}
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ rules

    def add(self, rule: MessageRule) -> dict:
        with self._lock:
            if len(self._rules) >= MAX_RULES:
                raise ValueError(f"{MAX_RULES} rules are set already; clear them first")
            self._rules.append(rule)
        log.warning("fault injection: %s %s messages on %s%s%s", rule.action,
                    rule.direction, rule.topic,
                    f" by {rule.seconds:g} s" if rule.action == "delay" else "",
                    f" (next {rule.count})" if rule.count else "")
        return rule.to_json()

    def clear(self) -> int:
        """Remove every rule (messages already delayed are still delivered)."""
        with self._lock:
            n, self._rules = len(self._rules), []
        return n

    def status(self) -> dict:
        with self._lock:
            return {"rules": [r.to_json() for r in self._rules], "dropped": dict(self.dropped),
                    "delayed": dict(self.delayed), "waiting": len(self._queue)}

    # ------------------------------------------------------------ messages

    def apply(self, direction: str, topic: str, deliver: Callable[[], None]) -> bool:
        """Pass one message: False when no rule matches (the caller delivers it now), True
        when it was dropped or queued for later."""
        with self._lock:
            rule = next((r for r in self._rules if r.matches(direction, topic)), None)
            if rule is None:
                return False
            rule.hits += 1
            if rule.action == "drop":
                self.dropped[direction] += 1
            else:
                self.delayed[direction] += 1
                heapq.heappush(self._queue, (self._clock() + rule.seconds, next(self._seq),
                                             deliver))
                self._start()
                self._lock.notify_all()
        log.info("fault injection: %s %s message on %s", "dropped" if rule.action == "drop"
                 else f"delayed by {rule.seconds:g} s", direction, topic)
        return True

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mqtt-faults", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue or self._queue[0][0] > self._clock():
                    wait = self._queue[0][0] - self._clock() if self._queue else None
                    self._lock.wait(wait)
                _, _, deliver = heapq.heappop(self._queue)
            try:
                deliver()
            except Exception:
                log.exception("a delayed message could not be delivered")
