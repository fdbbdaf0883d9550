"""Commands to the cars: from phones (HTTP) and head units (MQTT), through the cloud, to the
car and back, each with a request id.

- The cloud refuses before the car sees anything: a car it does not know, a phone not bound
  to the car, a service the car's model lacks (``service_unavailable``), a car that is
  offline.
- Idempotent: every request id is kept per car with its command and, once answered, its
  result (SQLite, so it outlives a restart). A repeated id is answered again from there; a
  repeat while the first is still on its way waits for the same answer; the same id with
  another command is refused (``request_id_reused``). If an answer was lost (timeout), a
  repeat goes to the car again, which answers it from its own memory rather than run it twice.
- A command goes to ``car/command`` as an MQTT 5 request (never retained) with the request id
  as correlation data; the answer comes back on ``car/result``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from headunit.mqtt import MqttConnection, properties
from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv
from headunit.protocol.errors import CloudError

from .vehicles import VehicleRelay

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS vehicle_commands (
    vin TEXT NOT NULL,
    request_id TEXT NOT NULL,
    origin TEXT NOT NULL,                  -- phone | headunit
    account_id TEXT,                       -- the phone's account; NULL from the head unit
    command TEXT NOT NULL,                 -- canonical JSON
    result TEXT,                           -- car_result JSON once answered
    created REAL NOT NULL,
    PRIMARY KEY (vin, request_id)
);
"""

COMMAND_TIMEOUT = 10.0
REFUSAL_STATUS = 409


@dataclass
class _InFlight:
    done: threading.Event = field(default_factory=threading.Event)
    result: pv.CarResult | None = None
    callbacks: list[Callable[[pv.CarResult], None]] = field(default_factory=list)


class CommandDesk:
    def __init__(self, conn: MqttConnection, relay: VehicleRelay, *,
                 timeout: float = COMMAND_TIMEOUT) -> None:
        self.conn, self.relay, self.service = conn, relay, relay.service
        self.timeout = timeout
        self._flying: dict[tuple[str, str], _InFlight] = {}
        self._lock = threading.Lock()
        with self.service.lock:
            self.service.db.executescript(SCHEMA)
        conn.subscribe(topics.vehicle_filter(topics.CAR_RESULT), self._car_result)
        conn.subscribe(topics.vehicle_filter(topics.HEADUNIT_CAR_COMMAND), self._headunit_command)

    # -------------------------------------------------------------- phones (HTTP threads)

    def from_phone(self, account_id: str, vin: str, request_id: str,
                   command: Any) -> dict[str, Any]:
        """Run ``command`` for the bound phone and wait for the car's answer.

        Returns the result as JSON; raises CloudError for a refusal (the cloud's or the car's)
        or when the car does not answer in time."""
        self.relay.require_bound(account_id, vin)
        self.relay.require_service(vin, pv.SERVICE_OF[command.name])
        flight = self._submit(vin, request_id, command, "phone", account_id)
        if not flight.done.wait(self.timeout):
            raise CloudError("vehicle_timeout", status=504)
        assert flight.result is not None
        return self.outcome(flight.result)

    def stored(self, account_id: str, vin: str, request_id: str) -> dict[str, Any]:
        """The answer to an earlier request of this phone (or that it is still pending)."""
        self.relay.require_bound(account_id, vin)
        with self.service.lock:
            row = self.service.db.execute(
                "SELECT * FROM vehicle_commands WHERE vin=? AND request_id=? AND account_id=?",
                (vin, request_id, account_id)).fetchone()
        if row is None:
            raise CloudError("not_found", f"No command {request_id} for this car from you.",
                             status=404)
        if row["result"] is None:
            return {"request_id": request_id, "status": "pending",
                    "command": json.loads(row["command"])}
        result = m.decode(pv.CAR_RESULT, row["result"].encode())
        return {**self.outcome_json(result), "command": json.loads(row["command"])}

    @staticmethod
    def outcome_json(r: pv.CarResult) -> dict[str, Any]:
        return {"request_id": r.request_id, "status": r.status, "data": r.data, "seq": r.seq,
                "error": r.error.model_dump() if r.error else None}

    def outcome(self, r: pv.CarResult) -> dict[str, Any]:
        """An ok result as JSON; an error result as the CloudError the phone sees."""
        if r.status == "error" and r.error is not None:
            status = 504 if r.error.code == "vehicle_timeout" else REFUSAL_STATUS
            raise CloudError(r.error.code, r.error.message, status=status)
        return self.outcome_json(r)

    # -------------------------------------------------------------- the desk

    def _submit(self, vin: str, request_id: str, command: Any, origin: str,
                account_id: str | None) -> _InFlight:
        body = json.dumps(command.model_dump(), sort_keys=True)
        key = (vin, request_id)
        with self.service.lock:
            row = self.service.db.execute(
                "SELECT * FROM vehicle_commands WHERE vin=? AND request_id=?", key).fetchone()
            if row is not None and (row["command"] != body or row["account_id"] != account_id
                                    or row["origin"] != origin):
                raise CloudError("request_id_reused", status=409)
            if row is not None and row["result"] is not None:
                log.info("%s %s again: answered from the record, not sent again", vin, request_id)
                flight = _InFlight(result=m.decode(pv.CAR_RESULT, row["result"].encode()))
                flight.done.set()
                return flight
            with self._lock:
                flight = self._flying.get(key)
                if flight is not None:
                    return flight  # the same request is on its way: wait for its answer
            if not self.relay.online(vin):
                raise CloudError("vehicle_offline", status=503)
            if row is None:
                self.service.db.execute(
                    "INSERT INTO vehicle_commands(vin, request_id, origin, account_id, command, "
                    "created) VALUES (?,?,?,?,?,?)",
                    (vin, request_id, origin, account_id, body, time.time()))
            with self._lock:
                flight = self._flying.setdefault(key, _InFlight())
        msg = pv.CarCommand(request_id=request_id, origin=origin,  # type: ignore[arg-type]
                            command=command)
        self.conn.publish(topics.vehicle(vin, topics.CAR_COMMAND), m.encode(msg), qos=1,
                          retain=False, props=properties(topics.vehicle(vin, topics.CAR_RESULT),
                                                         request_id.encode()))
        timer = threading.Timer(self.timeout + 1.0, self._give_up, (key,))
        timer.daemon = True
        timer.start()
        return flight

    def _give_up(self, key: tuple[str, str]) -> None:
        """No answer: forget the flight (the record stays unanswered, so a repeat is sent
        again) and tell whoever waits through a callback."""
        with self._lock:
            flight = self._flying.pop(key, None)
        if flight is None or flight.done.is_set():
            return
        self._finish(flight, pv.error_result(
            key[1], "vehicle_timeout", "The car did not answer in time. Try again with the same "
            "request id: it never runs twice."))

    def _finish(self, flight: _InFlight, result: pv.CarResult) -> None:
        with self._lock:
            flight.result = result
            flight.done.set()
            callbacks = list(flight.callbacks)
        for callback in callbacks:
            try:
                callback(result)
            except Exception:
                log.exception("answering %s failed", result.request_id)

    def _car_result(self, topic: str, payload: bytes, props: object) -> None:
        try:
            vin = topics.parse_vehicle_topic(topic).vin
            result = m.decode(pv.CAR_RESULT, payload)
        except (topics.TopicError, m.ProtocolError) as exc:
            return self.relay._drop(topic, exc)
        correlation = getattr(props, "CorrelationData", None)
        if correlation != result.request_id.encode():
            return self.relay._drop(topic, "a result whose correlation data is not its "
                                    "request id")
        key = (vin, result.request_id)
        with self.service.lock:
            cur = self.service.db.execute(
                "UPDATE vehicle_commands SET result=? WHERE vin=? AND request_id=? AND "
                "result IS NULL", (m.encode(result).decode(), vin, result.request_id))
        with self._lock:
            flight = self._flying.pop(key, None)
        if flight is None:
            if cur.rowcount == 0:
                self.relay._drop(topic, f"a result for {result.request_id}, which nobody awaits")
            return
        self._finish(flight, result)

    # -------------------------------------------------------------- head units (MQTT)

    def _headunit_command(self, topic: str, payload: bytes, props: object) -> None:
        try:
            vin = topics.parse_vehicle_topic(topic).vin
        except topics.TopicError as exc:
            return self.relay._drop(topic, exc)
        reply_to = topics.vehicle(vin, topics.HEADUNIT_CAR_RESULT)
        if getattr(props, "ResponseTopic", None) != reply_to:
            return self.relay._drop(topic, f"the response topic must be {reply_to}")
        correlation = getattr(props, "CorrelationData", None)
        if not correlation or len(correlation) > 64:
            return self.relay._drop(topic, "a request needs correlation data of 1 to 64 bytes")

        def answer(result: pv.CarResult) -> None:
            self.conn.publish(reply_to, m.encode(result), props=properties(correlation=correlation))

        try:
            cmd = m.decode(pv.CAR_COMMAND, payload)
        except m.ProtocolError as exc:
            self.relay._drop(topic, exc)
            return answer(pv.error_result("unknown", "invalid_command",
                                          f"The command is not valid: {exc}"))
        if cmd.origin != "headunit":
            return answer(pv.error_result(cmd.request_id, "invalid_command",
                                          "A head unit's command has origin 'headunit'."))
        try:
            self.relay.require_service(vin, pv.SERVICE_OF[cmd.command.name])
            flight = self._submit(vin, cmd.request_id, cmd.command, "headunit", None)
        except CloudError as exc:
            return answer(pv.error_result(cmd.request_id, exc.code, exc.message))
        with self._lock:
            if not flight.done.is_set():
                flight.callbacks.append(answer)
                return
        assert flight.result is not None
        answer(flight.result)
