"""A kiosk car's reset for the next visitor, as a pure transition of the cloud's lifecycle:
who may ask, what it clears, what it tells whom, and that a repeat changes nothing."""

from __future__ import annotations

from dataclasses import replace

from firmware_sim.cloud import lifecycle as lc
from firmware_sim.cloud.kiosk_reset import KioskReset
from firmware_sim.cloud.lifecycle import (
    Audit,
    Done,
    ForceRequest,
    NotifyPhone,
    Offer,
    PendingScan,
    PublishSession,
    TellCar,
    Vehicle,
    notice,
    step,
)

VIN = "LSJA24U66PS000001"
T0 = 1_800_000_000.0
ANN, BOB = "acct_ann", "acct_bob"


def visited(**changes: object) -> Vehicle:
    """A demo car a visitor (Ann) logged into and bound."""
    v = Vehicle(VIN, "MG4 Electric", car_user=ANN, bound_user=ANN, bound_since=T0 - 60, seq=3)
    return replace(v, **changes)


def of(t: lc.Transition, kind: type) -> list:
    return [e for e in t.effects if isinstance(e, kind)]


def test_the_head_unit_of_a_kiosk_car_resets_it_for_the_next_visitor():
    t = step(visited(), KioskReset(T0, "headunit", kiosk_car=True))
    v = t.vehicle
    assert (v.car_user, v.bound_user, v.bound_since, v.scan) == (None, None, None, None)
    assert v.seq == 4  # one change
    assert of(t, PublishSession) == [PublishSession()]
    assert notice("kiosk_reset") in t.effects
    car = (("model", "MG4 Electric"), ("vin", VIN))
    assert of(t, NotifyPhone) == [NotifyPhone(ANN, "kiosk_reset", car)]
    [audit] = of(t, Audit)
    assert (audit.action, audit.actor) == ("kiosk_reset", "headunit")
    assert ("previous_user", ANN) in audit.params
    assert of(t, Done) == [Done("reset")] and t.refused is None


def test_a_car_that_is_no_kiosk_is_refused_and_keeps_its_owner():
    v = visited()
    t = step(v, KioskReset(T0, "headunit", kiosk_car=False))
    assert t.refused == "not_kiosk_car"
    assert t.vehicle == v
    assert not of(t, PublishSession) and not of(t, NotifyPhone) and not of(t, Audit)


def test_an_admin_may_reset_any_car():
    t = step(visited(), KioskReset(T0, "admin", kiosk_car=False))
    assert t.refused is None and t.vehicle.bound_user is None
    assert of(t, Audit)[0].actor == "admin"


def test_a_clean_car_answers_clean_and_changes_nothing():
    clean = Vehicle(VIN, "MG4 Electric", seq=9)
    t = step(clean, KioskReset(T0, "headunit", kiosk_car=True))
    assert t.vehicle == clean
    assert t.effects == (Done("clean"),)


def test_a_repeated_reset_after_a_lost_answer_is_not_done_twice():
    first = step(visited(), KioskReset(T0, "headunit", kiosk_car=True))
    again = step(first.vehicle, KioskReset(T0 + 1, "headunit", kiosk_car=True))
    assert again.vehicle == first.vehicle
    assert again.effects == (Done("clean"),)


def test_a_waiting_scan_offers_and_an_open_force_unbind_all_go():
    scan = PendingScan("scan1", "bind", ANN, T0 + 100)
    force = ForceRequest("req1", BOB, ANN, T0 - 10, T0 + 72 * 3600)
    v = visited(scan=scan, force=force, offers=(Offer(BOB, T0 + 500),))
    t = step(v, KioskReset(T0, "headunit", kiosk_car=True))
    assert t.vehicle.scan is None and t.vehicle.offers == ()
    assert t.vehicle.force is not None and not t.vehicle.force.open
    assert (t.vehicle.force.status, t.vehicle.force.closed) == ("reset", T0)
    assert TellCar("scan_closed", (("scan_id", "scan1"), ("outcome", "cancelled"))) in t.effects
    told = [n.account_id for n in of(t, NotifyPhone)]
    assert told == [ANN, BOB]  # the visitor, and whoever waited for the force unbind


def test_a_visitor_only_logged_in_is_logged_out_and_told_once():
    v = Vehicle(VIN, "MG4 Electric", car_user=BOB, seq=2)
    t = step(v, KioskReset(T0, "headunit", kiosk_car=True))
    assert t.vehicle.car_user is None and t.vehicle.seq == 3
    assert [n.account_id for n in of(t, NotifyPhone)] == [BOB]
