"""The cloud's pure binding lifecycle: transitions, refusals and effects as data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from firmware_sim.cloud import lifecycle as lc

VIN = "LSJA24U66PS000001"


def fresh(**kw) -> lc.Vehicle:
    return lc.Vehicle(vin=VIN, model="MG4 Electric", **kw)


def scan(purpose: str, who: str, sid: str = "s1", now: float = 0.0) -> lc.ScanAccepted:
    return lc.ScanAccepted(sid, purpose, who, now, now + 120)


def test_login_scan_then_confirm_logs_the_user_into_the_car():
    t = lc.step(fresh(), scan("login", "ann"))
    assert t.vehicle.scan.purpose == "login" and lc.Done("scanned") in t.effects
    assert t.effects[0].kind == "scanned"
    t = lc.step(t.vehicle, lc.ScanConfirmed("s1", "ann", 1.0))
    assert t.vehicle.car_user == "ann" and t.vehicle.bound_user is None and t.vehicle.seq == 1
    assert lc.PublishSession() in t.effects and lc.Done("logged_in") in t.effects


def test_bind_scan_by_the_logged_in_user_binds_the_car():
    v = fresh(car_user="ann", seq=1)
    t = lc.step(lc.step(v, scan("bind", "ann")).vehicle, lc.ScanConfirmed("s1", "ann", 5.0))
    assert t.vehicle.bound_user == "ann" and t.vehicle.bound_since == 5.0
    assert lc.Done("bound") in t.effects


@pytest.mark.parametrize("vehicle, purpose, who, code", [
    (fresh(car_user="ann"), "login", "bob", "wrong_purpose"),
    (fresh(), "bind", "ann", "wrong_purpose"),
    (fresh(car_user="ann"), "bind", "bob", "not_car_user"),
    (fresh(car_user="ann", bound_user="ann"), "bind", "ann", "already_bound"),
    (fresh(bound_user="ann"), "login", "bob", "bound_to_other_user"),
    (fresh(car_user="ann", bound_user="ann"), "bind", "bob", "bound_to_other_user"),
])
def test_scans_that_break_the_rules_are_refused_and_change_nothing(vehicle, purpose, who, code):
    t = lc.step(vehicle, scan(purpose, who))
    # a refused scan of a car bound to someone else records only that the account may ask for
    # a force unbind for a while (issue 4); nothing the car shows changes
    assert t.refused == code and replace(t.vehicle, offers=vehicle.offers) == vehicle


def test_the_person_at_a_bound_car_is_told_when_another_account_scans():
    t = lc.step(fresh(bound_user="ann"), scan("login", "bob"))
    assert lc.TellCar("notice", (("code", "bound_to_other_user"), ("params", ()))) in t.effects


def test_the_owner_logging_in_again_is_bound_at_once():
    t = lc.step(lc.step(fresh(bound_user="ann"), scan("login", "ann")).vehicle,
                lc.ScanConfirmed("s1", "ann", 1.0))
    assert t.vehicle.car_user == "ann" and lc.Done("bound") in t.effects


def test_only_the_scanning_account_can_confirm_and_only_in_time():
    v = lc.step(fresh(), scan("login", "ann")).vehicle
    assert lc.step(v, lc.ScanConfirmed("s1", "bob", 1.0)).refused == "scan_not_found"
    late = lc.step(v, lc.ScanConfirmed("s1", "ann", 500.0))
    assert late.refused == "scan_expired" and late.vehicle.scan is None
    assert late.vehicle.car_user is None


def test_a_newer_scan_supersedes_a_waiting_one():
    v = lc.step(fresh(), scan("login", "ann", "s1")).vehicle
    t = lc.step(v, scan("login", "bob", "s2"))
    assert t.vehicle.scan.scan_id == "s2"
    assert lc.TellCar("scan_closed", (("scan_id", "s1"), ("outcome", "cancelled"))) in t.effects


def test_sweeping_expires_a_waiting_scan():
    v = lc.step(fresh(), scan("login", "ann")).vehicle
    assert lc.step(v, lc.Swept(10.0)).vehicle.scan is not None
    t = lc.step(v, lc.Swept(120.0))
    assert t.vehicle.scan is None and t.effects[0].fields[1] == ("outcome", "expired")


def test_password_login_follows_the_same_ownership_rule():
    assert lc.step(fresh(bound_user="ann"), lc.PasswordLoggedIn("bob")).refused == \
        "bound_to_other_user"
    t = lc.step(fresh(), lc.PasswordLoggedIn("ann"))
    assert t.vehicle.car_user == "ann" and lc.Done("logged_in") in t.effects
    again = lc.step(t.vehicle, lc.PasswordLoggedIn("ann"))
    assert again.vehicle == t.vehicle and lc.Done("logged_in") in again.effects


def test_logout_keeps_the_binding():
    t = lc.step(fresh(car_user="ann", bound_user="ann", seq=3), lc.LoggedOut(None))
    assert t.vehicle.car_user is None and t.vehicle.bound_user == "ann" and t.vehicle.seq == 4
    assert lc.step(fresh(car_user="ann"), lc.LoggedOut("bob")).refused == "not_car_user"
