"""Ownership changes of a car, as pure transitions of :mod:`.lifecycle`'s machine.

- **Unbind** (seed section 6): the bound user, with a verification code (checked by the
  service), removes the binding. The car goes back to the login QR.
- **Force unbinding** (seed section 7): a new user who has just scanned the bound car (an
  :class:`~.lifecycle.Offer`) asks, confirming that a push goes to the previous user. The
  previous user answers **Agree** (unbound at once) or **Reject** (not unbound; only a dealer can
  do it now); with no answer the car is unbound :data:`~.lifecycle.FORCE_UNBIND_WAIT` (72 h)
  after the request. One open request per car: a second one is refused.
- **Dealer unbind**: an MG dealer who has seen proof of ownership unbinds the car.

Every path removes the binding and logs the car's user out in one step, publishes the session
state, tells the person at the car, notifies both users' phones and writes the audit log, all
as effects (data). Nothing here reads a clock or touches I/O.
"""

from __future__ import annotations

from dataclasses import replace

from .lifecycle import (
    FORCE_UNBIND_WAIT,
    Audit,
    DealerUnbind,
    Done,
    Effect,
    ForceRequest,
    ForceUnbindAnswered,
    ForceUnbindRequested,
    NotifyPhone,
    PublishSession,
    Refuse,
    Transition,
    Unbind,
    Vehicle,
    _changed,
    _closed,
    _refuse,
    notice,
)

Params = tuple[tuple[str, str], ...]


def _when(t: float) -> str:
    return str(int(t))


def _car(v: Vehicle, **extra: str) -> Params:
    return tuple(sorted({"vin": v.vin, "model": v.model, **extra}.items()))


def step(v: Vehicle, event: object) -> Transition:
    if isinstance(event, Unbind):
        return _unbind(v, event)
    if isinstance(event, ForceUnbindRequested):
        return _request(v, event)
    if isinstance(event, ForceUnbindAnswered):
        return _answer(v, event)
    if isinstance(event, DealerUnbind):
        return _dealer(v, event)
    raise TypeError(f"unknown ownership event {event!r}")


def swept(v: Vehicle, now: float) -> Transition:
    """Expire a waiting scan and old offers; complete a force unbind that got no answer."""
    effects: list[Effect] = []
    if v.scan is not None and now >= v.scan.expires:
        effects.append(_closed(v.scan, "expired"))
        v = replace(v, scan=None)
    offers = tuple(o for o in v.offers if o.expires > now)
    if offers != v.offers:
        v = replace(v, offers=offers)
    f = v.force
    if f is not None and f.status == "pending" and now >= f.deadline:
        t = _release(v, now, how="timed_out", actor="cloud",
                     reason="the previous user did not answer within 72 hours")
        return Transition(t.vehicle, (*effects, *t.effects))
    return Transition(v, tuple(effects))


# ---------------------------------------------------------------- the transitions


def _release(v: Vehicle, now: float, *, how: str, actor: str, reason: str,
             extra: Params = ()) -> Transition:
    """The car without its bound user, and nobody logged in: the login QR shows again.

    ``how`` says who ended the binding: ``user`` (unbound with a code), ``agreed``,
    ``timed_out``, ``dealer``. An open force unbind request closes with it, and its requester
    is told the car is free.
    """
    assert v.bound_user is not None
    previous = v.bound_user
    f = v.force
    force = replace(f, status=how if how != "user" else "unbound", closed=now) \
        if f is not None and f.open else f
    new = _changed(v, car_user=None, bound_user=None, bound_since=None, scan=None, force=force)
    effects: list[Effect] = [PublishSession()]
    if v.scan is not None:
        effects.append(_closed(v.scan, "cancelled"))
    if how == "user":
        effects.append(notice("binding_removed", by=how))
    else:
        effects.append(notice("unbind_completed", by=how))
    effects.append(NotifyPhone(previous, "binding_removed", _car(v, by=how, **dict(extra)),
                               request_id=f.request_id if f is not None and f.open else None))
    if f is not None and f.open:
        effects.append(NotifyPhone(f.requester, "unbind_completed",
                                   _car(v, by=how if how != "user" else "previous_user",
                                        **dict(extra)),
                                   request_id=f.request_id))
    action = {"user": "unbind", "dealer": "dealer_unbind"}.get(how, f"force_unbind_{how}")
    params = (("previous_user", previous),
              *((("request_id", f.request_id),) if f is not None and f.open else ()),
              *extra)
    effects += [Audit(action, actor, reason, params), Done("unbound")]
    return Transition(new, tuple(effects))


def _unbind(v: Vehicle, e: Unbind) -> Transition:
    if v.bound_user is None or v.bound_user != e.account_id:
        return _refuse(v, "not_bound_to_you")
    return _release(v, e.now, how="user", actor=f"account:{e.account_id}",
                    reason="the bound user unbound the car with a verification code")


def _request(v: Vehicle, e: ForceUnbindRequested) -> Transition:
    if v.bound_user is None:
        return _refuse(v, "car_not_bound")
    if v.bound_user == e.account_id:
        return _refuse(v, "already_bound")
    f = v.force
    if f is not None and f.status == "pending":
        return _refuse(v, "force_unbind_pending", details=(("deadline", _when(f.deadline)),))
    if f is not None and f.status == "rejected":
        return _refuse(v, "force_unbind_rejected")
    if not any(o.account_id == e.account_id and o.expires > e.now for o in v.offers):
        return _refuse(v, "force_unbind_needs_scan")
    if not e.push_confirmed:
        return _refuse(v, "confirmation_required")
    deadline = e.now + FORCE_UNBIND_WAIT
    req = ForceRequest(e.request_id, e.account_id, v.bound_user, e.now, deadline)
    new = _changed(v, force=req,
                   offers=tuple(o for o in v.offers if o.account_id != e.account_id))
    when = _when(deadline)
    return Transition(new, (
        PublishSession(),
        notice("force_unbind_requested", deadline=when),
        NotifyPhone(v.bound_user, "force_unbind_request", _car(v, deadline=when),
                    request_id=e.request_id, actions=("agree", "reject")),
        NotifyPhone(e.account_id, "force_unbind_sent", _car(v, deadline=when),
                    request_id=e.request_id),
        Audit("force_unbind_requested", f"account:{e.account_id}",
              "a new user asked to unbind the previous user",
              (("previous_user", v.bound_user), ("request_id", e.request_id),
               ("deadline", when))),
        Done("requested"),
    ))


def _answer(v: Vehicle, e: ForceUnbindAnswered) -> Transition:
    f = v.force
    if f is None or f.request_id != e.request_id or f.previous_user != e.account_id:
        return _refuse(v, "force_unbind_not_found")
    if f.status != "pending":
        return _refuse(v, "force_unbind_closed")
    if e.now >= f.deadline:  # too late: the 72 hours are over, it completes now
        t = swept(v, e.now)
        return Transition(t.vehicle, (*t.effects, Refuse("force_unbind_closed")))
    actor = f"account:{e.account_id}"
    if e.agree:
        return _release(v, e.now, how="agreed", actor=actor,
                        reason="the previous user agreed to the force unbind")
    new = _changed(v, force=replace(f, status="rejected", closed=e.now))
    return Transition(new, (
        PublishSession(),
        notice("force_unbind_rejected"),
        NotifyPhone(f.requester, "force_unbind_rejected", _car(v), request_id=f.request_id),
        Audit("force_unbind_rejected", actor, "the previous user rejected the force unbind",
              (("request_id", f.request_id), ("requester", f.requester))),
        Done("rejected"),
    ))


def _dealer(v: Vehicle, e: DealerUnbind) -> Transition:
    if v.bound_user is None:
        return _refuse(v, "car_not_bound")
    reason = f"case {e.case}" + (f": {e.reason}" if e.reason else "")
    return _release(v, e.now, how="dealer", actor=f"dealer:{e.dealer}", reason=reason,
                    extra=(("case", e.case),))

