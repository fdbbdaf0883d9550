"""Helpers for the car's integration tests: binding a phone, reading the car out of the head
unit's JSON lines, the rig's ``ismart-vehicle`` and a raw MQTT client for forged messages."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from headunit.mqtt import BrokerUrl

from .headunit import qr, state
from .procs import Proc, program


def bind(system: Any, hu: Proc, who: str) -> None:
    """Two scans: ``who``'s phone logs into the car and binds it."""
    login = qr(hu, "login")
    r = system.phone(who, "scan", login["qr"]["content"])
    assert r["rc"] == 0, r
    bind_qr = qr(hu, "bind")
    r = system.phone(who, "scan", bind_qr["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    state(hu, "bound")


def dig(doc: Any, path: str) -> Any:
    for part in path.split("."):
        doc = doc[part]
    return doc


def car_line(hu: Proc, pred: Callable[[dict], bool], *, since: int = 0, timeout: float = 15.0,
             what: str = "a car status") -> dict:
    """The first state line (from ``since``) whose ``vehicle`` satisfies ``pred``."""

    def ok(line: Any) -> bool:
        return (isinstance(line, dict) and line.get("event") == "state"
                and line.get("vehicle") is not None and pred(line["vehicle"]))

    return hu.wait_for(ok, timeout, what, since=since)


def shows(path: str, value: Any) -> Callable[[dict], bool]:
    """A predicate: the car's status has ``value`` at ``path`` (``doors.locked``)."""
    return lambda v: v["status"] is not None and dig(v["status"], path) == value


def vehicle_cli(broker: str, vin: str, *args: str, timeout: float = 30.0) -> dict:
    """``ismart-vehicle --json ...``: its JSON answer with the exit code as ``rc``."""
    r = subprocess.run([program("ismart-vehicle"), "--broker", broker, "--vin", vin, "--json",
                        *args], capture_output=True, text=True, timeout=timeout)
    lines = r.stdout.strip().splitlines()
    out = json.loads(lines[-1]) if lines else {}
    out["rc"], out["stderr"] = r.returncode, r.stderr
    return out


class RawClient:
    """A bare paho MQTT 5 client, for what a well-behaved process never sends."""

    def __init__(self, broker: str) -> None:
        url = BrokerUrl.parse(broker)
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2,
                                  client_id=f"test-raw-{uuid.uuid4().hex[:8]}",
                                  protocol=paho.MQTTv5)
        self.messages: list[paho.MQTTMessage] = []
        self._cond = threading.Condition()
        self.client.on_message = self._on_message
        self.client.connect(url.host, url.port)
        self.client.loop_start()

    def _on_message(self, client, userdata, message) -> None:  # noqa: ANN001
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    def subscribe(self, topic: str, timeout: float = 10.0) -> None:
        acked = threading.Event()
        self.client.on_subscribe = lambda *args: acked.set()
        self.client.subscribe(topic, qos=1)
        if not acked.wait(timeout):
            raise AssertionError(f"the broker did not acknowledge the subscription to {topic}")

    def publish(self, topic: str, payload: bytes, *, retain: bool = False,
                response_topic: str | None = None, correlation: bytes | None = None) -> None:
        props = None
        if response_topic or correlation:
            props = Properties(PacketTypes.PUBLISH)
            if response_topic:
                props.ResponseTopic = response_topic
            if correlation:
                props.CorrelationData = correlation
        self.client.publish(topic, payload, qos=1, retain=retain,
                            properties=props).wait_for_publish(10)

    def wait_message(self, pred: Callable[[paho.MQTTMessage], bool],
                     timeout: float = 15.0) -> paho.MQTTMessage:
        with self._cond:
            if not self._cond.wait_for(lambda: any(pred(x) for x in self.messages), timeout):
                raise AssertionError(f"no matching MQTT message within {timeout} s")
            return next(x for x in self.messages if pred(x))

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
