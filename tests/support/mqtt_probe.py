"""A raw MQTT 5 client for tests that probe a broker: what it grants, refuses and delivers.

Unlike :class:`headunit.mqtt.MqttConnection` it does not retry: ``connect`` says whether the
broker accepted (a CONNACK with success) and, if not, why; ``subscribe`` returns the SUBACK
reason codes; ``publish`` returns the PUBACK reason code; every message received is kept.
"""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from dataclasses import dataclass

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool


class Probe:
    def __init__(self, port: int, *, client_id: str | None = None, ca: str | None = None,
                 cert: str | None = None, key: str | None = None, username: str | None = None,
                 password: str | None = None, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2,
                             client_id=client_id or f"probe-{uuid.uuid4().hex[:8]}",
                             protocol=paho.MQTTv5)
        if ca:
            self.c.tls_set(ca_certs=ca, certfile=cert, keyfile=key,
                           cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        if username:
            self.c.username_pw_set(username, password)
        self.received: list[Received] = []
        self._cond = threading.Condition()
        self._connack: object = None
        self._disconnected: object = None
        self._subacks: dict[int, list] = {}
        self._pubacks: dict[int, object] = {}
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = self._on_disconnect
        self.c.on_subscribe = self._on_subscribe
        self.c.on_publish = self._on_publish
        self.c.on_message = self._on_message

    # ---------------------------------------------------------------- paho callbacks

    def _on_connect(self, client, userdata, flags, rc, props) -> None:  # noqa: ANN001
        with self._cond:
            self._connack = rc
            self._cond.notify_all()

    def _on_disconnect(self, client, userdata, flags, rc, props) -> None:  # noqa: ANN001
        with self._cond:
            self._disconnected = rc
            self._cond.notify_all()

    def _on_subscribe(self, client, userdata, mid, rcs, props) -> None:  # noqa: ANN001
        with self._cond:
            self._subacks[mid] = list(rcs)
            self._cond.notify_all()

    def _on_publish(self, client, userdata, mid, rc, props) -> None:  # noqa: ANN001
        with self._cond:
            self._pubacks[mid] = rc
            self._cond.notify_all()

    def _on_message(self, client, userdata, msg) -> None:  # noqa: ANN001
        with self._cond:
            self.received.append(Received(msg.topic, msg.payload, bool(msg.retain)))
            self._cond.notify_all()

    # ---------------------------------------------------------------- actions

    def _wait(self, pred, timeout: float) -> bool:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        with self._cond:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def connect(self, timeout: float = 10.0) -> str:
        """``"ok"``, or why the broker did not let us in (refusal, TLS error, hang-up)."""
        try:
            self.c.connect(self.host, self.port, keepalive=30)
        except (ssl.SSLError, OSError) as exc:
            return f"transport error: {exc}"
        self.c.loop_start()
        self._wait(lambda: self._connack is not None or self._disconnected is not None, timeout)
        rc = self._connack
        if rc is not None and not rc.is_failure:
            # a TLS 1.3 server checks the client certificate after the client thinks the
            # handshake is done: make sure we are still in a moment later
            time.sleep(0.2)
            if self._disconnected is None:
                return "ok"
            return f"hung up: {self._disconnected}"
        self.close()
        if rc is not None:
            return f"refused: {rc}"
        return f"no CONNACK: {self._disconnected or 'timeout'}"

    def subscribe(self, topic_filter: str, timeout: float = 10.0) -> list:
        _, mid = self.c.subscribe(topic_filter, qos=1)
        assert self._wait(lambda: mid in self._subacks, timeout), f"no SUBACK for {topic_filter}"
        return self._subacks[mid]

    def publish(self, topic: str, payload: bytes, *, retain: bool = False,
                response_topic: str | None = None, correlation: bytes | None = None,
                timeout: float = 10.0) -> object:
        props = None
        if response_topic or correlation:
            props = Properties(PacketTypes.PUBLISH)
            if response_topic:
                props.ResponseTopic = response_topic
            if correlation:
                props.CorrelationData = correlation
        info = self.c.publish(topic, payload, qos=1, retain=retain, properties=props)
        assert self._wait(lambda: info.mid in self._pubacks, timeout), f"no PUBACK on {topic}"
        return self._pubacks[info.mid]

    def wait_message(self, topic: str, timeout: float = 10.0) -> Received:
        assert self._wait(lambda: any(r.topic == topic for r in self.received), timeout), \
            f"nothing arrived on {topic} in {timeout} s; got {[r.topic for r in self.received]}"
        return next(r for r in self.received if r.topic == topic)

    @property
    def connected(self) -> bool:
        return self.c.is_connected() and self._disconnected is None

    def close(self) -> None:
        try:
            self.c.disconnect()
        finally:
            self.c.loop_stop()
