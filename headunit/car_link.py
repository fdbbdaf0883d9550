"""The head unit's MQTT side for the car: the relayed status and the car's availability in,
the driver's commands out (MQTT 5 requests to the cloud) and their results in.

Every payload is validated on receipt; a bad one is logged and dropped. Valid ones become
:mod:`headunit.car` events handed to ``on_event`` (on paho's thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .car import CarAvailability, CarEvent, CommandAnswered, StatusReceived
from .mqtt import MqttConnection, properties
from .protocol import messages as m
from .protocol import topics
from .protocol import vehicle as pv

log = logging.getLogger(__name__)


class CarLink:
    def __init__(self, conn: MqttConnection, vin: str,
                 on_event: Callable[[CarEvent], None]) -> None:
        self.conn, self.vin, self._on_event = conn, vin, on_event
        self.dropped = 0
        conn.subscribe(topics.vehicle(vin, topics.STATUS), self._status)
        conn.subscribe(topics.vehicle(vin, topics.CAR_AVAILABILITY), self._availability)
        conn.subscribe(topics.vehicle(vin, topics.HEADUNIT_CAR_RESULT), self._result)

    def send(self, command: pv.CarCommand) -> None:
        self.conn.publish(
            topics.vehicle(self.vin, topics.HEADUNIT_CAR_COMMAND), m.encode(command),
            props=properties(topics.vehicle(self.vin, topics.HEADUNIT_CAR_RESULT),
                             command.request_id.encode()))

    def _drop(self, topic: str, reason: object) -> None:
        self.dropped += 1
        log.warning("dropped a message on %s: %s", topic, reason)

    def _status(self, topic: str, payload: bytes, props: object) -> None:
        if not payload:
            return
        try:
            st = m.decode(pv.VEHICLE_STATUS, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        if st.vin != self.vin:
            return self._drop(topic, f"status of VIN {st.vin} on the topic of {self.vin}")
        self._on_event(StatusReceived(st))

    def _availability(self, topic: str, payload: bytes, props: object) -> None:
        if not payload:
            return self._on_event(CarAvailability(False))
        try:
            state = m.decode_availability(payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        self._on_event(CarAvailability(state == "online"))

    def _result(self, topic: str, payload: bytes, props: object) -> None:
        try:
            r = m.decode(pv.CAR_RESULT, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        if getattr(props, "CorrelationData", None) != r.request_id.encode():
            return self._drop(topic, "a result whose correlation data is not its request id")
        self._on_event(CommandAnswered(r))
