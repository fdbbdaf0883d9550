"""The embedded MQTT 5 broker that ``ismart-demo`` runs when no broker is given.

It is rumqttd (Rust, from the ``iotcore`` wheel), which speaks MQTT 5 with the properties
this system relies on (response topic, correlation data), retained messages and Last Wills.
``iotcore`` runs it as a child process that exits with ours. (amqtt, the pure-Python
alternative, speaks only MQTT 3.1.1 and refuses MQTT 5 clients.)
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from .netutil import free_port

log = logging.getLogger(__name__)

CONFIG = """\
id = 0

[router]
id = 0
max_connections = 20010
max_outgoing_packet_count = 1000
max_segment_size = 104857600
max_segment_count = 10

[v5.1]
name = "ismart-v5"
listen = "{host}:{port}"
next_connection_delay_ms = 1

[v5.1.connections]
connection_timeout_ms = 60000
max_payload_size = {max_payload}
max_inflight_count = 500
dynamic_filters = true
"""


class EmbeddedBroker:
    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 max_payload: int = 2 * 1024 * 1024) -> None:
        self.host = host
        self.port = port or free_port(host if host != "0.0.0.0" else "127.0.0.1")
        self.max_payload = max_payload
        self._dir = tempfile.TemporaryDirectory(prefix="ismart-broker-")
        self._broker = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"mqtt://{host}:{self.port}"

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        from iotcore import Broker

        config = Path(self._dir.name) / "rumqttd.toml"
        config.write_text(CONFIG.format(host=self.host, port=self.port,
                                        max_payload=self.max_payload))
        self._broker = Broker(config_path=str(config))
        self._broker.start(timeout=timeout)
        log.info("embedded MQTT 5 broker listening on %s", self.url)
        return self

    def stop(self) -> None:
        if self._broker is not None:
            self._broker.stop()
            self._broker = None
        self._dir.cleanup()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="ismart-broker",
                                 description="Run the embedded MQTT 5 broker on its own.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    args = ap.parse_args(argv)
    with EmbeddedBroker(args.host, args.port) as b:
        print(f"MQTT 5 broker on {b.url}; Ctrl-C stops it", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
