"""The cloud service without a broker (real SQLite): its simulated clock persists so a
restart never moves it back, and ``is_bound`` answers the one question status pushing asks."""

from __future__ import annotations

import json
import time

from firmware_sim.cloud import db, notifications
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


def test_is_bound_follows_the_binding(tmp_path):
    s = service(tmp_path)
    assert not s.is_bound("nobody", "LSJA24U66PS000001")
    assert s.bound_account("LSJA24U66PS000001") is None


def test_notification_texts_name_the_car_and_the_deadline():
    p = {"vin": "LSJA24U66PS000001", "model": "MG4 Electric", "deadline": "1800000000"}
    text = notifications.render("force_unbind_request", p)
    assert "MG4 Electric (VIN ending …0001)" in text and "2027-01-15 08:00 UTC" in text
    assert "MG dealer" in notifications.render("force_unbind_rejected", p)
    assert "case MG-1" in notifications.render("binding_removed",
                                               {**p, "by": "dealer", "case": "MG-1"})
