"""A mosquitto configuration for a fleet: many clients, QoS 1 traffic that must not be lost.

Mosquitto's defaults suit a few clients: it keeps at most 1000 QoS 1 messages queued for a
client (``max_queued_messages``) and drops the rest, and the cloud is *one* client that
receives every car's status. So the queue is raised far above what a fleet can have
outstanding, more messages may be in flight to a client at once, and Nagle's algorithm is off
(without it every QoS 1 round trip waits for a delayed ACK). Mosquitto also needs a file
descriptor per client: raise its ``ulimit -n`` (systemd: ``LimitNOFILE``) above twice the
number of cars.
"""

from __future__ import annotations

from pathlib import Path


def mosquitto_config(port: int, *, host: str = "127.0.0.1", log_file: Path | None = None) -> str:
    return (
        f"# mosquitto for ismart-fleet (local load tests: anonymous clients on {host})\n"
        f"listener {port} {host}\n"
        "allow_anonymous true\n"
        "persistence false\n"
        "max_connections -1\n"
        "# the cloud is one client receiving every car's status: never drop its QoS 1 queue\n"
        "max_queued_messages 1000000\n"
        "max_inflight_messages 1000\n"
        "# without it every QoS 1 round trip waits ~40 ms for a delayed ACK\n"
        "set_tcp_nodelay true\n"
        + (f"log_dest file {log_file}\n" if log_file else "log_dest stderr\n")
        + "log_type error\nlog_type warning\n")
