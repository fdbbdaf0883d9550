"""Malformed, oversized, unknown and misaddressed MQTT messages on every topic each process
subscribes to: every process stays up, its state is unchanged, and it says why it dropped."""

from __future__ import annotations

import json
import time

import paho.mqtt.client as paho
import pytest

from headunit.mqtt import BrokerUrl, properties
from headunit.protocol import topics
from tests.support.headunit import qr, state

VIN = "LSJA24U66PS000005"
OTHER = "LSJA24U66PS000006"

GARBAGE = {
    "not json": b"\x00\xffnot json at all",
    "wrong types": json.dumps({"type": "session", "vin": VIN, "cloud_id": 7, "seq": "five",
                               "user": [], "binding": "x"}).encode(),
    "one megabyte": b"{" + b" " * 1_000_000 + b"}",
    "unknown type": json.dumps({"type": "teleport", "to": "mars"}).encode(),
    "array": b"[1, 2, 3]",
    "empty object": b"{}",
}

WRONG_VIN = {
    topics.vehicle(VIN, topics.SESSION): {"type": "session", "vin": OTHER, "cloud_id": "c0ffee",
                                          "seq": 999, "user": None, "binding": None},
    topics.vehicle(VIN, topics.HEADUNIT_REQUEST): {
        "type": "hello", "vin": OTHER, "public_key": "A" * 43, "model": "MG4 Electric",
        "software": "evil 1.0"},
}

HEADUNIT_TOPICS = [topics.CLOUD_AVAILABILITY, topics.CLOUD_INFO, topics.CLOUD_CLOCK,
                   topics.vehicle(VIN, topics.SESSION), topics.vehicle(VIN, topics.EVENTS),
                   topics.vehicle(VIN, topics.HEADUNIT_RESPONSE)]
CLOUD_TOPICS = [topics.vehicle(VIN, topics.HEADUNIT_REQUEST),
                topics.vehicle(VIN, topics.HEADUNIT_AVAILABILITY),
                "ismart/v1/vehicles/NOT-A-VIN/headunit/request",
                topics.vehicle(OTHER, topics.HEADUNIT_REQUEST)]


def attacker(url: str) -> paho.Client:
    b = BrokerUrl.parse(url)
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="attacker", protocol=paho.MQTTv5)
    c.connect(b.host, b.port)
    c.loop_start()
    return c




@pytest.mark.integration
def test_malformed_messages_on_every_topic_change_nothing(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    assert s.phone("ann", "scan", qr(hu, "login")["qr"]["content"])["rc"] == 0
    bind_qr = qr(hu, "bind")
    cloud_before = s.cloud_vehicle(VIN)

    c = attacker(mosquitto.url)
    sent = 0
    for topic in HEADUNIT_TOPICS + CLOUD_TOPICS:
        for payload in GARBAGE.values():
            # requests with proper MQTT 5 properties reach the decoder; others are refused earlier
            for props in (None, properties(topics.vehicle(VIN, topics.HEADUNIT_RESPONSE), b"x1")):
                c.publish(topic, payload, qos=1, properties=props).wait_for_publish(10)
                sent += 1
    for topic, payload in WRONG_VIN.items():
        c.publish(topic, json.dumps(payload).encode(), qos=1,
                  properties=properties(topics.vehicle(VIN, topics.HEADUNIT_RESPONSE), b"x2")
                  ).wait_for_publish(10)
    # a request that asks for its answer on another car's topic
    c.publish(topics.vehicle(VIN, topics.HEADUNIT_REQUEST), b'{"type": "logout"}', qos=1,
              properties=properties(topics.vehicle(OTHER, topics.HEADUNIT_RESPONSE), b"x3")
              ).wait_for_publish(10)
    time.sleep(1.5)
    c.loop_stop()
    c.disconnect()

    assert s.cloud.alive and hu.alive
    assert s.cloud_vehicle(VIN) == cloud_before
    mark = hu.mark()
    hu.send({"cmd": "state"})
    now = hu.wait_for(lambda l: l.get("event") == "state", 10, "state", since=mark)
    for key in ("state", "user", "binding", "online", "public_url"):
        assert now[key] == bind_qr[key], key
    assert all(line.get("state") == "logged_in" for line in hu.lines
               if isinstance(line, dict) and line.get("event") == "state"
               and line["n"] > bind_qr["n"])

    # each process said what it dropped and why
    hu_log, cloud_log = hu.stderr_tail(10**7), s.cloud.stderr_tail(10**7)
    for topic in HEADUNIT_TOPICS:
        assert f"dropped a message on {topic}" in hu_log, topic
    assert "payload is 1000002 bytes; the limit is 65536" in hu_log
    assert f"session for VIN {OTHER} on the topic of {VIN}" in hu_log
    assert f"dropped a message on {topics.vehicle(VIN, topics.HEADUNIT_REQUEST)}" in cloud_log
    assert f"hello for VIN {OTHER} on the topic of {VIN}" in cloud_log
    assert "response topic must be" in cloud_log
    assert "NOT-A-VIN" in cloud_log

    # and both still work: the bind QR from before the storm still binds
    r = s.phone("ann", "scan", now["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    state(hu, "bound")
