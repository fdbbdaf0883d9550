"""A small, safe shell around a paho-mqtt 2.x client (MQTT 5), shared by every process.

- subscriptions are declared once and made again in ``on_connect``, so they come back after
  every reconnect;
- reconnects back off exponentially (``reconnect_delay_set``);
- a retained availability topic with a Last Will ``offline``, ``online`` on every connect and
  an explicit ``offline`` before a clean shutdown (a Will is not sent on a clean disconnect);
- every message handler runs inside a guard: an exception is logged, never kills the loop;
- for test rigs, off unless enabled: a fault layer (:mod:`.mqtt_faults`) that delays or drops
  messages, and :meth:`MqttConnection.drop_connection` / :meth:`~MqttConnection.restore_connection`.

paho calls back on its own thread; whoever registers a handler must hand work to its own
thread if it needs one (the Kivy UI does, through the Kivy clock). With ``loop=`` a
:class:`~headunit.mqtt_loop.NetworkLoop` drives the client instead of a thread of its own
(a fleet of cars shares one network thread).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from .mqtt_faults import FaultLayer

if TYPE_CHECKING:
    from .mqtt_loop import NetworkLoop

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes, "Properties | None"], None]


@dataclass(frozen=True)
class BrokerUrl:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @property
    def tls(self) -> bool:
        return self.scheme == "mqtts"

    @classmethod
    def parse(cls, url: str) -> BrokerUrl:
        """``mqtt://[user:pass@]host[:port]`` or ``mqtts://...``; ValueError says what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise ValueError(f"broker URL {url!r} must start with mqtt:// or mqtts://")
        if not parts.hostname:
            raise ValueError(f"broker URL {url!r} has no host; write e.g. mqtt://127.0.0.1:1883")
        try:
            port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        except ValueError:
            raise ValueError(f"broker URL {url!r} has a port that is not a number") from None
        return cls(parts.scheme, parts.hostname, port,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class TlsFiles:
    ca: str
    cert: str | None = None
    key: str | None = None


def properties(response_topic: str | None = None, correlation: bytes | None = None) -> Properties:
    p = Properties(PacketTypes.PUBLISH)
    if response_topic is not None:
        p.ResponseTopic = response_topic
    if correlation is not None:
        p.CorrelationData = correlation
    return p


def _no_delay(client: paho.Client) -> None:
    """Turn Nagle's algorithm off: with QoS 1, a PUBACK followed by a PUBLISH otherwise waits
    for the peer's delayed ACK (40 ms on Linux) on every round trip."""
    sock = client.socket()
    try:
        if sock is not None and hasattr(sock, "setsockopt"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


def _held() -> paho.MQTTMessageInfo:
    """What publish returns for a message the fault layer dropped or holds back: as far as
    the sender can tell, it went out."""
    info = paho.MQTTMessageInfo(0)
    info.rc = paho.MQTT_ERR_SUCCESS
    info._set_as_published()
    return info


class MqttConnection:
    def __init__(self, url: BrokerUrl | str, client_id: str, *,
                 availability_topic: str | None = None, tls: TlsFiles | None = None,
                 min_backoff: float = 0.5, max_backoff: float = 15.0,
                 loop: NetworkLoop | None = None, keepalive: int = 15,
                 max_inflight: int = 20, max_queued: int = 10_000) -> None:
        self.url = BrokerUrl.parse(url) if isinstance(url, str) else url
        self.loop, self.keepalive = loop, keepalive  # loop: driven by a shared NetworkLoop
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.client_id = client_id
        self.availability_topic = availability_topic
        self._subs: list[tuple[str, int]] = []
        self._connectivity: list[Callable[[bool], None]] = []
        self._connected = threading.Event()
        self._stopping = False
        self.faults: FaultLayer | None = None  # rigs only: enable_faults()
        self.severed = False  # rigs only: drop_connection() until restore_connection()
        c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                        protocol=paho.MQTTv5)
        # QoS 1 messages on their way at once (paho's default 20 caps a busy publisher, e.g.
        # the cloud relaying a fleet's status, at 20 per round trip), and queued behind them
        c.max_inflight_messages_set(max_inflight)
        c.max_queued_messages_set(max_queued)
        c.reconnect_delay_set(min_delay=min_backoff, max_delay=max_backoff)
        if self.url.username:
            c.username_pw_set(self.url.username, self.url.password)
        if self.url.tls or tls is not None:
            if tls is None:
                raise ValueError(f"{self.url} needs TLS files: give --ca (and --cert/--key)")
            c.tls_set(ca_certs=tls.ca, certfile=tls.cert, keyfile=tls.key,
                      cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        if availability_topic:
            c.will_set(availability_topic, b"offline", qos=1, retain=True)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_unexpected
        self.client = c

    # -------------------------------------------------------------- set-up

    def subscribe(self, topic_filter: str, handler: Handler, qos: int = 1) -> None:
        """Call ``handler(topic, payload, properties)`` for messages matching ``topic_filter``."""
        self._subs.append((topic_filter, qos))
        self.client.message_callback_add(topic_filter, self._guard(handler))
        if self._connected.is_set():
            self.client.subscribe(topic_filter, qos=qos)

    def subscribe_message(self, topic_filter: str,
                          handler: Callable[[paho.MQTTMessage], None], qos: int = 1) -> None:
        """Like :meth:`subscribe`, but ``handler`` gets paho's whole message (e.g. to see its
        ``retain`` flag: a retained command must never be replayed as an action)."""
        self._subs.append((topic_filter, qos))

        def run(client, userdata, message) -> None:  # noqa: ANN001
            if self.faults is not None and self.faults.apply(
                    "in", message.topic, lambda: run_guarded(message)):
                return
            run_guarded(message)

        def run_guarded(message) -> None:  # noqa: ANN001
            try:
                handler(message)
            except Exception:
                log.exception("handler for %s failed; message dropped", message.topic)

        self.client.message_callback_add(topic_filter, run)
        if self._connected.is_set():
            self.client.subscribe(topic_filter, qos=qos)

    def on_connectivity(self, listener: Callable[[bool], None]) -> None:
        self._connectivity.append(listener)

    def start(self) -> None:
        """Connect in the background; keeps retrying until :meth:`stop`."""
        self.client.connect_async(self.url.host, self.url.port, keepalive=self.keepalive,
                                  clean_start=True)
        if self.loop is not None:
            self.loop.attach(self)
            return
        self.client.loop_start()

    def stop(self, timeout: float = 3.0) -> None:
        """Publish ``offline`` (when we have an availability topic) and disconnect cleanly."""
        self._stopping = True
        if self.loop is not None:
            topic = self.availability_topic
            self.loop.detach(self, (lambda: self.client.publish(topic, b"offline", qos=1,
                                                                retain=True)) if topic else None,
                             timeout)
            return
        if self._connected.is_set() and self.availability_topic:
            info = self.client.publish(self.availability_topic, b"offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError):
                pass
        self.client.disconnect()
        self.client.loop_stop()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                props: Properties | None = None) -> paho.MQTTMessageInfo:
        if self.faults is not None and self.faults.apply(
                "out", topic, lambda: self.client.publish(topic, payload, qos=qos, retain=retain,
                                                          properties=props)):
            return _held()
        return self.client.publish(topic, payload, qos=qos, retain=retain, properties=props)

    # -------------------------------------------------------------- faults (test rigs)

    def enable_faults(self) -> FaultLayer:
        """Turn the fault layer on (it stays on; with no rules it passes every message)."""
        if self.faults is None:
            self.faults = FaultLayer()
        return self.faults

    def drop_connection(self) -> None:
        """Cut the connection as a network failure would: no DISCONNECT (the broker sends the
        Last Will), and no reconnect until :meth:`restore_connection`."""
        if self.severed:
            return
        if self.loop is not None:
            raise RuntimeError("drop_connection() is for a connection with its own thread, "
                               "not one on a shared NetworkLoop")
        self.severed = True
        log.warning("fault injection: dropping the connection to %s", self.url)
        self.client.loop_stop()  # joins paho's network thread: nothing reconnects now
        sock = self.client.socket()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        was = self._connected.is_set()
        self._connected.clear()
        if was:
            self._tell(False)

    def restore_connection(self) -> None:
        """Reconnect after :meth:`drop_connection` (subscriptions come back in on_connect)."""
        if not self.severed:
            return
        self.severed = False
        log.warning("fault injection: restoring the connection to %s", self.url)
        self.client.loop_stop()
        self.client.connect_async(self.url.host, self.url.port, keepalive=self.keepalive,
                                  clean_start=True)
        self.client.loop_start()

    # -------------------------------------------------------------- paho callbacks

    def _on_connect(self, client, userdata, flags, reason_code, props) -> None:  # noqa: ANN001
        if reason_code.is_failure:
            log.warning("broker %s refused the connection: %s", self.url, reason_code)
            return
        log.info("connected to %s as %s", self.url, self.client_id)
        _no_delay(client)
        if self.loop is not None:
            self.loop.connected(self)
        for topic_filter, qos in self._subs:
            client.subscribe(topic_filter, qos=qos)
        if self.availability_topic:
            client.publish(self.availability_topic, b"online", qos=1, retain=True)
        self._connected.set()
        self._tell(True)

    def _on_disconnect(self, client, userdata, flags, reason_code, props) -> None:  # noqa: ANN001
        was = self._connected.is_set()
        self._connected.clear()
        if not self._stopping and not self.severed:
            log.warning("lost the broker %s (%s); reconnecting", self.url, reason_code)
        if was:
            self._tell(False)

    def _on_unexpected(self, client, userdata, message) -> None:  # noqa: ANN001
        log.debug("no handler for %s", message.topic)

    def _tell(self, up: bool) -> None:
        for listener in list(self._connectivity):
            try:
                listener(up)
            except Exception:
                log.exception("connectivity listener failed")

    def _guard(self, handler: Handler) -> Callable:
        def run(client, userdata, message) -> None:  # noqa: ANN001
            if self.faults is not None and self.faults.apply(
                    "in", message.topic, lambda: deliver(message)):
                return
            deliver(message)

        def deliver(message) -> None:  # noqa: ANN001
            try:
                handler(message.topic, message.payload,
                        getattr(message, "properties", None))
            except Exception:
                log.exception("handler for %s failed; message dropped", message.topic)
        return run
