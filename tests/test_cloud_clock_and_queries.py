"""The cloud service without a broker (real SQLite): its simulated clock persists so a
restart never moves it back, and ``is_bound`` answers the one question status pushing asks."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from firmware_sim.cloud import accounts, db, notifications
from firmware_sim.cloud.service import CloudService, CloudSettings
from headunit.clock import ScaledClock


def service(tmp_path, scale: float = 1.0) -> CloudService:
    return CloudService(CloudSettings(tmp_path / "cloud.sqlite3", "http://127.0.0.1:1"),
                        ScaledClock(scale))


def test_an_advanced_clock_is_still_ahead_after_a_restart(tmp_path):
    s = service(tmp_path)
    moved = s.ownership.advance_time(72 * 3600)["now"]
    s.db.close()  # like a kill -9: nothing else is written on the way out
    again = service(tmp_path)
    assert again.clock.now() >= moved
    assert again.clock.now() - moved < 60


def test_a_fast_clock_saves_its_lead_as_it_runs(tmp_path):
    s = service(tmp_path, scale=10_000)
    time.sleep(0.3)  # 3000 simulated seconds
    s.sweep()  # the sweeper saves the clock once it drifted from real time
    saved = json.loads(db.get_meta(s.db, "clock"))
    assert saved["sim"] - saved["real"] > 2000
    s.db.close()
    assert service(tmp_path).clock.now() >= saved["sim"]


def test_is_bound_user_turns_false_the_moment_a_binding_ends(tmp_path):
    s = service(tmp_path)
    vin = "LSJA24U66PS000001"
    s.provision(vin, "A" * 43, "MG4 Electric")
    with s.lock, db.Transaction(s.db) as conn:
        ann = accounts.create(conn, "ann@example.com", "email", "Ann", "a long secret", 0.0,
                              "fast")
    v = s.vehicle_record(vin)
    with s.lock, db.Transaction(s.db) as conn:
        db.save_vehicle(conn, replace(v, car_user=ann.id, bound_user=ann.id, bound_since=1.0))
    assert s.is_bound_user(ann.id, vin) and not s.is_bound_user("someone", vin)
    s.ownership.dealer_unbind(vin, "MG-7", "MG Aarhus")
    assert not s.is_bound_user(ann.id, vin)
    assert s.ownership.audit_log(vin)[0]["actor"] == "dealer:MG Aarhus"


def test_notification_texts_name_the_car_and_the_deadline():
    p = {"vin": "LSJA24U66PS000001", "model": "MG4 Electric", "deadline": "1800000000"}
    text = notifications.render("force_unbind_request", p)
    assert "MG4 Electric (VIN ending …0001)" in text and "2027-01-15 08:00 UTC" in text
    assert "MG dealer" in notifications.render("force_unbind_rejected", p)
    assert "case MG-1" in notifications.render("binding_removed",
                                               {**p, "by": "dealer", "case": "MG-1"})
