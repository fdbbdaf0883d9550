"""A kiosk car's reset for the next visitor, as a pure transition of :mod:`.lifecycle`'s machine.

A dealership's demo head unit (``ismart-headunit --kiosk --reset-on-idle``) asks for it when
nobody has touched the screen for a while: the visitor who tried iSmart is logged out of the
car and the car is unbound from their account, so the next visitor starts fresh.

- The head unit may ask only for a car marked as a kiosk car (``ismart-cloud serve
  --kiosk-vin VIN`` or the admin API); any other car is refused with ``not_kiosk_car``, so a
  head unit can never wipe a real customer's binding. An admin (test rigs, the scenario
  runner) may reset any car.
- Everything goes in one step: the user in the car, the binding, a scan waiting on a phone,
  force-unbind offers and an open force unbind request. The session state is published, the
  person at the car sees the notice ``kiosk_reset``, each account that lost the car gets a
  notification, and the audit log says who and why.
- A car with nothing to clear answers ``clean`` and changes nothing (no new ``seq``): a head
  unit that retries after a lost answer never causes a second change.

Nothing here reads a clock or touches I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .lifecycle import (
    Audit,
    Done,
    Effect,
    NotifyPhone,
    PublishSession,
    Transition,
    Vehicle,
    _changed,
    _closed,
    _refuse,
    notice,
)


@dataclass(frozen=True)
class KioskReset:
    """Reset the car for the next visitor. ``by``: ``headunit`` (the car's own kiosk) or
    ``admin``; ``kiosk_car``: whether the car is marked as a kiosk car (looked up by the
    service)."""

    now: float
    by: str
    kiosk_car: bool


CLOSED_BY_RESET = "reset"  # the status an open force unbind request closes with


def step(v: Vehicle, e: KioskReset) -> Transition:
    if e.by != "admin" and not e.kiosk_car:
        return _refuse(v, "not_kiosk_car")
    f = v.force
    open_force = f is not None and f.open
    if (v.car_user is None and v.bound_user is None and v.scan is None and not v.offers
            and not open_force):
        return Transition(v, (Done("clean"),))
    force = replace(f, status=CLOSED_BY_RESET, closed=e.now) if open_force else f
    new = _changed(v, car_user=None, bound_user=None, bound_since=None, scan=None, offers=(),
                   force=force)
    car = tuple(sorted({"vin": v.vin, "model": v.model}.items()))
    effects: list[Effect] = [PublishSession()]
    if v.scan is not None:
        effects.append(_closed(v.scan, "cancelled"))
    effects.append(notice("kiosk_reset"))
    told: list[str] = []
    for account in (v.bound_user, v.car_user, f.requester if open_force else None):
        if account is not None and account not in told:
            told.append(account)
            effects.append(NotifyPhone(account, "kiosk_reset", car))
    params = tuple((k, val) for k, val in (("previous_user", v.bound_user),
                                            ("car_user", v.car_user),
                                            ("request_id", f.request_id if open_force else None))
                   if val is not None)
    effects += [Audit("kiosk_reset", e.by, "the kiosk was reset for the next visitor"
                      if e.by != "admin" else "an admin reset the car", params),
                Done("reset")]
    return Transition(new, tuple(effects))
