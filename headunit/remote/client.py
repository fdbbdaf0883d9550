"""A small Python client for the head unit's remote control (stdlib only)::

    rc = RemoteClient("http://127.0.0.1:8765/", token)
    rc.tap(id="home.user")
    rc.state()["state"]           # 'no_user'
    rc.screenshot("/tmp/hu.png")

Every method returns the JSON-RPC result; a refusal raises :class:`RemoteError` with the
code and message the head unit gave. Rigs also get the car's properties and faults of the
head unit's connection here; the cloud's clock and refusals are in :mod:`.cloud_admin`.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any


class RemoteError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.data = code, message, data


class RemoteClient:
    def __init__(self, url: str, token: str | None, *, timeout: float = 30.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method,
                           "params": params}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                answer = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read())
            except ValueError:
                raise RemoteError(exc.code, f"HTTP {exc.code} {exc.reason}") from None
        if "error" in answer:
            e = answer["error"]
            raise RemoteError(e.get("code", 0), e.get("message", ""), e.get("data"))
        return answer["result"]

    # ------------------------------------------------------------ the methods

    def widgets(self, *, measure: bool = False) -> dict[str, Any]:
        return self.call("widgets", measure=measure)

    def tap(self, id: str | None = None, *, text: str | None = None) -> dict[str, Any]:
        return self.call("tap", **({"id": id} if id else {}), **({"text": text} if text else {}))

    def type(self, text: str) -> dict[str, Any]:
        return self.call("type", text=text)

    def state(self) -> dict[str, Any]:
        return self.call("state")

    def screenshot(self, path: str) -> dict[str, Any]:
        """Save the next drawn frame as PNG; returns its path and what it shows (state, qr)."""
        return self.call("screenshot", path=path)

    def frames(self) -> dict[str, int]:
        return self.call("frames")

    def set_language(self, lang: str) -> dict[str, Any]:
        return self.call("set_language", lang=lang)

    def set_theme(self, theme: str) -> dict[str, Any]:
        return self.call("set_theme", theme=theme)

    def set_size(self, width: int, height: int) -> dict[str, Any]:
        return self.call("set_size", width=width, height=height)

    def go(self, screen: str) -> dict[str, Any]:
        return self.call("go", screen=screen)

    def tap_at(self, x: float, y: float) -> dict[str, Any]:
        """A touch at window pixel (x, y), origin bottom left (e.g. the kiosk's admin corner)."""
        return self.call("tap_at", x=x, y=y)

    def read_qr(self) -> dict[str, Any]:
        """The QR code on screen, decoded by the head unit from a drawn frame's pixels (as a
        phone's camera reads it): ``{"text": content or None, "codes": how many, "shown":
        the code the car means to show, "state", "screen"}``."""
        return self.call("read_qr")

    # ------------------------------------------------------------ the car (car/admin)

    def vehicle_get(self, path: str) -> Any:
        """A property of the car by its status path, e.g. ``doors.driver``."""
        return self.call("vehicle_get", path=path)["value"]

    def vehicle_set(self, path: str, value: Any) -> dict[str, Any]:
        return self.call("vehicle_set", path=path, value=value)

    def vehicle_status(self) -> dict[str, Any]:
        return self.call("vehicle_status")

    def vehicle_props(self) -> dict[str, Any]:
        return self.call("vehicle_props")

    # ------------------------------------------------------------ faults of the connection

    def drop_broker(self) -> dict[str, Any]:
        """Cut the head unit's broker connection (no reconnect until restore_broker)."""
        return self.call("drop_broker")

    def restore_broker(self) -> dict[str, Any]:
        return self.call("restore_broker")

    def message_fault(self, direction: str, action: str, *, topic: str = "#",
                      seconds: float = 0.0, count: int | None = None) -> dict[str, Any]:
        """Delay or drop the head unit's messages: ``direction`` in | out | both, ``action``
        drop | delay (by ``seconds``), on ``topic`` (an MQTT filter), for the next ``count``
        matching messages or until cleared."""
        return self.call("message_fault", direction=direction, action=action, topic=topic,
                         seconds=seconds, count=count)

    def clear_message_faults(self) -> dict[str, Any]:
        return self.call("clear_message_faults")

    def faults(self) -> dict[str, Any]:
        return self.call("faults")

    # ------------------------------------------------------------ helpers

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 20.0,
                 what: str = "a matching state") -> dict[str, Any]:
        """Poll :meth:`state` until ``pred(state)``; AssertionError with the last state."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            last = self.state()
            if pred(last):
                return last
            time.sleep(0.1)
        raise AssertionError(f"no {what} within {timeout} s; last state: "
                             f"{ {k: last.get(k) for k in ('screen', 'panel', 'state', 'online')} }")

    def find(self, rc_id: str) -> dict[str, Any] | None:
        for w in self.widgets()["widgets"]:
            if w["id"] == rc_id:
                return w
        return None
