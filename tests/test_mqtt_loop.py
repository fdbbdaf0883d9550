"""One network thread for many MQTT connections (headunit/mqtt_loop.py), against a real
mosquitto: connections come up, subscribe, exchange messages, come back after the broker
restarts, and say "offline" when detached."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from headunit.mqtt import MqttConnection
from headunit.mqtt_loop import NetworkLoop
from tests.support.brokers import Mosquitto

pytestmark = pytest.mark.integration


def wait_until(pred, timeout: float = 20.0, what: str = "the condition") -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.02)


def test_fifty_connections_on_one_thread_exchange_messages(mosquitto) -> None:
    threads_before = threading.active_count()
    loop = NetworkLoop().start()
    got: dict[str, list[bytes]] = {}
    lock = threading.Lock()
    conns = []
    for i in range(50):
        c = MqttConnection(mosquitto.url, f"loop-test-{i}", loop=loop)
        got[c.client_id] = []

        def handler(topic: str, payload: bytes, props: object, cid: str = c.client_id) -> None:
            with lock:
                got[cid].append(payload)

        c.subscribe(f"looptest/{i}", handler)
        c.start()
        conns.append(c)
    try:
        assert threading.active_count() == threads_before + 1  # the loop's one thread
        wait_until(lambda: all(c.connected for c in conns), what="50 connections")
        time.sleep(0.3)  # the SUBSCRIBEs are on their way with the CONNACK's answer
        for i in range(len(conns)):  # each one publishes to its neighbour
            conns[(i + 1) % 50].publish(f"looptest/{i}", f"hello {i}".encode())
        wait_until(lambda: all(got[c.client_id] for c in conns), what="every message")
        assert got["loop-test-7"] == [b"hello 7"]
    finally:
        for c in conns:
            c.stop()
        loop.stop()


def test_connections_come_back_after_the_broker_restarts(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "mq").start()
    loop = NetworkLoop().start()
    ups: list[bool] = []
    c = MqttConnection(broker.url, "loop-restart", loop=loop, min_backoff=0.1, max_backoff=0.5)
    c.on_connectivity(ups.append)
    received: list[bytes] = []
    c.subscribe("looptest/restart", lambda t, p, props: received.append(p))
    c.start()
    try:
        wait_until(lambda: c.connected, what="the first connection")
        broker.kill9()
        wait_until(lambda: not c.connected, what="noticing the broker is gone")
        broker.start()
        wait_until(lambda: c.connected, what="the reconnection")
        assert ups[:3] == [True, False, True]
        time.sleep(0.3)
        c.publish("looptest/restart", b"after")  # its subscription came back too
        wait_until(lambda: received == [b"after"], what="a message after the restart")
    finally:
        c.stop()
        loop.stop()
        broker.stop()


def test_a_detached_connection_says_offline(mosquitto) -> None:
    loop = NetworkLoop().start()
    watcher = MqttConnection(mosquitto.url, "loop-watcher", loop=loop)
    seen: list[bytes] = []
    watcher.subscribe("looptest/avail", lambda t, p, props: seen.append(p))
    car = MqttConnection(mosquitto.url, "loop-car", loop=loop,
                         availability_topic="looptest/avail")
    watcher.start()
    try:
        wait_until(lambda: watcher.connected, what="the watcher's connection")
        time.sleep(0.2)
        car.start()
        wait_until(lambda: seen[-1:] == [b"online"], what="online")
        car.stop()
        wait_until(lambda: seen[-1:] == [b"offline"], what="offline after stop()")
    finally:
        watcher.stop()
        loop.stop()


def test_timers_run_on_the_loop_thread_on_a_steady_grid() -> None:
    loop = NetworkLoop().start()
    ticks: list[float] = []
    names: set[str] = set()

    def tick() -> None:
        ticks.append(time.monotonic())
        names.add(threading.current_thread().name)

    handle = loop.call_every(0.05, tick)
    try:
        wait_until(lambda: len(ticks) >= 10, what="ten ticks")
        handle.cancel()
        n = len(ticks)
        time.sleep(0.2)
        assert len(ticks) <= n + 1  # a cancelled timer stops
        assert names == {loop.name}
    finally:
        loop.stop()
