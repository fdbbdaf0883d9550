"""The remote control's HTTP side: JSON-RPC 2.0, refused without the bearer token."""

from __future__ import annotations

import json
import urllib.request

import pytest

from headunit.remote.client import RemoteClient, RemoteError
from headunit.remote.server import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    UNAUTHORIZED,
    RemoteServer,
    RemoteSettings,
    RpcError,
)

TOKEN = "a-test-token-123"


@pytest.fixture
def server():
    calls: list[tuple[str, dict]] = []

    def call(method: str, params: dict):
        calls.append((method, params))
        if method == "echo":
            return params
        if method == "bad":
            raise ValueError("width must be a number")
        raise RpcError(METHOD_NOT_FOUND, f"no method {method!r}")

    s = RemoteServer(RemoteSettings("127.0.0.1", 0, TOKEN), call).start()
    s.calls = calls
    yield s
    s.stop()


def test_a_call_with_the_token_is_answered(server):
    assert RemoteClient(server.url, TOKEN).call("echo", a=1) == {"a": 1}
    assert server.calls == [("echo", {"a": 1})]


@pytest.mark.parametrize("token", [None, "wrong-token-1234", TOKEN + "x", ""])
def test_every_call_without_the_right_token_is_refused_and_never_reaches_the_ui(server, token):
    with pytest.raises(RemoteError) as err:
        RemoteClient(server.url, token).call("echo", a=1)
    assert err.value.code == UNAUTHORIZED and "Bearer" in err.value.message
    assert server.calls == []


def test_errors_say_what_was_wrong(server):
    rc = RemoteClient(server.url, TOKEN)
    with pytest.raises(RemoteError) as err:
        rc.call("nope")
    assert err.value.code == METHOD_NOT_FOUND
    with pytest.raises(RemoteError) as err:
        rc.call("bad")
    assert (err.value.code, err.value.message) == (INVALID_PARAMS, "width must be a number")


def raw(server, body: bytes) -> dict:
    req = urllib.request.Request(server.url, data=body, method="POST", headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.mark.parametrize("body,code", [
    (b"{not json", PARSE_ERROR),
    (b"[]", INVALID_REQUEST),
    (b'{"jsonrpc": "1.0", "method": "echo", "id": 1}', INVALID_REQUEST),
    (b'{"jsonrpc": "2.0", "method": "echo", "params": [1], "id": 1}', INVALID_PARAMS),
])
def test_malformed_requests_get_json_rpc_errors(server, body, code):
    assert raw(server, body)["error"]["code"] == code
    assert server.calls == []


@pytest.mark.parametrize("address,token,message", [
    ("127.0.0.1:8765", None, "needs a token"),
    ("127.0.0.1:8765", "short", "at least 8"),
    ("127.0.0.1:http", TOKEN, "is not HOST:PORT"),
    ("127.0.0.1:70000", TOKEN, "not between 0 and 65535"),
])
def test_bad_settings_are_refused_with_a_reason(address, token, message):
    with pytest.raises(ValueError, match=message):
        RemoteSettings.parse(address, token)


def test_a_bare_port_listens_on_localhost_only():
    assert RemoteSettings.parse("8765", TOKEN) == RemoteSettings("127.0.0.1", 8765, TOKEN)
