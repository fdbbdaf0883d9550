"""A running simulated car: the pure model (:mod:`.physics`, :mod:`.commands`,
:mod:`.properties`) on the injected clock, wired to MQTT 5.

- It follows the cloud's retained clock (``ismart/v1/cloud/clock``) like the head unit, so
  an hour of cloud time is an hour of charging.
- It publishes its status retained on ``car/status``: at once after a command or a property
  set, when what it says changes (at most once per ``min_interval`` real seconds), and every
  ``status_period`` real seconds regardless. ``seq`` grows with each publication.
- Commands come as MQTT 5 requests on ``car/command``; the answer goes to ``car/result`` with
  the request's correlation data. A repeated request id is answered again from memory, not
  run twice; a *retained* command (left on the broker by anyone) is dropped, never replayed.
- Rigs and developers read and set properties through ``car/admin`` requests
  (``ismart-vehicle get/set``), answered on ``car/admin_response``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

from headunit.clock import ClockSpec, ScaledClock
from headunit.mqtt import MqttConnection, TlsFiles, properties
from headunit.mqtt_loop import NetworkLoop
from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv
from headunit.vehicle_models import ModelSpec

from . import commands, physics, status
from . import properties as props
from .state import VehicleState, new_state
from .store import CarStore

log = logging.getLogger(__name__)

MAX_GAP = 7 * 86400.0  # a longer jump of the clock is not simulated step by step
REMEMBERED_RESULTS = 500


@dataclass(frozen=True)
class SimSettings:
    vin: str
    model: ModelSpec
    broker: str = "mqtt://127.0.0.1:1883"
    data_dir: Path | None = None
    status_period: float = 30.0
    min_interval: float = 1.0
    save_interval: float = 5.0
    admin: bool = True
    tls: TlsFiles | None = None
    start: dict[str, Any] | None = None  # initial state changes for a new car (soc=..., ...)


class VehicleSim:
    def __init__(self, settings: SimSettings, clock: ScaledClock | None = None, *,
                 loop: NetworkLoop | None = None) -> None:
        self.settings = settings
        self.vin = topics.check_vin(settings.vin)
        self.clock = clock or ScaledClock()
        self.store = CarStore(settings.data_dir) if settings.data_dir else None
        saved = self.store.load() if self.store else None
        if saved and saved.state.vin != self.vin:
            raise SystemExit(f"{settings.data_dir} holds the car {saved.state.vin}, not "
                             f"{self.vin}; use another --data-dir")
        if saved and saved.state.model.id != settings.model.id:
            raise SystemExit(f"{settings.data_dir} holds a {saved.state.model.name}, not a "
                             f"{settings.model.name}; use another --data-dir for another model")
        if saved:
            self.state, self.epoch, self.seq = saved.state, saved.epoch, saved.seq
            self.results: OrderedDict[str, pv.CarResult] = OrderedDict(
                (r.request_id, r) for r in saved.results)
        else:
            self.state = new_state(self.vin, settings.model, self.clock.now(),
                                   **(settings.start or {}))
            self.epoch, self.seq = uuid.uuid4().hex[:16], 0
            self.results = OrderedDict()
        self.lock = threading.RLock()
        self.published: pv.VehicleStatus | None = None
        self._published_content: dict[str, Any] | None = None
        self._last_publish = 0.0
        self._last_save = time.monotonic()
        self._unsaved = saved is None
        self.dropped = 0
        self.conn = MqttConnection(
            settings.broker, f"vehicle-{self.vin}",
            availability_topic=topics.vehicle(self.vin, topics.CAR_AVAILABILITY), tls=settings.tls,
            loop=loop)
        self.conn.subscribe(topics.CLOUD_CLOCK, self._clock)
        self.conn.subscribe_message(topics.vehicle(self.vin, topics.CAR_COMMAND), self._command)
        if settings.admin:
            self.conn.subscribe_message(topics.vehicle(self.vin, topics.CAR_ADMIN), self._admin)
        self.conn.on_connectivity(self._connectivity)

    # -------------------------------------------------------------- running

    def start(self) -> None:
        self.conn.start()

    def stop(self) -> None:
        with self.lock:
            self.save()
        self.conn.stop()

    def tick(self) -> None:
        """Advance to the clock's time; publish if due; save now and then."""
        with self.lock:
            self._advance()
            self._publish_if_due()
            if self._unsaved and time.monotonic() - self._last_save >= self.settings.save_interval:
                self.save()

    def save(self) -> None:
        if self.store is None:
            return
        try:
            self.store.save(self.epoch, self.seq, self.state, list(self.results.values()))
            self._unsaved = False
            self._last_save = time.monotonic()
        except OSError as exc:
            log.error("cannot save the car's state to %s: %s", self.store.path, exc)

    def current_status(self) -> pv.VehicleStatus:
        with self.lock:
            self._advance()
            return status.build(self.state, epoch=self.epoch, seq=self.seq)

    def _advance(self) -> None:
        now = self.clock.now()
        dt = now - self.state.time
        if dt > MAX_GAP:
            log.warning("the clock jumped %.0f s ahead; simulating %.0f s of it", dt, MAX_GAP)
            self.state = replace(physics.advance(self.state, MAX_GAP), time=now)
        elif dt > 0:
            self.state = physics.advance(self.state, dt)
        elif dt < 0:
            self.state = replace(self.state, time=now)  # the clock went back: follow it
        else:
            return
        self._unsaved = True

    def publish_now(self) -> int | None:
        """Advance to the clock's time and publish the status at once (a fleet keeps its own
        pace this way); the ``seq`` published, or None while not connected."""
        with self.lock:
            self._advance()
            return self.seq if self._publish_if_due(force=True) else None

    def _publish_if_due(self, force: bool = False) -> bool:
        if not self.conn.connected:
            return False
        real = time.monotonic()
        since = real - self._last_publish
        if not (force or since >= self.settings.status_period):
            if since < self.settings.min_interval:
                return False  # not even a change may go out yet: build nothing
            candidate = status.build(self.state, epoch=self.epoch, seq=self.seq + 1)
            if self.published is not None:
                if self._published_content is None:
                    self._published_content = status.content(self.published)
                if status.content(candidate) == self._published_content:
                    return False  # nothing new to say
        else:
            candidate = status.build(self.state, epoch=self.epoch, seq=self.seq + 1)
        self.seq += 1
        self.published, self._last_publish, self._unsaved = candidate, real, True
        self._published_content = None  # worked out when a later tick needs it
        self.conn.publish(topics.vehicle(self.vin, topics.CAR_STATUS), m.encode(candidate),
                          qos=1, retain=True)
        return True

    # -------------------------------------------------------------- MQTT in

    def _drop(self, topic: str, reason: object) -> None:
        self.dropped += 1
        log.warning("dropped a message on %s: %s", topic, reason)

    def _connectivity(self, up: bool) -> None:
        if up:
            with self.lock:
                self._advance()
                self._publish_if_due(force=True)

    def _clock(self, topic: str, payload: bytes, props_: object) -> None:
        if not payload:
            return
        try:
            c = m.decode(m.CLOCK, payload)
        except m.ProtocolError as exc:
            return self._drop(topic, exc)
        self.clock.adopt(ClockSpec(c.anchor_real, c.anchor_sim, c.scale))

    def _request_route(self, message: paho.MQTTMessage, leaf: str) -> bytes | None:
        """The correlation data of a proper request to this car, else None (dropped)."""
        if message.retain:
            self._drop(message.topic, "a retained request is never replayed as an action")
            return None
        p = getattr(message, "properties", None)
        expected = topics.vehicle(self.vin, leaf)
        if getattr(p, "ResponseTopic", None) != expected:
            self._drop(message.topic, f"the response topic must be {expected}")
            return None
        correlation = getattr(p, "CorrelationData", None)
        if not correlation or len(correlation) > 64:
            self._drop(message.topic, "a request needs correlation data of 1 to 64 bytes")
            return None
        return correlation

    def _command(self, message: paho.MQTTMessage) -> None:
        correlation = self._request_route(message, topics.CAR_RESULT)
        if correlation is None:
            return
        try:
            cmd = m.decode(pv.CAR_COMMAND, message.payload)
        except m.ProtocolError as exc:
            self._drop(message.topic, exc)
            return self._answer(correlation, pv.error_result(
                "unknown", "invalid_command", f"The command is not valid: {exc}"))
        with self.lock:
            known = self.results.get(cmd.request_id)
            if known is not None:
                log.info("request %s again: answered from memory, not run twice", cmd.request_id)
                return self._answer(correlation, known)
            self._advance()
            outcome = commands.execute(self.state, cmd)
            if outcome.ok:
                self.state = outcome.state
                self._publish_if_due(force=True)
                result = pv.CarResult(request_id=cmd.request_id, status="ok",
                                      data=outcome.data, seq=self.seq)
            else:
                result = pv.error_result(cmd.request_id, outcome.code or "invalid_command",
                                         outcome.message or "refused")
            log.info("command %s %s: %s", cmd.request_id, cmd.command.name,
                     result.status if result.error is None else result.error.message)
            self.results[cmd.request_id] = result
            while len(self.results) > REMEMBERED_RESULTS:
                self.results.popitem(last=False)
            self.save()
        self._answer(correlation, result)

    def _answer(self, correlation: bytes, result: pv.CarResult) -> None:
        self.conn.publish(topics.vehicle(self.vin, topics.CAR_RESULT), m.encode(result),
                          props=properties(correlation=correlation))

    # -------------------------------------------------------------- rig access

    def _admin(self, message: paho.MQTTMessage) -> None:
        correlation = self._request_route(message, topics.CAR_ADMIN_RESPONSE)
        if correlation is None:
            return
        try:
            req = m.decode(pv.ADMIN_REQUEST, message.payload).request
            data = self.admin(req)
            result = pv.AdminResult(status="ok", data=data)
        except (m.ProtocolError, props.PropertyError, KeyError) as exc:
            text = f"unknown property {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
            result = pv.AdminResult(status="error", error=m.ErrorBody(
                code="invalid_request", message=text[:512]))
        self.conn.publish(topics.vehicle(self.vin, topics.CAR_ADMIN_RESPONSE), m.encode(result),
                          props=properties(correlation=correlation))

    def admin(self, req: Any) -> dict[str, Any]:
        """Carry out one admin request; raises PropertyError/KeyError with the reason."""
        with self.lock:
            self._advance()
            if isinstance(req, pv.AdminGet):
                return {"path": req.path, "value": self._get(req.path)}
            if isinstance(req, pv.AdminProps):
                readable = sorted(f"{g}.{k}" for g, v in self.current_status().model_dump().items()
                                  if isinstance(v, dict) for k in v)
                return {"writable": props.describe(), "readable": readable}
            if isinstance(req, pv.AdminStatus):
                return self.current_status().model_dump()
            if isinstance(req, pv.AdminSet):
                self.state = props.set_property(self.state, req.path, req.value)
            elif isinstance(req, pv.AdminDrive):
                self.state = self._drive(req)
            elif isinstance(req, pv.AdminPark):
                self.state = props.park(self.state)
            self._unsaved = True
            self._publish_if_due(force=True)
            self.save()
            out: dict[str, Any] = {"seq": self.seq}
            if isinstance(req, pv.AdminSet):
                out.update(path=req.path, value=self._get(req.path))
            return out

    def _get(self, path: str) -> Any:
        try:
            return status.lookup(self.current_status(), path)
        except KeyError:
            return props.get_extra(self.state, path)

    def _drive(self, req: pv.AdminDrive) -> VehicleState:
        if req.to_destination:
            dest = self.state.destination
            if dest is None:
                raise props.PropertyError("the car has no destination; send one with "
                                          "'ismart-phone send-destination' first")
            return props.drive(self.state, dest.latitude, dest.longitude, req.speed)
        if req.latitude is None or req.longitude is None:
            raise props.PropertyError("give a point to drive to (--to LAT,LON) or --destination")
        return props.drive(self.state, req.latitude, req.longitude, req.speed)
