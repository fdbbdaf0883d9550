"""The cloud's ownership changes as a pure state machine: every transition, refusal and
effect of unbind, force unbinding (Agree / Reject / 72 hours) and dealer unbind, as data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from firmware_sim.cloud import lifecycle as lc
from firmware_sim.cloud.lifecycle import (
    FORCE_UNBIND_WAIT,
    OFFER_LIFETIME,
    Audit,
    DealerUnbind,
    Done,
    ForceRequest,
    ForceUnbindAnswered,
    ForceUnbindRequested,
    NotifyPhone,
    Offer,
    PublishSession,
    Refuse,
    ScanAccepted,
    Swept,
    TellCar,
    Unbind,
    Vehicle,
    notice,
    step,
)

VIN = "LSJA24U66PS000001"
T0 = 1_800_000_000.0
A, B, C = "acct_ann", "acct_bob", "acct_cat"


def bound_to_ann(**changes: object) -> Vehicle:
    v = Vehicle(VIN, "MG4 Electric", car_user=A, bound_user=A, bound_since=T0 - 100, seq=4)
    return replace(v, **changes)


def car(v: Vehicle, **extra: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"vin": v.vin, "model": v.model, **extra}.items()))


def of(t: lc.Transition, kind: type) -> list:
    return [e for e in t.effects if isinstance(e, kind)]


def refused_unchanged(v: Vehicle, event: lc.Event, code: str) -> lc.Transition:
    t = step(v, event)
    assert t.refused == code
    assert t.vehicle == v
    assert not of(t, PublishSession) and not of(t, NotifyPhone) and not of(t, Audit)
    return t


def with_pending(v: Vehicle | None = None, now: float = T0) -> Vehicle:
    """Bob scanned Ann's car and asked for a force unbind at ``now``."""
    v = v or bound_to_ann()
    v = step(v, ScanAccepted("s1", "login", B, now, now + 120)).vehicle
    t = step(v, ForceUnbindRequested("req1", B, now, True))
    assert t.refused is None, t
    return t.vehicle


# ---------------------------------------------------------------- unbind with a code


def test_bound_user_unbinding_frees_the_car_and_logs_them_out():
    v = bound_to_ann()
    t = step(v, Unbind(A, T0))
    assert (t.vehicle.bound_user, t.vehicle.car_user, t.vehicle.bound_since) == (None, None, None)
    assert t.vehicle.seq == v.seq + 1
    assert t.effects == (
        PublishSession(),
        notice("binding_removed", by="user"),
        NotifyPhone(A, "binding_removed", car(v, by="user")),
        Audit("unbind", f"account:{A}", "the bound user unbound the car with a verification code",
              (("previous_user", A),)),
        Done("unbound"),
    )


def test_unbinding_closes_a_scan_waiting_on_the_phone():
    v = bound_to_ann(scan=lc.PendingScan("s9", "login", A, T0 + 60))
    t = step(v, Unbind(A, T0))
    assert t.vehicle.scan is None
    assert TellCar("scan_closed", (("scan_id", "s9"), ("outcome", "cancelled"))) in t.effects


@pytest.mark.parametrize("v", [bound_to_ann(), Vehicle(VIN, "MG4 Electric")])
def test_only_the_bound_user_can_unbind(v):
    refused_unchanged(v, Unbind(B, T0), "not_bound_to_you")


# ---------------------------------------------------------------- offers


def test_scanning_a_car_bound_to_someone_else_is_refused_and_offers_force_unbinding():
    v = bound_to_ann()
    t = step(v, ScanAccepted("s1", "login", B, T0, T0 + 120))
    assert t.refusal == Refuse("bound_to_other_user",
                               (("vin", VIN), ("force_unbind", "available")))
    assert t.vehicle.offers == (Offer(B, T0 + OFFER_LIFETIME),)
    assert t.vehicle.seq == v.seq  # nothing the car shows changed
    assert notice("bound_to_other_user") in t.effects


def test_a_refused_password_login_at_the_car_also_offers_force_unbinding():
    t = step(bound_to_ann(car_user=None), lc.PasswordLoggedIn(B, T0))
    assert t.refused == "bound_to_other_user"
    assert t.vehicle.offers == (Offer(B, T0 + OFFER_LIFETIME),)


def test_offers_are_forgotten_when_they_expire():
    v = step(bound_to_ann(), ScanAccepted("s1", "login", B, T0, T0 + 120)).vehicle
    assert step(v, Swept(T0 + OFFER_LIFETIME - 1)).vehicle.offers == v.offers
    assert step(v, Swept(T0 + OFFER_LIFETIME)).vehicle.offers == ()


def test_offers_are_capped_so_scans_cannot_grow_the_record():
    v = bound_to_ann()
    for i in range(50):
        v = step(v, ScanAccepted(f"s{i}", "login", f"acct_{i}", T0, T0 + 120)).vehicle
    assert len(v.offers) == lc.MAX_OFFERS
    assert v.offers[-1].account_id == "acct_49"


# ---------------------------------------------------------------- requesting


def test_a_force_unbind_request_notifies_both_users_and_the_car():
    v = step(bound_to_ann(), ScanAccepted("s1", "login", B, T0, T0 + 120)).vehicle
    t = step(v, ForceUnbindRequested("req1", B, T0 + 5, True))
    deadline = T0 + 5 + FORCE_UNBIND_WAIT
    assert t.vehicle.force == ForceRequest("req1", B, A, T0 + 5, deadline)
    assert t.vehicle.bound_user == A  # nothing is unbound yet
    assert t.vehicle.offers == ()  # the offer is used up
    assert t.vehicle.seq == v.seq + 1  # the car shows "waiting for the previous owner"
    when = str(int(deadline))
    assert t.effects == (
        PublishSession(),
        notice("force_unbind_requested", deadline=when),
        NotifyPhone(A, "force_unbind_request", car(v, deadline=when), request_id="req1",
                    actions=("agree", "reject")),
        NotifyPhone(B, "force_unbind_sent", car(v, deadline=when), request_id="req1"),
        Audit("force_unbind_requested", f"account:{B}",
              "a new user asked to unbind the previous user",
              (("previous_user", A), ("request_id", "req1"), ("deadline", when))),
        Done("requested"),
    )


def test_force_unbinding_needs_a_recent_scan_of_the_car():
    refused_unchanged(bound_to_ann(), ForceUnbindRequested("r", B, T0, True),
                      "force_unbind_needs_scan")
    v = step(bound_to_ann(), ScanAccepted("s1", "login", B, T0, T0 + 120)).vehicle
    refused_unchanged(v, ForceUnbindRequested("r", B, T0 + OFFER_LIFETIME, True),
                      "force_unbind_needs_scan")


def test_force_unbinding_needs_the_confirmation_that_a_push_goes_to_the_previous_user():
    v = step(bound_to_ann(), ScanAccepted("s1", "login", B, T0, T0 + 120)).vehicle
    refused_unchanged(v, ForceUnbindRequested("r", B, T0, False), "confirmation_required")


def test_force_unbinding_a_free_car_or_ones_own_is_refused():
    refused_unchanged(Vehicle(VIN, "MG4 Electric"), ForceUnbindRequested("r", B, T0, True),
                      "car_not_bound")
    refused_unchanged(bound_to_ann(), ForceUnbindRequested("r", A, T0, True), "already_bound")


def test_a_second_request_while_one_is_pending_is_refused_with_its_deadline():
    v = with_pending()
    v = step(v, ScanAccepted("s2", "login", C, T0 + 10, T0 + 130)).vehicle
    t = refused_unchanged(v, ForceUnbindRequested("req2", C, T0 + 10, True),
                          "force_unbind_pending")
    assert t.refusal.details == (("deadline", str(int(T0 + FORCE_UNBIND_WAIT))),)
    refused_unchanged(v, ForceUnbindRequested("req3", B, T0 + 10, True), "force_unbind_pending")


def test_a_scan_while_a_request_is_pending_says_so():
    v = with_pending()
    t = step(v, ScanAccepted("s3", "login", C, T0 + 10, T0 + 130))
    assert dict(t.refusal.details)["force_unbind"] == "pending"


# ---------------------------------------------------------------- answers


def test_agree_unbinds_at_once_and_tells_the_new_user():
    v = with_pending()
    t = step(v, ForceUnbindAnswered("req1", A, True, T0 + 60))
    assert (t.vehicle.bound_user, t.vehicle.car_user) == (None, None)
    assert t.vehicle.force == replace(v.force, status="agreed", closed=T0 + 60)
    assert t.effects == (
        PublishSession(),
        notice("unbind_completed", by="agreed"),
        NotifyPhone(A, "binding_removed", car(v, by="agreed"), request_id="req1"),
        NotifyPhone(B, "unbind_completed", car(v, by="agreed"), request_id="req1"),
        Audit("force_unbind_agreed", f"account:{A}",
              "the previous user agreed to the force unbind",
              (("previous_user", A), ("request_id", "req1"))),
        Done("unbound"),
    )


def test_the_new_user_may_log_in_once_the_car_is_unbound():
    v = step(with_pending(), ForceUnbindAnswered("req1", A, True, T0 + 60)).vehicle
    t = step(v, ScanAccepted("s5", "login", B, T0 + 70, T0 + 190))
    assert t.refused is None and t.vehicle.scan.account_id == B


def test_reject_keeps_the_binding_and_sends_the_new_user_to_a_dealer():
    v = with_pending()
    t = step(v, ForceUnbindAnswered("req1", A, False, T0 + 60))
    assert t.vehicle.bound_user == A and t.vehicle.car_user == A
    assert t.vehicle.force.status == "rejected" and t.vehicle.seq == v.seq + 1
    assert t.effects == (
        PublishSession(),
        notice("force_unbind_rejected"),
        NotifyPhone(B, "force_unbind_rejected", car(v), request_id="req1"),
        Audit("force_unbind_rejected", f"account:{A}",
              "the previous user rejected the force unbind",
              (("request_id", "req1"), ("requester", B))),
        Done("rejected"),
    )
    # the 72 hours no longer run, and nobody can ask again: a dealer must do it
    assert step(t.vehicle, Swept(T0 + 2 * FORCE_UNBIND_WAIT)).vehicle.bound_user == A
    again = step(t.vehicle, ScanAccepted("s6", "login", C, T0 + 90, T0 + 210)).vehicle
    refused_unchanged(again, ForceUnbindRequested("req9", C, T0 + 90, True),
                      "force_unbind_rejected")


@pytest.mark.parametrize("who,request_id", [(B, "req1"), (C, "req1"), (A, "nope")])
def test_only_the_previous_user_can_answer_their_request(who, request_id):
    refused_unchanged(with_pending(), ForceUnbindAnswered(request_id, who, True, T0 + 1),
                      "force_unbind_not_found")


def test_a_request_can_be_answered_only_once():
    v = step(with_pending(), ForceUnbindAnswered("req1", A, False, T0 + 1)).vehicle
    refused_unchanged(v, ForceUnbindAnswered("req1", A, True, T0 + 2), "force_unbind_closed")


# ---------------------------------------------------------------- 72 hours


def test_no_answer_for_72_hours_completes_the_unbind():
    v = with_pending()
    assert step(v, Swept(T0 + FORCE_UNBIND_WAIT - 1)) == lc.Transition(v, ())
    t = step(v, Swept(T0 + FORCE_UNBIND_WAIT))
    assert t.vehicle.bound_user is None and t.vehicle.force.status == "timed_out"
    assert t.effects == (
        PublishSession(),
        notice("unbind_completed", by="timed_out"),
        NotifyPhone(A, "binding_removed", car(v, by="timed_out"), request_id="req1"),
        NotifyPhone(B, "unbind_completed", car(v, by="timed_out"), request_id="req1"),
        Audit("force_unbind_timed_out", "cloud",
              "the previous user did not answer within 72 hours",
              (("previous_user", A), ("request_id", "req1"))),
        Done("unbound"),
    )


def test_an_answer_after_the_deadline_is_too_late_and_the_unbind_completes():
    t = step(with_pending(), ForceUnbindAnswered("req1", A, False, T0 + FORCE_UNBIND_WAIT + 1))
    assert t.refused == "force_unbind_closed"
    assert t.vehicle.bound_user is None and t.vehicle.force.status == "timed_out"


# ---------------------------------------------------------------- dealer and other endings


def test_a_dealer_unbinds_after_a_rejection_and_both_users_are_told():
    v = step(with_pending(), ForceUnbindAnswered("req1", A, False, T0 + 1)).vehicle
    t = step(v, DealerUnbind("MG Aarhus", "MG-42", "registration papers seen", T0 + 500))
    assert t.vehicle.bound_user is None and t.vehicle.force.status == "dealer"
    assert t.effects == (
        PublishSession(),
        notice("unbind_completed", by="dealer"),
        NotifyPhone(A, "binding_removed", car(v, by="dealer", case="MG-42"), request_id="req1"),
        NotifyPhone(B, "unbind_completed", car(v, by="dealer", case="MG-42"), request_id="req1"),
        Audit("dealer_unbind", "dealer:MG Aarhus", "case MG-42: registration papers seen",
              (("previous_user", A), ("request_id", "req1"), ("case", "MG-42"))),
        Done("unbound"),
    )


def test_a_dealer_can_unbind_without_any_request_but_not_a_free_car():
    t = step(bound_to_ann(), DealerUnbind("MG Aarhus", "MG-43", "", T0))
    assert t.vehicle.bound_user is None
    assert [e.account_id for e in of(t, NotifyPhone)] == [A]
    refused_unchanged(t.vehicle, DealerUnbind("MG Aarhus", "MG-44", "", T0), "car_not_bound")


def test_the_previous_user_unbinding_themselves_closes_a_pending_request():
    t = step(with_pending(), Unbind(A, T0 + 30))
    assert t.vehicle.force.status == "unbound"
    assert NotifyPhone(B, "unbind_completed", car(t.vehicle, by="previous_user"),
                       request_id="req1") in t.effects


def test_a_new_request_is_possible_for_the_next_binding():
    v = step(with_pending(), ForceUnbindAnswered("req1", A, True, T0 + 1)).vehicle
    v = replace(v, car_user=B, bound_user=B, bound_since=T0 + 2)
    v = step(v, ScanAccepted("s7", "login", C, T0 + 3, T0 + 120)).vehicle
    t = step(v, ForceUnbindRequested("req2", C, T0 + 3, True))
    assert t.refused is None and t.vehicle.force.previous_user == B
