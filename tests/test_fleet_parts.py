"""The pure parts behind the fleet: latency histograms, the trusted source of the abuse
limits, the one-pass payload decoder, and the cloud's status relay (validated bytes forwarded
unchanged; an alert stored once)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmware_sim.cloud.ratelimit import AbuseLimits, Bucket, Policy
from firmware_sim.cloud.service import CloudService, CloudSettings
from firmware_sim.cloud.vehicles import VehicleRelay
from firmware_sim.fleet.stats import Histogram
from firmware_sim.vehicle import status
from firmware_sim.vehicle.state import Alert, new_state
from headunit.clock import ScaledClock
from headunit.protocol import messages as m
from headunit.protocol import topics
from headunit.protocol import vehicle as pv
from headunit.protocol.errors import CloudError
from headunit.vehicle_models import find_model

VIN = "FLEET000000000001"
T0 = 1_800_000_000.0


# ---------------------------------------------------------------- histograms


def test_histogram_percentiles_are_within_two_percent():
    h = Histogram()
    for i in range(1, 1001):  # 1 .. 1000 ms
        h.add(float(i))
    assert h.count == 1000 and h.max == 1000.0
    assert h.percentile(50) == pytest.approx(500, rel=0.02)
    assert h.percentile(99) == pytest.approx(990, rel=0.02)
    assert h.percentile(100) == 1000.0
    assert Histogram().percentile(50) is None


def test_histograms_merge_across_processes_as_json():
    a, b = Histogram(), Histogram()
    for _ in range(100):
        a.add(1.0)
        b.add(100.0)
    merged = Histogram.from_json(json.loads(json.dumps(a.to_json())))
    merged.merge(Histogram.from_json(json.loads(json.dumps(b.to_json()))))
    assert merged.count == 200 and merged.max == 100.0
    assert merged.percentile(25) == pytest.approx(1.0, rel=0.02)
    assert merged.percentile(75) == pytest.approx(100.0, rel=0.02)


# ---------------------------------------------------------------- abuse limits


def test_a_trusted_source_is_not_limited_per_source_but_accounts_still_are():
    limits = AbuseLimits(Policy(codes_per_source=Bucket(2, 60.0)),
                         trusted_sources=frozenset({"ip:127.0.0.1"}))
    for i in range(50):  # a fleet registering many accounts from one address
        with limits.code_request(f"car{i}@fleet.example.com", "ip:127.0.0.1", T0):
            pass
    for i in range(2):
        with limits.code_request(f"x{i}@example.com", "ip:10.0.0.9", T0):
            pass
    with pytest.raises(CloudError) as exc, limits.code_request("y@example.com", "ip:10.0.0.9", T0):
        pass
    assert exc.value.code == "rate_limited"  # any other address is limited as before
    for _ in range(5):  # per identifier: 5 codes, trusted source or not
        with limits.code_request("one@fleet.example.com", "ip:127.0.0.1", T0 + 1):
            pass
    with pytest.raises(CloudError), limits.code_request("one@fleet.example.com",
                                                        "ip:127.0.0.1", T0 + 1):
        pass


# ---------------------------------------------------------------- the decoder


def _status(**changes) -> bytes:  # noqa: ANN003
    st = status.build(new_state(VIN, find_model("mg4"), T0, **changes), epoch="e1", seq=1)
    return m.encode(st)


def careful(payload: bytes):  # noqa: ANN201 - the decoder as it was: json.loads, then the schema
    try:
        return pv.VEHICLE_STATUS.validate_python(json.loads(payload))
    except Exception:  # noqa: BLE001
        return None


@pytest.mark.parametrize("case", [
    "good", "duplicate key", "duplicate key, bad value", "trailing garbage",
    "trailing whitespace", "byte order mark", "utf-16", "int for a float", "float for an int",
    "bool for an int", "big int", "1e400", "bad utf-8", "string for a bool", "null", "nan"])
def test_the_one_pass_decoder_accepts_exactly_what_the_careful_one_does(case):
    good = _status()
    d = json.loads(good)
    payload = {
        "good": good,
        "duplicate key": good[:-1] + b',"seq":5}',
        "duplicate key, bad value": good[:-1] + b',"seq":"x"}',
        "trailing garbage": good + b" x",
        "trailing whitespace": good + b" \n",
        "byte order mark": b"\xef\xbb\xbf" + good,
        "utf-16": good.decode().encode("utf-16"),
        "int for a float": json.dumps({**d, "drivetrain": {**d["drivetrain"], "soc": 50}}).encode(),
        "float for an int": json.dumps({**d, "seq": 1.0}).encode(),
        "bool for an int": json.dumps({**d, "seq": True}).encode(),
        "big int": json.dumps({**d, "seq": 10**30}).encode(),
        "1e400": good.replace(b'"seq":1', b'"seq":1e400'),
        "bad utf-8": good.replace(b'"e1"', b'"e\xff"'),
        "string for a bool": json.dumps({**d, "doors": {**d["doors"], "locked": "true"}}).encode(),
        "null": json.dumps({**d, "epoch": None}).encode(),
        "nan": good.replace(b'"soc":70.0', b'"soc":NaN'),
    }[case]
    expected = careful(payload)
    try:
        got = m.decode(pv.VEHICLE_STATUS, payload)
    except m.ProtocolError:
        got = None
    assert got == expected


def test_the_decoder_still_says_why_a_payload_is_refused():
    with pytest.raises(m.ProtocolError, match="not JSON"):
        m.decode(pv.VEHICLE_STATUS, b"{nope")
    with pytest.raises(m.ProtocolError, match=r"^seq: "):
        m.decode(pv.VEHICLE_STATUS, _status().replace(b'"seq":1', b'"seq":"one"'))


# ---------------------------------------------------------------- the relay


class FakeConn:
    """The relay's MQTT connection, capturing what it publishes."""

    def __init__(self) -> None:
        self.handlers: dict[str, object] = {}
        self.published: list[tuple[str, bytes]] = []

    def subscribe(self, topic_filter, handler, qos=1):  # noqa: ANN001
        self.handlers[topic_filter] = handler

    def on_connectivity(self, listener) -> None:  # noqa: ANN001
        pass

    def publish(self, topic, payload, *, qos=1, retain=False, props=None):  # noqa: ANN001
        self.published.append((topic, payload))

        class Info:
            rc = 0
        return Info()


@pytest.fixture
def relay(tmp_path: Path):
    service = CloudService(CloudSettings(tmp_path / "cloud.sqlite3", "http://cloud"),
                           ScaledClock())
    conn = FakeConn()
    r = VehicleRelay(conn, service)  # type: ignore[arg-type]
    yield r, conn, service
    service.close()


def test_the_relay_forwards_the_validated_bytes_unchanged(relay):
    r, conn, _ = relay
    payload = _status().replace(b",", b", ")  # not how the cloud would encode it
    r._status(topics.vehicle(VIN, topics.CAR_STATUS), payload, None)
    assert conn.published == [(topics.vehicle(VIN, topics.STATUS), payload)]
    assert r.status(VIN).seq == 1
    r._status(topics.vehicle(VIN, topics.CAR_STATUS), b'{"type": "vehicle_status"}', None)
    assert len(conn.published) == 1 and r.dropped == 1  # an invalid one goes nowhere


def test_an_alert_repeated_in_every_status_is_stored_once(relay, monkeypatch):
    r, conn, service = relay
    bound = service.vehicle_record  # the car is bound to "acc1" since T0 - 10
    monkeypatch.setattr(service, "vehicle_record", lambda vin: _bound_record(bound, vin))
    service.db.execute("PRAGMA foreign_keys=OFF")
    writes: list[str] = []
    service.db.set_trace_callback(lambda sql: writes.append(sql) if "INSERT" in sql else None)
    alert = Alert(id=1, code="tyre_pressure_low", title="Tyre pressure low", time=T0,
                  severity="warning")
    for seq in range(1, 6):
        st = status.build(new_state(VIN, find_model("mg4"), T0, alerts=(alert,)),
                          epoch="e1", seq=seq)
        r._status(topics.vehicle(VIN, topics.CAR_STATUS), m.encode(st), None)
    assert len(conn.published) == 5
    assert len(writes) == 1
    rows = service.db.execute("SELECT account_id, code FROM vehicle_notifications").fetchall()
    assert [tuple(row) for row in rows] == [("acc1", "tyre_pressure_low")]


def _bound_record(_orig, vin):  # noqa: ANN001, ANN202
    from firmware_sim.cloud.lifecycle import Vehicle

    return Vehicle(vin=vin, model="MG4 Electric", bound_user="acc1", bound_since=T0 - 10)
