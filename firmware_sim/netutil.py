"""Small network helpers: free ports, host:port parsing, the machine's LAN address."""

from __future__ import annotations

import random
import socket


def _ephemeral_range() -> tuple[int, int]:
    try:
        lo, hi = open("/proc/sys/net/ipv4/ip_local_port_range").read().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, chosen BELOW the kernel's ephemeral range.

    A server that is killed and restarted on the same port (the tests do this to brokers and
    clouds) could otherwise find its port taken by the local end of some outgoing connection,
    which the kernel picks from the ephemeral range.
    """
    lo, _ = _ephemeral_range()
    candidates = list(range(10000, lo)) if lo > 11000 else []
    random.shuffle(candidates)
    for port in candidates[:200]:
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # no room below the range: let the kernel choose
        s.bind((host, 0))
        return s.getsockname()[1]


def parse_host_port(text: str, default_port: int) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, default_port
    try:
        return host or "127.0.0.1", int(port)
    except ValueError:
        raise ValueError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8080)") from None


def lan_address() -> str:
    """The address other machines on the LAN reach this one at (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def bind_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}; "
                      "choose another port with --http HOST:PORT") from None
    sock.listen(128)
    return sock
