"""One network thread for many MQTT connections: paho clients driven over one selector.

``MqttConnection(..., loop=NetworkLoop)`` hands its paho client to the loop instead of giving
it a thread of its own (``loop_start``). The loop watches every client's socket with one
``selectors`` selector (epoll on Linux) through paho's external-event-loop callbacks
(``on_socket_open/close/register_write/unregister_write``) and calls ``loop_read``,
``loop_write`` and ``loop_misc`` itself. It connects clients a few at a time (a fleet of
thousands must not flood the broker's accept queue), reconnects a lost one with exponential
backoff, and runs timers, so a fleet of cars needs one thread, not one per car.

Every paho callback, timer and ``call_soon`` function runs on the loop's thread. Publishing
from another thread is allowed (paho's queue is thread-safe); the loop is woken to write it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as paho

if TYPE_CHECKING:
    from .mqtt import MqttConnection

log = logging.getLogger(__name__)

CONNECTS_PER_TURN = 64  # new TCP connections opened per turn of the loop
MAX_CONNECTING = 512  # connections waiting for their CONNACK at once
MISC_INTERVAL = 1.0  # seconds between loop_misc (keepalive) of one client


@dataclass(eq=False)
class _Entry:
    conn: MqttConnection
    delay: float
    connecting: bool = False
    stopping: bool = False
    retry: Timer | None = None


@dataclass(order=True)
class Timer:
    when: float
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class NetworkLoop:
    """Drives many paho clients from one thread. ``start()`` it, ``attach`` connections."""

    def __init__(self, name: str = "mqtt-loop") -> None:
        self.name = name
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._entries: dict[paho.Client, _Entry] = {}
        self._to_connect: deque[_Entry] = deque()
        self._connecting = 0
        self._soon: deque[Callable[[], Any]] = deque()
        self._dirty: deque[paho.Client] = deque()
        self._timers: list[Timer] = []
        self._seq = itertools.count()
        self._misc_cursor: list[paho.Client] = []
        self._misc_credit = 0.0
        self._misc_last = time.monotonic()
        self._thread: threading.Thread | None = None
        self._running = False
        self.turns = 0  # how many times the loop went round (for tests and the curious)

    # -------------------------------------------------------------- life

    def start(self) -> NetworkLoop:
        self._running = True
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Disconnect what is still attached (no goodbye: their Last Wills stay unsent, as
        on a clean disconnect) and stop the thread."""

        def close_all() -> None:
            for client, entry in list(self._entries.items()):
                entry.stopping = True
                try:
                    client.disconnect()
                    self._flush(client)
                except Exception:  # noqa: BLE001 - closing anyway
                    log.debug("closing %s failed", entry.conn.client_id, exc_info=True)
            self._entries.clear()
            self._running = False

        if self._thread is None or not self._thread.is_alive():
            self._running = False
        elif self.on_loop_thread:
            close_all()
        else:
            self.call_soon(close_all)
            self._thread.join(timeout)
        self._sel.close()
        self._wake_r.close()
        self._wake_w.close()

    @property
    def on_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    # -------------------------------------------------------------- scheduling

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop's thread, soon (safe from any thread)."""
        self._soon.append(lambda: fn(*args))
        if not self.on_loop_thread:
            self._wake()

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        """Run ``fn(*args)`` on the loop's thread after ``delay`` seconds; cancellable."""
        timer = Timer(time.monotonic() + delay, next(self._seq), lambda: fn(*args))
        if self.on_loop_thread:
            heapq.heappush(self._timers, timer)
        else:
            self.call_soon(heapq.heappush, self._timers, timer)
        return timer

    def call_every(self, period: float, fn: Callable[[], Any], *, first: float = 0.0) -> Timer:
        """Run ``fn()`` every ``period`` seconds (first after ``first``), on a steady grid:
        a late turn does not shift the following ones. Cancel the returned timer to stop."""
        start = time.monotonic() + first
        handle = Timer(start, -1, fn)

        def run(n: int) -> None:
            if handle.cancelled:
                return
            try:
                fn()
            finally:
                nxt = start + (n + 1) * period
                if nxt < time.monotonic():  # far behind: skip the missed turns
                    n = int((time.monotonic() - start) / period)
                    nxt = start + (n + 1) * period
                self._push(nxt, lambda: run(n + 1))

        self.call_later(first, run, 0)
        return handle

    def _push(self, when: float, fn: Callable[[], Any]) -> None:
        heapq.heappush(self._timers, Timer(when, next(self._seq), fn))

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass

    # -------------------------------------------------------------- connections

    def attach(self, conn: MqttConnection) -> None:
        """Connect ``conn``'s client from this loop (and keep it connected until detached)."""
        c = conn.client
        c.on_socket_open = self._socket_open
        c.on_socket_close = self._socket_close
        c.on_socket_register_write = self._register_write
        c.on_socket_unregister_write = self._unregister_write

        def add() -> None:
            entry = _Entry(conn, conn.min_backoff)
            self._entries[c] = entry
            self._to_connect.append(entry)

        self.call_soon(add)

    def detach(self, conn: MqttConnection, goodbye: Callable[[], Any] | None = None,
               timeout: float = 3.0) -> None:
        """Stop reconnecting ``conn``; run ``goodbye()`` (e.g. publish ``offline``), write
        what is queued, then disconnect. Waits up to ``timeout`` when called off the loop."""
        done = threading.Event()

        def close() -> None:
            entry = self._entries.get(conn.client)
            try:
                if entry is not None:
                    entry.stopping = True
                    if entry.retry is not None:
                        entry.retry.cancel()
                if goodbye is not None and conn.client.is_connected():
                    goodbye()
                conn.client.disconnect()
                self._flush(conn.client)
            finally:
                self._entries.pop(conn.client, None)
                done.set()

        if self.on_loop_thread:
            close()
        else:
            self.call_soon(close)
            done.wait(timeout)

    @property
    def clients(self) -> int:
        return len(self._entries)

    def _connect(self, entry: _Entry) -> None:
        if entry.stopping or self._entries.get(entry.conn.client) is not entry:
            return
        entry.retry = None
        try:
            rc = entry.conn.client.reconnect()
        except OSError as exc:
            log.debug("cannot connect %s: %s", entry.conn.client_id, exc)
            return self._retry(entry)
        if rc != paho.MQTT_ERR_SUCCESS:
            return self._retry(entry)
        entry.connecting = True
        self._connecting += 1

    def _retry(self, entry: _Entry) -> None:
        if entry.stopping:
            return
        delay = entry.delay
        entry.delay = min(entry.delay * 2, entry.conn.max_backoff)
        entry.retry = self.call_later(delay, self._to_connect.append, entry)

    def connected(self, conn: MqttConnection) -> None:
        """Called by the connection on its CONNACK: reset the backoff."""
        entry = self._entries.get(conn.client)
        if entry is not None:
            entry.delay = conn.min_backoff
            if entry.connecting:
                entry.connecting = False
                self._connecting -= 1

    # -------------------------------------------------------------- paho's socket callbacks

    def _socket_open(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._sel.register(sock, selectors.EVENT_READ, client)

    def _socket_close(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        try:
            self._sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        entry = self._entries.get(client)
        if entry is None:
            return
        if entry.connecting:
            entry.connecting = False
            self._connecting -= 1
        if not entry.stopping and self._running:
            self._retry(entry)

    def _register_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._dirty.append(client)
        if not self.on_loop_thread:
            self._wake()

    def _unregister_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        try:
            key = self._sel.get_key(sock)
        except (KeyError, ValueError):
            return
        if key.events & selectors.EVENT_WRITE:
            self._sel.modify(sock, selectors.EVENT_READ, client)

    def _flush(self, client: paho.Client) -> None:
        """Write what ``client`` has queued; watch for writability if the socket is full."""
        if client.loop_write() != paho.MQTT_ERR_SUCCESS:
            return
        sock = client.socket()
        if sock is not None and client.want_write():
            try:
                self._sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, client)
            except (KeyError, ValueError):
                pass

    # -------------------------------------------------------------- the loop

    def _run(self) -> None:
        while self._running:
            try:
                self._turn()
            except Exception:
                log.exception("network loop turn failed; carrying on")

    def _turn(self) -> None:
        self.turns += 1
        if self._soon or self._dirty:
            timeout = 0.0
        elif self._timers:
            timeout = min(max(self._timers[0].when - time.monotonic(), 0.0), 0.05)
        else:
            timeout = 0.05
        for key, mask in self._sel.select(timeout):
            client = key.data
            if client is None:
                try:
                    while self._wake_r.recv(4096):
                        pass
                except (BlockingIOError, OSError):
                    pass
                continue
            if mask & selectors.EVENT_READ:
                client.loop_read()
                # TLS: bytes already decrypted wait in the socket, unseen by the selector
                sock = client.socket()
                for _ in range(64):
                    if sock is None or not getattr(sock, "pending", None) or not sock.pending():
                        break
                    client.loop_read()
                    sock = client.socket()
            if mask & selectors.EVENT_WRITE and client.socket() is not None:
                client.loop_write()
        for _ in range(len(self._soon)):
            self._soon.popleft()()
        now = time.monotonic()
        while self._timers and self._timers[0].when <= now:
            timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.fn()
        self._open_connections()
        self._misc(now)
        while self._dirty:
            client = self._dirty.popleft()
            if client.socket() is not None:
                self._flush(client)

    def _open_connections(self) -> None:
        budget = CONNECTS_PER_TURN
        while self._to_connect and budget and self._connecting < MAX_CONNECTING:
            self._connect(self._to_connect.popleft())
            budget -= 1

    def _misc(self, now: float) -> None:
        """``loop_misc`` (keepalive pings, a dead broker noticed) for a share of the clients
        each turn, so that every client gets one about every MISC_INTERVAL seconds."""
        total = len(self._entries)
        self._misc_credit += total * (now - self._misc_last) / MISC_INTERVAL
        self._misc_last = now
        self._misc_credit = min(self._misc_credit, float(total))
        n = int(self._misc_credit)
        if n <= 0:
            return
        self._misc_credit -= n
        for _ in range(n):
            if not self._misc_cursor:
                self._misc_cursor = list(self._entries)
            client = self._misc_cursor.pop()
            if client in self._entries and client.socket() is not None:
                client.loop_misc()
