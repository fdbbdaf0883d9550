"""Fault injection on an MQTT connection: rules that drop or delay messages (unit), and a
dropped and restored broker connection against a real mosquitto (the Last Will is sent,
nothing arrives while cut, subscriptions come back)."""

from __future__ import annotations

import threading
import time

import pytest

from headunit.mqtt import MqttConnection
from headunit.mqtt_faults import FaultLayer, check_rule


def test_a_drop_rule_swallows_matching_messages_for_its_count():
    layer = FaultLayer()
    layer.add(check_rule("in", "drop", "ismart/v1/vehicles/+/session", 0, 2))
    delivered: list[str] = []
    for topic in ("ismart/v1/vehicles/V1/session", "ismart/v1/vehicles/V1/events",
                  "ismart/v1/vehicles/V1/session", "ismart/v1/vehicles/V1/session"):
        if not layer.apply("in", topic, lambda t=topic: delivered.append(t)):
            delivered.append(topic)
    assert delivered == ["ismart/v1/vehicles/V1/events", "ismart/v1/vehicles/V1/session"]
    assert layer.status()["dropped"] == {"in": 2, "out": 0}
    assert not layer.apply("out", "ismart/v1/vehicles/V1/session", lambda: None)  # direction


def test_delayed_messages_arrive_later_in_their_order():
    layer = FaultLayer()
    layer.add(check_rule("both", "delay", "#", 0.2, None))
    got: list[int] = []
    done = threading.Event()

    def deliver(i: int) -> None:
        got.append(i)
        if len(got) == 5:
            done.set()

    for i in range(5):
        assert layer.apply("out", "a/b", lambda i=i: deliver(i))
    assert got == []  # nothing passed at once
    assert done.wait(10), "the delayed messages never arrived"
    assert got == [0, 1, 2, 3, 4]
    assert layer.status()["delayed"] == {"in": 0, "out": 5}


def test_cleared_rules_let_everything_pass():
    layer = FaultLayer()
    layer.add(check_rule("in", "drop", "#", 0, None))
    assert layer.apply("in", "x", lambda: None)
    assert layer.clear() == 1
    assert not layer.apply("in", "x", lambda: None)


@pytest.mark.parametrize("args,message", [
    (("sideways", "drop", "#", 0, None), "direction"),
    (("in", "explode", "#", 0, None), "drop or delay"),
    (("in", "drop", "a/#/b", 0, None), "not a valid MQTT filter"),
    (("in", "drop", "a+/b", 0, None), "not a valid MQTT filter"),
    (("in", "delay", "#", 0, None), "seconds > 0"),
    (("in", "delay", "#", 9999, None), "seconds must be"),
    (("in", "drop", "#", 0, 0), "count"),
    (("in", "drop", "", 0, None), "topic filter"),
])
def test_bad_rules_are_refused_with_the_reason(args, message):
    with pytest.raises(ValueError, match=message):
        check_rule(*args)


@pytest.mark.integration
def test_a_dropped_connection_sends_the_will_receives_nothing_and_comes_back(mosquitto):
    availability = "ismart/v1/test/faults/availability"
    watcher_seen: list[bytes] = []
    seen_cond = threading.Condition()

    def watch(topic: str, payload: bytes, props: object) -> None:
        with seen_cond:
            watcher_seen.append(payload)
            seen_cond.notify_all()

    def wait_seen(value: bytes, since: int) -> None:
        with seen_cond:
            assert seen_cond.wait_for(lambda: value in watcher_seen[since:], 15), watcher_seen

    watcher = MqttConnection(mosquitto.url, "fault-watcher")
    watcher.subscribe(availability, watch)
    got: list[bytes] = []
    conn = MqttConnection(mosquitto.url, "fault-subject", availability_topic=availability)
    conn.subscribe("ismart/v1/test/faults/data", lambda t, p, props: got.append(p))
    watcher.start()
    conn.start()
    try:
        assert watcher.wait_connected(10) and conn.wait_connected(10)
        wait_seen(b"online", 0)
        mark = len(watcher_seen)
        told: list[bool] = []
        conn.on_connectivity(told.append)

        conn.drop_connection()
        assert not conn.connected and conn.severed and told == [False]
        wait_seen(b"offline", mark)  # the broker sent our Last Will: no clean DISCONNECT
        # Wait for the broker's PUBACK: the message has then been routed (to nobody), so it cannot
        # reach the broker only after the subject is back and subscribed again.
        watcher.publish("ismart/v1/test/faults/data", b"while-cut", qos=1).wait_for_publish(10)
        assert not conn.connected and conn.severed  # no reconnect behind our back

        mark = len(watcher_seen)
        conn.restore_connection()
        assert conn.wait_connected(15)
        wait_seen(b"online", mark)
        deadline = time.monotonic() + 15
        while b"after" not in got and time.monotonic() < deadline:
            watcher.publish("ismart/v1/test/faults/data", b"after", qos=1)
            time.sleep(0.3)
        assert b"after" in got and b"while-cut" not in got
        assert told[-1] is True
    finally:
        conn.stop()
        watcher.stop()
