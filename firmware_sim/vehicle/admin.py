"""The rig's side of ``car/admin``: one MQTT 5 request to a running vehicle simulator and its
answer (what ``ismart-vehicle get / set / drive`` use)."""

from __future__ import annotations

import secrets
import threading

from headunit.mqtt import MqttConnection, TlsFiles, properties
from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv


class AdminError(Exception):
    """No answer, or a refusal; the text says what to do."""


def request(broker: str, vin: str, op: object, *, timeout: float = 5.0,
            tls: TlsFiles | None = None) -> pv.AdminResult:
    vin = topics.check_vin(vin)
    reply_topic = topics.vehicle(vin, topics.CAR_ADMIN_RESPONSE)
    correlation = secrets.token_bytes(12)
    answer: list[pv.AdminResult] = []
    got = threading.Event()

    def on_reply(topic: str, payload: bytes, props: object) -> None:
        if getattr(props, "CorrelationData", None) != correlation:
            return
        try:
            answer.append(m.decode(pv.ADMIN_RESULT, payload))
        except m.ProtocolError as exc:
            answer.append(pv.AdminResult(status="error", error=m.ErrorBody(
                code="internal", message=f"the simulator's answer is not valid: {exc}")))
        got.set()

    conn = MqttConnection(broker, f"ismart-vehicle-admin-{secrets.token_hex(4)}", tls=tls)
    subscribed = threading.Event()
    conn.subscribe(reply_topic, on_reply)
    conn.client.on_subscribe = lambda *a: subscribed.set()
    conn.start()
    try:
        if not conn.wait_connected(timeout) or not subscribed.wait(timeout):
            raise AdminError(f"cannot reach the MQTT broker at {broker}; is it running?")
        conn.publish(topics.vehicle(vin, topics.CAR_ADMIN),
                     m.encode(pv.AdminRequest(request=op)),  # type: ignore[arg-type]
                     props=properties(reply_topic, correlation))
        if not got.wait(timeout):
            raise AdminError(f"no vehicle simulator for {vin} answered within {timeout:g} s; "
                             f"is 'ismart-vehicle run --vin {vin}' running on {broker}?")
    finally:
        conn.stop()
    return answer[0]
