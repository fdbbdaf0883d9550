"""The remote control's methods for test rigs that never touch a widget, so they run on the
HTTP thread (the UI keeps drawing while one waits for the car or the network):

- the car's properties, through the vehicle simulator's ``car/admin`` topic
  (``vehicle_get``, ``vehicle_set``, ``vehicle_status``, ``vehicle_props``);
- faults of the head unit's own MQTT connection: drop it as a network failure would
  (``drop_broker`` / ``restore_broker``), delay or drop messages (``message_fault``,
  ``clear_message_faults``), and what is in force (``faults``).

The cloud's clock and its refusals are the cloud's: a rig asks the cloud's admin API for them
(see docs/remote-control.md and :mod:`headunit.remote.cloud_admin`); the head unit never
holds the cloud's admin token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..mqtt_faults import check_rule
from ..protocol import vehicle as pv
from ..remote.server import RpcError
from ..remote.vehicle_admin import VehicleAdmin, VehicleAdminError

VEHICLE_ERROR = -32010  # the car did not answer, or refused


class RigMethods:
    def __init__(self, hu: Any) -> None:
        self.hu = hu
        self.conn = hu.link.conn
        self._admin: VehicleAdmin | None = None

    def methods(self) -> dict[str, Callable[..., Any]]:
        return {"vehicle_get": self.vehicle_get, "vehicle_set": self.vehicle_set,
                "vehicle_status": self.vehicle_status, "vehicle_props": self.vehicle_props,
                "drop_broker": self.drop_broker, "restore_broker": self.restore_broker,
                "message_fault": self.message_fault,
                "clear_message_faults": self.clear_message_faults, "faults": self.faults}

    # ------------------------------------------------------------ the car

    def _car(self, op: Callable[[], Any], timeout: float = 5.0) -> dict[str, Any]:
        try:
            request = op()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = str(first["loc"][0]) if first["loc"] else "request"
            raise ValueError(f"{where}: {first['msg']} (a path is group.field, e.g. "
                             "doors.driver; vehicle_props lists them)") from None
        if self._admin is None:
            self._admin = VehicleAdmin(self.conn, self.hu.identity.vin)
        try:
            return self._admin.request(request, timeout)
        except VehicleAdminError as exc:
            raise RpcError(VEHICLE_ERROR, str(exc)) from None

    def vehicle_get(self, path: str) -> dict[str, Any]:
        return self._car(lambda: pv.AdminGet(path=path))

    def vehicle_set(self, path: str, value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = repr(value)
        return self._car(lambda: pv.AdminSet(path=path, value=value))

    def vehicle_status(self) -> dict[str, Any]:
        return self._car(pv.AdminStatus)

    def vehicle_props(self) -> dict[str, Any]:
        return self._car(pv.AdminProps)

    # ------------------------------------------------------------ the connection

    def drop_broker(self) -> dict[str, Any]:
        self.conn.drop_connection()
        return self.faults()

    def restore_broker(self) -> dict[str, Any]:
        self.conn.restore_connection()
        return self.faults()

    def message_fault(self, direction: str, action: str, topic: str = "#",
                      seconds: float = 0.0, count: int | None = None) -> dict[str, Any]:
        rule = check_rule(direction, action, topic, seconds, count)
        return {"rule": self.conn.enable_faults().add(rule)}

    def clear_message_faults(self) -> dict[str, Any]:
        return {"cleared": self.conn.faults.clear() if self.conn.faults else 0}

    def faults(self) -> dict[str, Any]:
        layer = self.conn.faults
        return {"broker_dropped": self.conn.severed, "connected": self.conn.connected,
                "messages": layer.status() if layer is not None else None}
