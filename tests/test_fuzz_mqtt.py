"""Property-based fuzzing of every MQTT payload schema against the live processes.

A real mosquitto, cloud and headless head unit. Hypothesis throws at every topic of the system
(found by looking at the protocol package, so new topics and messages are covered as they are
added; see tests/support/protocol_catalogue.py):

1. payloads no receiver accepts (broken messages of every schema, non-JSON, too big, too deep),
   with odd MQTT 5 properties: both processes stay up, say why they dropped each one, and
   nothing they show or store changes;
2. payloads every schema allows, with extreme values: both processes stay up and answer.

The budget is ISMART_FUZZ_EXAMPLES (CI: a few hundred; ``make fuzz``: thousands).
"""

from __future__ import annotations

import json
import os

import httpx
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from firmware_sim.cloud import pki
from headunit.protocol import topics
from headunit.protocol.messages import MAX_TIME
from tests.conftest import System
from tests.support import protocol_catalogue as catalogue
from tests.support.faults import cloud_vehicle, headunit_now, wait_until
from tests.support.headunit import qr
from tests.support.mqtt_probe import Probe

VIN = "LSJA24U66PS000051"
OTHER = "LSJA24U66PS000052"
EXAMPLES = int(os.environ.get("ISMART_FUZZ_EXAMPLES", "300"))
TOPICS = catalogue.all_topics(VIN, OTHER)
# the topics the head unit listens to: the cloud's, and its car's that the access policy lets
# it read (tests/test_broker_isolation.py proves the head unit works with exactly those)
HEADUNIT_TOPICS = set(catalogue.cloud_topics()) | {
    topics.vehicle(VIN, leaf) for leaf in pki.reads("headunit")}

# no shrinking: the processes are live and their logs say what happened; the first failing
# example is reported as it is
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))

response_topics = st.sampled_from([
    None, topics.vehicle(VIN, topics.HEADUNIT_RESPONSE),
    topics.vehicle(OTHER, topics.HEADUNIT_RESPONSE), "ismart/v1/cloud/info",
]) | st.text(  # topic text a broker takes: no wildcards, no control characters
    st.characters(whitelist_categories=("L", "N", "Pd", "Po", "Zs"), blacklist_characters="#"),
    min_size=1, max_size=60)
correlations = st.none() | st.binary(min_size=1, max_size=80)


@pytest.fixture(scope="module")
def live(mosquitto, tmp_path_factory):
    s = System(mosquitto.url, tmp_path_factory.mktemp("fuzz"))
    s.start_cloud()
    s.hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    r = s.phone("ann", "scan", qr(s.hu, "login", timeout=30)["qr"]["content"])
    assert r["result"]["result"] == "logged_in"
    qr(s.hu, "bind")
    s.attacker = Probe(mosquitto.port, client_id="fuzzer")
    assert s.attacker.connect() == "ok"
    yield s
    s.attacker.close()
    s.stop()


def log_of(proc) -> str:  # noqa: ANN001
    return proc.stderr_tail(10**9)


def barrier(s: System, proc, topic: str, size: int) -> None:  # noqa: ANN001
    """Publish a payload of a unique size after everything else and wait until ``proc`` says
    it dropped it: then it has handled every message published before."""
    s.attacker.publish(topic, b"{" + b" " * (size - 2) + b"}",
                       response_topic=topics.vehicle(VIN, topics.HEADUNIT_RESPONSE),
                       correlation=b"barrier")
    wait_until(f"{proc.name} handling the barrier",
               lambda: f"payload is {size} bytes" in log_of(proc), timeout=120, every=0.5)


def screen(s: System) -> dict:
    now = headunit_now(s.hu)
    return {k: now[k] for k in ("state", "user", "binding", "online", "public_url", "notice",
                                "vehicle")}


def cloud_view(s: System) -> dict:
    other = httpx.get(f"{s.cloud_url}/api/v1/admin/vehicles/{OTHER}", timeout=30,
                      headers={"Authorization": f"Bearer {s.admin_token}"})
    return {"car": cloud_vehicle(s, VIN), "stranger": other.status_code,
            "ann": s.phone("ann", "vehicles")["result"]}


@pytest.mark.integration
def test_invalid_payloads_on_every_topic_crash_nothing_and_change_nothing(live):
    from tests.conftest import ADMIN_TOKEN
    live.admin_token = ADMIN_TOKEN
    before_screen, before_cloud = screen(live), cloud_view(live)
    hu_drops = log_of(live.hu).count("dropped a message on")
    sent_to_hu = 0
    examples: list[bytes] = []

    @FUZZ
    @given(payload=catalogue.invalid_payloads(), response_topic=response_topics,
           correlation=correlations)
    def throw(payload: bytes, response_topic: str | None, correlation: bytes | None) -> None:
        nonlocal sent_to_hu
        examples.append(payload)
        for topic in TOPICS:  # every payload on every topic: each receiver sees each schema
            live.attacker.publish(topic, payload, response_topic=response_topic,
                                  correlation=correlation)
            if payload and topic in HEADUNIT_TOPICS:
                sent_to_hu += 1
        assert live.cloud.alive and live.hu.alive

    throw()
    assert len(examples) >= EXAMPLES // 2, len(examples)  # the budget was really spent
    barrier(live, live.cloud, topics.vehicle(VIN, topics.HEADUNIT_REQUEST), 99_990)
    barrier(live, live.hu, topics.CLOUD_INFO, 99_980)
    assert live.cloud.alive and live.hu.alive
    assert screen(live) == before_screen
    assert cloud_view(live) == before_cloud
    # each message the head unit got was dropped with a reason (none slipped through)
    assert log_of(live.hu).count("dropped a message on") - hu_drops >= sent_to_hu
    assert "Traceback" not in log_of(live.hu) and "Traceback" not in log_of(live.cloud)
    # and the system still works: the bind QR from before binds
    r = live.phone("ann", "scan", qr(live.hu, "bind", since=live.hu.mark() - 1)["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r


@pytest.mark.integration
def test_valid_payloads_with_extreme_values_crash_nothing(live):
    live.hu.send({"cmd": "logout"})  # a screen with a QR code: codes are made as time passes
    qr(live.hu, "login", since=live.hu.mark() - 1)

    @FUZZ
    @given(message=catalogue.any_valid_message(), response_topic=response_topics,
           correlation=correlations)
    # found by this fuzzer: a clock the QR token cannot carry used to kill the head unit
    @example(message={"type": "clock", "anchor_real": 0.0, "anchor_sim": MAX_TIME,
                      "scale": 1_000_000.0}, response_topic=None, correlation=None)
    @example(message={"type": "clock", "anchor_real": 0.0, "anchor_sim": 0.0,
                      "scale": 1_000_000.0}, response_topic=None, correlation=None)
    def throw(message: dict, response_topic: str | None, correlation: bytes | None) -> None:
        payload = json.dumps(message).encode()
        kinds.append(message["type"])
        for topic in TOPICS:
            live.attacker.publish(topic, payload, response_topic=response_topic,
                                  correlation=correlation)
        assert live.cloud.alive and live.hu.alive

    kinds: list[str] = []
    throw()
    assert len(kinds) >= EXAMPLES // 2, len(kinds)
    # every message schema of the protocol package was sent
    assert {m.model_fields["type"].default for m in catalogue.message_models()} <= set(kinds)
    barrier(live, live.cloud, topics.vehicle(VIN, topics.HEADUNIT_REQUEST), 99_970)
    barrier(live, live.hu, topics.CLOUD_INFO, 99_960)
    assert live.cloud.alive and live.hu.alive
    assert headunit_now(live.hu)["vin"] == VIN
    assert httpx.get(f"{live.cloud_url}/healthz", timeout=30).status_code == 200
    assert "Traceback" not in log_of(live.hu), log_of(live.hu)[-3000:]
    assert "Traceback" not in log_of(live.cloud), log_of(live.cloud)[-3000:]
