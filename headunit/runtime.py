"""Builds a running head unit (identity, clock, controller, MQTT link) from settings.

Shared by the headless runner, the Kivy window and ``ismart-demo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .car_link import CarLink
from .clock import ScaledClock
from .controller import HeadUnit
from .identity import load_or_create
from .link import HeadUnitLink
from .mqtt import MqttConnection, TlsFiles
from .protocol import topics

if TYPE_CHECKING:
    from .mqtt_loop import NetworkLoop


@dataclass(frozen=True)
class HeadUnitSettings:
    broker: str = "mqtt://127.0.0.1:1883"
    data_dir: Path = Path("var/headunit")
    vin: str | None = None
    model: str | None = None
    public_url: str | None = None
    qr_period: float = 20.0
    qr_lifetime: float = 30.0
    tls: TlsFiles | None = None


def build(settings: HeadUnitSettings, *, loop: NetworkLoop | None = None) -> HeadUnit:
    """A head unit wired to its MQTT link, not yet connected (call ``hu.link.conn.start()``).
    With ``loop``, a shared network loop drives its MQTT client (``ismart-fleet``)."""
    identity = load_or_create(Path(settings.data_dir), settings.vin, settings.model)
    clock = ScaledClock()
    hu = HeadUnit(identity, Path(settings.data_dir), clock, public_url=settings.public_url,
                  qr_period=settings.qr_period, qr_lifetime=settings.qr_lifetime)
    conn = MqttConnection(
        settings.broker, f"headunit-{identity.vin}",
        availability_topic=topics.vehicle(identity.vin, topics.HEADUNIT_AVAILABILITY),
        tls=settings.tls, loop=loop)
    hu.link = HeadUnitLink(conn, identity.vin, hu.dispatch, hello=hu.hello,
                           on_clock=hu.adopt_clock, on_cloud_info=hu.adopt_cloud_info)
    hu.car_link = CarLink(conn, identity.vin, hu.dispatch_car)
    return hu
