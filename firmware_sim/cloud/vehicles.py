"""The cloud's side of the cars themselves: their status, availability and alerts.

- Each car publishes its status retained on ``car/status``. The cloud keeps the newest per
  car (:func:`~headunit.protocol.vehicle.is_newer`: a status with a lower ``seq`` in the same
  epoch is dropped, never overwrites a newer one) and relays it retained on the car's
  ``status`` topic, which its head unit follows.
- Phones get the status over HTTP, and only the account bound to the car
  (:meth:`CloudService.is_bound_user`); :meth:`VehicleRelay.wait_newer` lets a phone wait for
  the next one (long poll).
- New alerts in a status become notifications of the account bound at that moment.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from headunit.mqtt import MqttConnection
from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv
from headunit.protocol.errors import CloudError
from headunit.vehicle_models import ModelSpec, load_catalogue

from . import accounts, db
from .service import CloudService

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS vehicle_notifications (
    vin TEXT NOT NULL,
    epoch TEXT NOT NULL,
    alert_id INTEGER NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    time REAL NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vin, epoch, alert_id)
);
"""

MAX_WAIT = 30.0


class VehicleRelay:
    def __init__(self, conn: MqttConnection, service: CloudService) -> None:
        self.conn, self.service = conn, service
        # the newest status of each car as (epoch, seq, the validated bytes): plain values
        # the garbage collector never walks, however many cars there are; phones get it
        # decoded on demand (:meth:`status`)
        self.latest: dict[str, tuple[str, int, bytes]] = {}
        # the alerts of each car already stored, (epoch, ids): a status repeating them (every
        # status does, while they last) costs no database work
        self._alerts_seen: dict[str, tuple[str, frozenset[int]]] = {}
        self.car_online: dict[str, bool] = {}
        self.dropped = 0
        self._cond = threading.Condition()
        with service.lock:
            service.db.executescript(SCHEMA)
        conn.subscribe(topics.vehicle_filter(topics.CAR_STATUS), self._status)
        conn.subscribe(topics.vehicle_filter(topics.CAR_AVAILABILITY), self._availability)
        conn.on_connectivity(lambda up: self.republish() if up else None)

    # -------------------------------------------------------------- models and rights

    def model_of(self, vin: str) -> ModelSpec:
        """The catalogue entry of the car's registered model; CloudError if none."""
        v = self.service.vehicle_record(vin)
        if v is None:
            raise CloudError("unknown_vehicle", status=404)
        spec = load_catalogue().get(v.model)
        if spec is None:
            raise CloudError("unknown_model", f"The model {v.model!r} of this car is not in the "
                             "model list, so its services are unknown.", status=409)
        return spec

    def require_service(self, vin: str, service: str) -> ModelSpec:
        spec = self.model_of(vin)
        if not spec.has(service):
            raise CloudError("service_unavailable", f"The {spec.name} has no "
                             f"{pv.SERVICE_TITLES[service]} service.", status=403)
        return spec

    def require_bound(self, account_id: str, vin: str) -> None:
        if self.service.vehicle_record(vin) is None:
            raise CloudError("unknown_vehicle", status=404)
        if not self.service.is_bound_user(account_id, vin):
            raise CloudError("not_bound", status=403)

    def online(self, vin: str) -> bool:
        return self.car_online.get(vin, False)

    # -------------------------------------------------------------- MQTT in

    def _drop(self, topic: str, reason: object) -> None:
        self.dropped += 1
        log.warning("dropped a message on %s: %s", topic, reason)

    def _availability(self, topic: str, payload: bytes, props: object) -> None:
        try:
            vin = topics.parse_vehicle_topic(topic).vin
            self.car_online[vin] = bool(payload) and m.decode_availability(payload) == "online"
        except (topics.TopicError, m.ProtocolError) as exc:
            self._drop(topic, exc)

    def _status(self, topic: str, payload: bytes, props: object) -> None:
        """Validate a car's status once and relay the very bytes that were validated (no
        re-serialisation: this runs for every status of every car)."""
        if not payload:
            return
        try:
            vin = topics.parse_vehicle_topic(topic).vin
            st = m.decode(pv.VEHICLE_STATUS, payload)
        except (topics.TopicError, m.ProtocolError) as exc:
            return self._drop(topic, exc)
        if st.vin != vin:
            return self._drop(topic, f"status of VIN {st.vin} on the topic of {vin}")
        with self._cond:
            known = self.latest.get(vin)
            # pv.is_newer on what is kept: a new epoch, or a higher seq
            if known is not None and st.epoch == known[0] and st.seq <= known[1]:
                return self._drop(topic, f"status seq {st.seq} is not newer than {known[1]}")
            self.latest[vin] = (st.epoch, st.seq, payload)
            self._cond.notify_all()
        info = self.conn.publish(topics.vehicle(vin, topics.STATUS), payload, qos=1,
                                 retain=True)
        if info.rc != 0:  # paho's queue is full: the broker is far behind
            self._drop(topic, f"cannot relay it (MQTT error {info.rc})")
        if st.alerts:
            try:
                self._keep_alerts(st)
            except Exception:
                log.exception("cannot store the alerts of %s", vin)

    def republish(self) -> None:
        """Relay every known status again (after a reconnect the broker may have lost them)."""
        with self._cond:
            known = [(vin, k[2]) for vin, k in self.latest.items()]
        for vin, payload in known:
            self.conn.publish(topics.vehicle(vin, topics.STATUS), payload, qos=1, retain=True)

    # -------------------------------------------------------------- phones

    def status_for(self, account_id: str, vin: str, *, after_seq: int | None = None,
                   wait: float = 0.0) -> dict[str, Any]:
        """The car's status for its bound user; with ``after_seq``, wait up to ``wait``
        seconds for a newer one (a long poll)."""
        self.require_bound(account_id, vin)
        spec = self.require_service(vin, "vehicle_status")
        st = self.wait_newer(vin, after_seq, min(max(wait, 0.0), MAX_WAIT))
        key = None
        if spec.has("digital_key"):
            key = {"holder": self._display_name(account_id), "active": True,
                   "locked": st.doors.locked if st else None}
        return {"vin": vin, "model": spec.name, "model_id": spec.id,
                "services": spec.service_map(), "car_online": self.online(vin),
                "status": st.model_dump() if st else None, "key": key}

    def status(self, vin: str) -> pv.VehicleStatus | None:
        """The newest status of the car ``vin``, if any."""
        with self._cond:
            known = self.latest.get(vin)
        return None if known is None else m.decode(pv.VEHICLE_STATUS, known[2])

    def wait_newer(self, vin: str, after_seq: int | None, wait: float) -> pv.VehicleStatus | None:
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                known = self.latest.get(vin)
                if after_seq is None or (known is not None and known[1] > after_seq):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        return None if known is None else m.decode(pv.VEHICLE_STATUS, known[2])

    def _display_name(self, account_id: str) -> str:
        with self.service.lock:
            a = accounts.by_id(self.service.db, account_id)
        return a.display_name if a else account_id

    # -------------------------------------------------------------- notifications

    def _keep_alerts(self, st: pv.VehicleStatus) -> None:
        """New alerts become notifications of the bound account, in one transaction; alerts
        this car has reported before are not written again."""
        ids = frozenset(a.id for a in st.alerts)
        seen = self._alerts_seen.get(st.vin)
        fresh = ids - seen[1] if seen and seen[0] == st.epoch else ids
        if not fresh:
            self._alerts_seen[st.vin] = (st.epoch, ids)
            return
        v = self.service.vehicle_record(st.vin)
        if v is None or v.bound_user is None:
            return  # nobody to tell (yet: they are looked at again with the next status)
        since = v.bound_since or 0.0
        rows = [(st.vin, st.epoch, a.id, v.bound_user, a.code, a.title, a.severity, a.time)
                for a in st.alerts if a.id in fresh and a.time >= since]
        if rows:
            with self.service.lock, db.Transaction(self.service.db) as conn:
                conn.executemany(
                    "INSERT OR IGNORE INTO vehicle_notifications(vin, epoch, alert_id, "
                    "account_id, code, title, severity, time) VALUES (?,?,?,?,?,?,?,?)", rows)
        self._alerts_seen[st.vin] = (st.epoch, ids)

    def notifications(self, account_id: str, vin: str, limit: int = 50) -> dict[str, Any]:
        self.require_bound(account_id, vin)
        self.require_service(vin, "notifications")
        with self.service.lock:
            rows = self.service.db.execute(
                "SELECT * FROM vehicle_notifications WHERE vin=? AND account_id=? "
                "ORDER BY time DESC, alert_id DESC LIMIT ?", (vin, account_id, limit)).fetchall()
            unread = self.service.db.execute(
                "SELECT COUNT(*) FROM vehicle_notifications WHERE vin=? AND account_id=? "
                "AND read=0", (vin, account_id)).fetchone()[0]
        items = [{"id": f"{r['epoch']}-{r['alert_id']}", "code": r["code"], "title": r["title"],
                  "severity": r["severity"], "time": r["time"], "read": bool(r["read"])}
                 for r in rows]
        return {"unread": unread, "notifications": items}

    def mark_read(self, account_id: str, vin: str, ids: list[str] | None) -> dict[str, Any]:
        self.require_bound(account_id, vin)
        self.require_service(vin, "notifications")
        with self.service.lock:
            if ids is None:
                self.service.db.execute("UPDATE vehicle_notifications SET read=1 WHERE vin=? "
                                        "AND account_id=?", (vin, account_id))
            else:
                for ident in ids:
                    epoch, _, alert = ident.rpartition("-")
                    if not epoch or not alert.isdigit():
                        raise CloudError("invalid_request", f"{ident!r} is not a notification "
                                         "id (EPOCH-NUMBER, as listed)")
                    self.service.db.execute(
                        "UPDATE vehicle_notifications SET read=1 WHERE vin=? AND account_id=? "
                        "AND epoch=? AND alert_id=?", (vin, account_id, epoch, int(alert)))
        return self.notifications(account_id, vin)
