"""A running cloud simulator: service, MQTT side, HTTP server and the sweeper, together.

``ismart-cloud serve`` runs one in the foreground; ``ismart-demo`` runs one in threads.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from headunit.clock import ScaledClock
from headunit.mqtt import MqttConnection, TlsFiles
from headunit.protocol import topics

from ..netutil import bind_socket, lan_address
from . import storage
from .car_commands import CommandDesk
from .http_api import create_app
from .mqtt_side import CloudMqtt, ConnPublisher
from .ratelimit import AbuseLimits
from .service import CloudService, CloudSettings
from .vehicles import VehicleRelay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CloudConfig:
    broker: str = "mqtt://127.0.0.1:1883"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_url: str | None = None
    data_dir: Path = Path("var/cloud")
    demo: bool = False
    kdf_profile: str = "owasp"
    admin_token: str | None = None
    dealer_token: str | None = None
    time_scale: float = 1.0
    tls: TlsFiles | None = None
    trusted_sources: tuple[str, ...] = ()  # client addresses not limited per source
    kiosk_vins: tuple[str, ...] = ()  # kiosk (demo) cars their head units may reset


class CloudRuntime:
    def __init__(self, config: CloudConfig) -> None:
        self.config = config
        self.sock: socket.socket = bind_socket(config.http_host, config.http_port)
        port = self.sock.getsockname()[1]
        host = config.http_host
        if host in ("0.0.0.0", "::", ""):
            host = lan_address()
        self.http_url = f"http://{host}:{port}"
        self.public_url = (config.public_url or self.http_url).rstrip("/")
        self.clock = ScaledClock(config.time_scale)
        self.conn = MqttConnection(config.broker, "ismart-cloud",
                                   availability_topic=topics.CLOUD_AVAILABILITY, tls=config.tls,
                                   max_inflight=1000, max_queued=1_000_000)  # fleets: issue 9
        self.service = CloudService(
            CloudSettings(Path(config.data_dir) / "cloud.sqlite3", self.public_url,
                          demo=config.demo, kdf_profile=config.kdf_profile),
            self.clock, ConnPublisher(self.conn))
        if config.trusted_sources:
            self.service.limits = AbuseLimits(
                trusted_sources=frozenset(f"ip:{a}" for a in config.trusted_sources))
        if config.kiosk_vins:
            from .kiosk import mark
            for vin in config.kiosk_vins:
                mark(self.service, vin, by="serve")
        self.mqtt = CloudMqtt(self.conn, self.service)
        self.vehicles = VehicleRelay(self.conn, self.service)
        self.car_commands = CommandDesk(self.conn, self.vehicles)
        self.app = create_app(self.service, admin_token=config.admin_token,
                              dealer_token=config.dealer_token, relay=self.vehicles,
                              desk=self.car_commands)
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning",
                                                    access_log=False, lifespan="off"))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start_background(self) -> None:
        """Connect to the broker and start the sweeper (not the HTTP server)."""
        self.conn.start()
        t = threading.Thread(target=self._sweep_loop, name="cloud-sweeper", daemon=True)
        t.start()
        self._threads.append(t)

    def serve_http(self) -> None:
        """Serve HTTP on this thread until :meth:`stop`."""
        self.server.run(sockets=[self.sock])

    def serve_http_in_thread(self) -> None:
        t = threading.Thread(target=self.serve_http, name="cloud-http", daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        self.server.should_exit = True
        self.conn.stop()
        self.mqtt.close()
        self.service.close()

    def _sweep_loop(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.service.sweep()
            except sqlite3.OperationalError as exc:
                storage.refusal(exc)  # logs once per cause; the sweep runs again later
            except Exception:
                log.exception("sweep failed")
