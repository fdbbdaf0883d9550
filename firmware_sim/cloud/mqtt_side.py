"""The cloud's MQTT side: answers head-unit requests, publishes retained state.

Requests arrive on ``ismart/v1/vehicles/+/headunit/request`` as MQTT 5 requests. A request
is answered only on its own car's response topic (a client cannot aim answers at another
car), with the request's correlation data. A malformed request is logged with its reason
and answered ``invalid_request`` where it can be; it never changes state.
"""

from __future__ import annotations

import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor

from headunit.mqtt import MqttConnection, properties
from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol.errors import CloudError

from . import storage
from .service import CloudService

log = logging.getLogger(__name__)


class ConnPublisher:
    """The service's publisher, on a real MQTT connection (QoS 1)."""

    def __init__(self, conn: MqttConnection) -> None:
        self.conn = conn

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        self.conn.publish(topic, payload, qos=1, retain=retain)


class CloudMqtt:
    def __init__(self, conn: MqttConnection, service: CloudService, workers: int = 4) -> None:
        self.conn, self.service = conn, service
        self.headunits: dict[str, str] = {}
        self.dropped = 0
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="cloud-req")
        conn.subscribe(topics.vehicle_filter(topics.HEADUNIT_REQUEST), self._request)
        conn.subscribe(topics.vehicle_filter(topics.HEADUNIT_AVAILABILITY), self._availability)
        conn.on_connectivity(self._connectivity)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _connectivity(self, up: bool) -> None:
        if up:
            self._pool.submit(self._guarded, self.service.publish_all)

    def _guarded(self, fn, *args) -> None:  # noqa: ANN001
        try:
            fn(*args)
        except Exception:
            log.exception("%s failed", getattr(fn, "__name__", fn))

    def _drop(self, topic: str, reason: object) -> None:
        self.dropped += 1
        log.warning("dropped a message on %s: %s", topic, reason)

    def _availability(self, topic: str, payload: bytes, props: object) -> None:
        try:
            vin = topics.parse_vehicle_topic(topic).vin
            self.headunits[vin] = m.decode_availability(payload) if payload else "offline"
        except (topics.TopicError, m.ProtocolError) as exc:
            self._drop(topic, exc)

    def _request(self, topic: str, payload: bytes, props: object) -> None:
        try:
            vin = topics.parse_vehicle_topic(topic).vin
        except topics.TopicError as exc:
            return self._drop(topic, exc)
        response_topic = getattr(props, "ResponseTopic", None)
        correlation = getattr(props, "CorrelationData", None)
        expected = topics.vehicle(vin, topics.HEADUNIT_RESPONSE)
        if response_topic != expected:
            return self._drop(topic, f"response topic must be {expected}, not {response_topic!r}")
        if not correlation or len(correlation) > 64:
            return self._drop(topic, "a request needs correlation data of 1 to 64 bytes")
        try:
            request = m.decode(m.REQUEST, payload)
        except m.ProtocolError as exc:
            self._drop(topic, exc)
            return self._answer(expected, correlation, "unknown",
                                CloudError("invalid_request", f"The request is not valid: {exc}"))
        if isinstance(request, m.Hello) and request.vin != vin:
            self._drop(topic, f"hello for VIN {request.vin} on the topic of {vin}")
            return self._answer(expected, correlation, request.type,
                                CloudError("invalid_request", "The VIN differs from the topic's."))
        refusal = self.service.faults.take("mqtt", request.type)  # a rig's injected fault
        if refusal is not None:
            return self._answer(expected, correlation, request.type, refusal)
        self._pool.submit(self._handle, vin, request, expected, correlation)

    def _handle(self, vin: str, request: m.Message, reply_to: str, correlation: bytes) -> None:
        kind = request.type
        try:
            if isinstance(request, m.Hello):
                data = self.service.headunit_hello(vin, request)
            elif isinstance(request, m.PasswordLogin):
                data = self.service.headunit_password_login(vin, request)
            elif isinstance(request, m.Logout):
                data = self.service.headunit_logout(vin)
            elif isinstance(request, m.KioskReset):
                from .kiosk import reset
                data = reset(self.service, vin, by="headunit")
            else:  # pragma: no cover - the schema admits nothing else
                raise CloudError("invalid_request")
        except CloudError as exc:
            return self._answer(reply_to, correlation, kind, exc)
        except sqlite3.OperationalError as exc:
            return self._answer(reply_to, correlation, kind, storage.refusal(exc))
        except Exception:
            log.exception("request %s from %s failed", kind, vin)
            return self._answer(reply_to, correlation, kind, CloudError("internal"))
        self._answer(reply_to, correlation, kind, data)

    def _answer(self, reply_to: str, correlation: bytes, kind: str,
                outcome: dict | CloudError) -> None:
        if isinstance(outcome, CloudError):
            r = m.Response(request=kind if kind.isidentifier() else "unknown", status="error",
                           error=m.ErrorBody(code=outcome.code, message=outcome.message,
                                             retry_after=outcome.retry_after),
                           transaction=correlation.hex()[:64])
        else:
            r = m.Response(request=kind, status="ok", data=outcome,
                           transaction=correlation.hex()[:64])
        self.conn.publish(reply_to, m.encode(r), props=properties(correlation=correlation))
