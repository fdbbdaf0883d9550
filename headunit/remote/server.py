"""JSON-RPC 2.0 over HTTP, with a bearer token, in a thread (stdlib only, no Kivy).

``POST /`` with ``Authorization: Bearer TOKEN`` and a JSON-RPC request object; the answer is
a JSON-RPC response. Without the right token every call is refused (HTTP 401, JSON-RPC
error -32001) before the body is read. The methods are run by a ``call(method, params)``
function that the window supplies; it raises :class:`RpcError` for a refusal the caller can
act on (a ValueError becomes "invalid params").
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL = (
    -32700, -32600, -32601, -32602, -32603)
UNAUTHORIZED, UI_TIMEOUT = -32001, -32002


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


@dataclass(frozen=True)
class RemoteSettings:
    host: str
    port: int
    token: str

    @classmethod
    def parse(cls, address: str, token: str | None) -> RemoteSettings:
        """``HOST:PORT`` or ``PORT`` (then 127.0.0.1); ValueError says what is wrong."""
        if not token:
            raise ValueError("--remote-control needs a token: give --remote-token TOKEN "
                             "(or set ISMART_REMOTE_TOKEN)")
        if len(token) < 8:
            raise ValueError("the remote-control token must have at least 8 characters")
        host, sep, port_text = address.rpartition(":")
        if not sep:
            host, port_text = "127.0.0.1", address
        host = host.strip("[]") or "127.0.0.1"
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"--remote-control {address!r} is not HOST:PORT, e.g. "
                             "127.0.0.1:8765 (port 0 picks a free one)") from None
        if not 0 <= port <= 65535:
            raise ValueError(f"--remote-control port {port} is not between 0 and 65535")
        return cls(host, port, token)


Call = Callable[[str, dict[str, Any]], Any]


class RemoteServer:
    def __init__(self, settings: RemoteSettings, call: Call) -> None:
        self.settings, self._call = settings, call
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: Any) -> None:
                log.debug("remote control: " + fmt, *args)

            def do_GET(self) -> None:  # noqa: N802
                self._reply(405, _error(None, INVALID_REQUEST,
                                        "use POST / with a JSON-RPC 2.0 request"))

            def do_POST(self) -> None:  # noqa: N802
                if not server._authorized(self.headers.get("Authorization", "")):
                    self._reply(401, _error(None, UNAUTHORIZED,
                                            "unauthorized: send 'Authorization: Bearer TOKEN' "
                                            "with the token given to --remote-token"),
                                close=True)
                    return
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                except ValueError:
                    length = -1
                if not 0 < length <= MAX_BODY:
                    self._reply(400, _error(None, INVALID_REQUEST,
                                            f"a request needs a body of 1..{MAX_BODY} bytes "
                                            "with Content-Length"), close=True)
                    return
                body = self.rfile.read(length)
                self._reply(200, server.handle(body))

            def _reply(self, status: int, payload: dict[str, Any], close: bool = False) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer((settings.host, settings.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.1,),
                                        name="remote-control", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> RemoteServer:
        self._thread.start()
        if self.settings.host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("remote control listens on %s: anyone who can reach it and knows the "
                        "token can drive this head unit", self.url)
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.settings.token.encode())

    def handle(self, body: bytes) -> dict[str, Any]:
        """One JSON-RPC request (bytes) to its response object."""
        try:
            req = json.loads(body)
        except ValueError as exc:
            return _error(None, PARSE_ERROR, f"the body is not JSON: {exc}")
        if not isinstance(req, dict):
            return _error(None, INVALID_REQUEST, "send one JSON-RPC request object "
                                                 "(batches are not supported)")
        rid = req.get("id")
        if req.get("jsonrpc") != "2.0" or not isinstance(req.get("method"), str):
            return _error(rid, INVALID_REQUEST,
                          'a request is {"jsonrpc": "2.0", "method": ..., "params": {...}, '
                          '"id": ...}')
        params = req.get("params", {})
        if not isinstance(params, dict):
            return _error(rid, INVALID_PARAMS, "params must be an object of named parameters")
        try:
            result = self._call(req["method"], params)
        except RpcError as exc:
            return _error(rid, exc.code, exc.message, exc.data)
        except ValueError as exc:
            return _error(rid, INVALID_PARAMS, str(exc))
        except Exception as exc:  # a bug must not take the head unit down
            log.exception("remote-control method %s failed", req["method"])
            return _error(rid, INTERNAL, f"{type(exc).__name__}: {exc}")
        return {"jsonrpc": "2.0", "id": rid, "result": result}


def _error(rid: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": rid, "error": err}
