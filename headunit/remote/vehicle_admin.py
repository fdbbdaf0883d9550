"""The rig's access to the car's properties through the head unit's own MQTT connection.

The same ``car/admin`` request ``ismart-vehicle get/set`` sends (MQTT 5 request/response with
correlation data), answered by the running vehicle simulator. No Kivy; safe from any thread.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from ..mqtt import MqttConnection, properties
from ..protocol import messages as m
from ..protocol import topics
from ..protocol import vehicle as pv

TIMEOUT = 5.0


class VehicleAdminError(Exception):
    """No answer, or the simulator refused; the text says why."""


class VehicleAdmin:
    def __init__(self, conn: MqttConnection, vin: str) -> None:
        self.conn, self.vin = conn, vin
        self._reply_topic = topics.vehicle(vin, topics.CAR_ADMIN_RESPONSE)
        self._lock = threading.Lock()
        self._waiting: dict[bytes, tuple[threading.Event, list[pv.AdminResult]]] = {}
        conn.subscribe(self._reply_topic, self._reply)

    def request(self, op: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Send one admin operation (``pv.AdminGet(path=...)``, ...); its data, or
        VehicleAdminError with the simulator's reason."""
        if not self.conn.connected:
            raise VehicleAdminError("the head unit has no connection to the MQTT broker now "
                                    "(restore it with restore_broker)")
        correlation = secrets.token_bytes(12)
        got, box = threading.Event(), []
        with self._lock:
            self._waiting[correlation] = (got, box)
        try:
            self.conn.publish(topics.vehicle(self.vin, topics.CAR_ADMIN),
                              m.encode(pv.AdminRequest(request=op)),
                              props=properties(self._reply_topic, correlation))
            if not got.wait(timeout):
                raise VehicleAdminError(
                    f"no vehicle simulator for {self.vin} answered within {timeout:g} s; is "
                    f"'ismart-vehicle run --vin {self.vin}' running on the same broker? (A "
                    "broker with the access policy of 'ismart-cloud pki' lets only the rig's "
                    "identity use car/admin: use ismart-vehicle get/set with it there.)")
        finally:
            with self._lock:
                self._waiting.pop(correlation, None)
        result = box[0]
        if result.status != "ok":
            raise VehicleAdminError(result.error.message if result.error else "refused")
        return result.data or {}

    def _reply(self, topic: str, payload: bytes, props: object) -> None:
        correlation = getattr(props, "CorrelationData", None)
        with self._lock:
            waiting = self._waiting.get(correlation) if correlation else None
        if waiting is None:
            return
        try:
            result = m.decode(pv.ADMIN_RESULT, payload)
        except m.ProtocolError as exc:
            result = pv.AdminResult(status="error", error=m.ErrorBody(
                code="internal", message=f"the simulator's answer is not valid: {exc}"))
        waiting[1].append(result)
        waiting[0].set()
