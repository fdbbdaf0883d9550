"""The head unit's side of the MQTT protocol: topics in, session events out; requests out.

Every payload is validated on receipt; a malformed, oversized or unknown message is logged
with its reason and dropped. Valid messages become session events handed to ``on_event``
(on paho's thread: the controller serialises them).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from .clock import ClockSpec
from .mqtt import MqttConnection, properties
from .protocol import messages as m
from .protocol import topics
from .session import (
    CloudSession,
    Connectivity,
    Event,
    NoticeReceived,
    RequestAnswered,
    ScanEnded,
    ScanStarted,
)

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0


class HeadUnitLink:
    def __init__(self, conn: MqttConnection, vin: str, on_event: Callable[[Event], None], *,
                 hello: Callable[[], m.Hello], on_clock: Callable[[ClockSpec], None],
                 on_cloud_info: Callable[[m.CloudInfo], None]) -> None:
        self.conn, self.vin, self._on_event = conn, vin, on_event
        self._hello, self._on_clock, self._on_cloud_info = hello, on_clock, on_cloud_info
        self._pending: dict[bytes, tuple[str, float]] = {}
        # answers that go to a caller instead of the session (e.g. the kiosk's reset)
        self._callbacks: dict[bytes, Callable[[RequestAnswered], None]] = {}
        self._lock = threading.Lock()
        self.cloud_online = False
        self.dropped = 0
        conn.subscribe(topics.CLOUD_AVAILABILITY, self._cloud_availability)
        conn.subscribe(topics.CLOUD_INFO, self._cloud_info)
        conn.subscribe(topics.CLOUD_CLOCK, self._clock)
        conn.subscribe(topics.vehicle(vin, topics.SESSION), self._session)
        conn.subscribe(topics.vehicle(vin, topics.EVENTS), self._event)
        conn.subscribe(topics.vehicle(vin, topics.HEADUNIT_RESPONSE), self._response)
        conn.on_connectivity(self._connectivity)

    @property
    def online(self) -> bool:
        return self.conn.connected and self.cloud_online

    # -------------------------------------------------------------- outgoing

    def request(self, message: m.Message,
                on_answer: Callable[[RequestAnswered], None] | None = None) -> None:
        """Publish ``message`` as an MQTT 5 request; its answer becomes a RequestAnswered for
        the session, or goes to ``on_answer`` when given (also "timeout")."""
        kind = message.type
        correlation = uuid.uuid4().bytes
        with self._lock:
            self._pending[correlation] = (kind, time.monotonic() + REQUEST_TIMEOUT)
            if on_answer is not None:
                self._callbacks[correlation] = on_answer
        props = properties(topics.vehicle(self.vin, topics.HEADUNIT_RESPONSE), correlation)
        self.conn.publish(topics.vehicle(self.vin, topics.HEADUNIT_REQUEST), m.encode(message),
                          props=props)

    def expire_requests(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [(c, kind) for c, (kind, deadline) in self._pending.items() if deadline <= now]
            for c, _ in late:
                del self._pending[c]
            callbacks = {c: self._callbacks.pop(c) for c, _ in late if c in self._callbacks}
        for c, kind in late:
            self._answered(c, RequestAnswered(kind, False, "timeout"), callbacks.get(c))

    # -------------------------------------------------------------- incoming

    def _drop(self, topic: str, reason: object) -> None:
        self.dropped += 1
        log.warning("dropped a message on %s: %s", topic, reason)

    def _connectivity(self, up: bool) -> None:
        if not up:
            self.cloud_online = False
        self._on_event(Connectivity(self.online))

    def _cloud_availability(self, topic: str, payload: bytes, props: object) -> None:
        try:
            state = m.decode_availability(payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        was, self.cloud_online = self.cloud_online, state == "online"
        if self.cloud_online and not was:
            self.request(self._hello())
        self._on_event(Connectivity(self.online))

    def _cloud_info(self, topic: str, payload: bytes, props: object) -> None:
        if not payload:
            return
        try:
            info = m.decode(m.CLOUD_INFO, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        self._on_cloud_info(info)

    def _clock(self, topic: str, payload: bytes, props: object) -> None:
        if not payload:
            return
        try:
            c = m.decode(m.CLOCK, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        self._on_clock(ClockSpec(c.anchor_real, c.anchor_sim, c.scale))

    def _session(self, topic: str, payload: bytes, props: object) -> None:
        if not payload:
            return  # cleared retained state: nothing to follow until the cloud republishes
        try:
            s = m.decode(m.SESSION, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        if s.vin != self.vin:
            return self._drop(topic, f"session for VIN {s.vin} on the topic of {self.vin}")
        self._on_event(CloudSession(s))

    def _event(self, topic: str, payload: bytes, props: object) -> None:
        try:
            e = m.decode(m.EVENT, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        if isinstance(e, m.Scanned):
            self._on_event(ScanStarted(e.scan_id, e.purpose, e.expires))
        elif isinstance(e, m.ScanClosed):
            self._on_event(ScanEnded(e.scan_id, e.outcome))
        elif isinstance(e, m.Notice):
            self._on_event(NoticeReceived(e.code, tuple(sorted(e.params.items()))))

    def _response(self, topic: str, payload: bytes, props: object) -> None:
        correlation = getattr(props, "CorrelationData", None)
        with self._lock:
            pending = self._pending.pop(correlation, None) if correlation else None
            callback = self._callbacks.pop(correlation, None) if correlation else None
        if pending is None:
            return self._drop(topic, "a response without a matching request")
        try:
            r = m.decode(m.RESPONSE, payload)
        except m.ProtocolError as exc:
            self._answered(correlation, RequestAnswered(pending[0], False, "internal"), callback)
            return self._drop(topic, exc)
        error = r.error.code if r.error else None
        self._answered(correlation, RequestAnswered(pending[0], r.status == "ok", error),
                       callback)

    def _answered(self, correlation: bytes, answer: RequestAnswered,
                  callback: Callable[[RequestAnswered], None] | None) -> None:
        if callback is None:
            self._on_event(answer)
            return
        try:
            callback(answer)
        except Exception:
            log.exception("the handler of a %s answer failed", answer.request)
