"""Kiosk mode as a pure state machine: attract screen, idle timeout and reset for the next
visitor, the admin gesture and PIN, and what survives a restart. No window, no clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from headunit import kiosk as km
from headunit.kiosk import (
    Activity,
    AdminChose,
    Exit,
    Mode,
    Persist,
    PinCancelled,
    PinEntered,
    RequestReset,
    ResetAnswered,
    ShowAttract,
    ShowStart,
    Tick,
    Touched,
    restore,
    step,
)
from headunit.kiosk_store import KioskState, KioskStateStore, PinStore, check_pin, verify_pin

S = km.KioskSettings(idle_timeout=60, reset_on_idle=True, gesture_taps=5, gesture_window=4,
                     pin_tries=3, lockout=30, retry_every=10)
T0 = 1000.0


def run(k: km.Kiosk, *events: km.Event) -> tuple[km.Kiosk, list]:
    effects: list = []
    for e in events:
        t = step(k, e)
        k = t.kiosk
        effects += list(t.effects)
    return k, effects


def active(now: float = T0) -> km.Kiosk:
    return restore(S, now, attract=False)


def test_a_first_start_shows_the_attract_screen_and_a_touch_starts_the_demo():
    k = restore(S, T0)
    assert k.mode is Mode.ATTRACT and k.attract
    k, effects = run(k, Touched(T0 + 1))
    assert k.mode is Mode.ACTIVE
    assert effects == [ShowStart(), Persist(attract=False, reset_pending=False)]


def test_a_phone_scanning_from_the_attract_screen_starts_the_demo_too():
    k, effects = run(restore(S, T0), Activity(T0 + 1))
    assert k.mode is Mode.ACTIVE and ShowStart() in effects


def test_idle_for_the_timeout_returns_to_attract_and_resets_a_visitor():
    k = active()
    k, effects = run(k, Touched(T0 + 10), Tick(T0 + 69, in_use=True))
    assert effects == [] and k.mode is Mode.ACTIVE  # 59 s since the last touch
    k, effects = run(k, Tick(T0 + 70, in_use=True))
    assert k.mode is Mode.ATTRACT and k.reset_pending
    assert effects == [ShowAttract(), RequestReset(), Persist(attract=True, reset_pending=True)]
    k, effects = run(k, ResetAnswered(T0 + 71, ok=True))
    assert not k.reset_pending and effects == [Persist(attract=True, reset_pending=False)]


def test_a_phones_activity_keeps_the_kiosk_awake():
    k, effects = run(active(), Activity(T0 + 50), Tick(T0 + 100, in_use=True))
    assert k.mode is Mode.ACTIVE and effects == []


def test_idle_with_nobody_in_the_car_asks_for_no_reset():
    k, effects = run(active(), Tick(T0 + 60, in_use=False))
    assert k.mode is Mode.ATTRACT and RequestReset() not in effects and not k.reset_pending


def test_without_reset_on_idle_the_visitor_stays_logged_in():
    k = restore(replace(S, reset_on_idle=False), T0, attract=False)
    k, effects = run(k, Tick(T0 + 60, in_use=True))
    assert k.mode is Mode.ATTRACT and effects == [ShowAttract(), Persist(True, False)]


def test_a_reset_the_cloud_could_not_do_is_asked_again_later():
    k, _ = run(active(), Tick(T0 + 60, in_use=True))
    k, effects = run(k, ResetAnswered(T0 + 61, ok=False, error="offline"))
    assert k.reset_pending and k.reset_error == "offline" and effects == []
    k, effects = run(k, Tick(T0 + 70, in_use=True))
    assert effects == []  # not before retry_every
    k, effects = run(k, Tick(T0 + 71, in_use=True))
    assert effects == [RequestReset()] and k.reset_waiting
    k, effects = run(k, Tick(T0 + 90, in_use=True))
    assert effects == []  # one request out at a time while waiting


def test_a_car_that_is_no_kiosk_car_is_not_asked_again():
    k, _ = run(active(), Tick(T0 + 60, in_use=True))
    k, effects = run(k, ResetAnswered(T0 + 61, ok=False, error="not_kiosk_car"))
    assert not k.reset_pending and k.reset_error == "not_kiosk_car"
    k, effects = run(k, Tick(T0 + 200, in_use=True))
    assert effects == []


def test_a_pending_reset_survives_a_restart():
    k = restore(S, T0, attract=True, reset_pending=True)
    k, effects = run(k, Tick(T0, in_use=True))
    assert effects == [RequestReset()]


def corner(k: km.Kiosk, *times: float) -> tuple[km.Kiosk, list]:
    return run(k, *(Touched(t, corner=True) for t in times))


def test_five_quick_taps_in_the_corner_open_the_pin_pad_and_the_pin_opens_the_admin_menu():
    k, effects = corner(active(), T0, T0 + 0.5, T0 + 1, T0 + 1.5)
    assert k.mode is Mode.ACTIVE and effects == []
    k, _ = corner(k, T0 + 2)
    assert k.mode is Mode.PIN and k.back_to is Mode.ACTIVE
    k, _ = run(k, PinEntered(T0 + 5, ok=True))
    assert k.mode is Mode.ADMIN
    k, effects = run(k, AdminChose(T0 + 6, "exit"))
    assert effects == [Exit()]


def test_slow_corner_taps_do_not_count():
    k, _ = corner(active(), T0, T0 + 2, T0 + 4, T0 + 6, T0 + 8)
    assert k.mode is Mode.ACTIVE


def test_the_corner_gesture_works_from_the_attract_screen_without_starting_the_demo():
    k, effects = corner(restore(S, T0), *(T0 + i * 0.2 for i in range(5)))
    assert k.mode is Mode.PIN and k.back_to is Mode.ATTRACT and ShowStart() not in effects
    k, _ = run(k, PinCancelled(T0 + 2))
    assert k.mode is Mode.ATTRACT


def test_wrong_pins_lock_the_pad_for_a_while():
    k, _ = corner(active(), *(T0 + i * 0.1 for i in range(5)))
    k, _ = run(k, PinEntered(T0 + 1, ok=False))
    assert k.mode is Mode.PIN and k.pin_error == "wrong_pin"
    k, _ = run(k, PinEntered(T0 + 2, ok=False), PinEntered(T0 + 3, ok=False))
    assert k.pin_error == "locked" and k.locked_until == T0 + 33
    k, _ = run(k, PinEntered(T0 + 10, ok=True))  # even the right PIN, while locked
    assert k.mode is Mode.PIN and k.pin_error == "locked"
    k, _ = run(k, PinEntered(T0 + 34, ok=True))
    assert k.mode is Mode.ADMIN


def test_the_admin_reset_returns_to_attract_and_resets_even_without_reset_on_idle():
    k = restore(replace(S, reset_on_idle=False), T0, attract=False)
    k, _ = corner(k, *(T0 + i * 0.1 for i in range(5)))
    k, _ = run(k, PinEntered(T0 + 1, ok=True))
    k, effects = run(k, AdminChose(T0 + 2, "reset", in_use=True))
    assert k.mode is Mode.ATTRACT and RequestReset() in effects and ShowAttract() in effects


def test_an_idle_pin_pad_closes_and_the_admin_menu_is_never_restored():
    k, _ = corner(active(), *(T0 + i * 0.1 for i in range(5)))
    k, _ = run(k, PinEntered(T0 + 1, ok=True))
    assert k.mode is Mode.ADMIN and not k.attract
    k, effects = run(k, Tick(T0 + 61, in_use=False))
    assert k.mode is Mode.ATTRACT and ShowAttract() in effects
    # what is persisted never names the admin menu: only attract or not
    assert all(isinstance(e.attract, bool) for e in effects if isinstance(e, Persist))


def test_unknown_events_and_admin_actions_are_refused():
    with pytest.raises(TypeError):
        step(active(), object())  # type: ignore[arg-type]
    k, _ = corner(active(), *(T0 + i * 0.1 for i in range(5)))
    k, _ = run(k, PinEntered(T0 + 1, ok=True))
    with pytest.raises(ValueError, match="unknown admin action"):
        step(k, AdminChose(T0 + 2, "format_disk"))


# ---------------------------------------------------------------- what is kept on disk


def test_the_pin_is_stored_hashed_and_checked(tmp_path):
    stored = PinStore(tmp_path).set("2468")
    text = (tmp_path / "kiosk-pin").read_text()
    assert "2468" not in text and text.startswith("scrypt$")
    assert (tmp_path / "kiosk-pin").stat().st_mode & 0o777 == 0o600
    assert verify_pin("2468", stored) and not verify_pin("2469", stored)
    assert not verify_pin("2468", "garbage")
    assert PinStore(tmp_path).load() == stored


@pytest.mark.parametrize("pin", ["123", "12345678901234", "12a4", "", " 1234"])
def test_a_pin_must_be_4_to_12_digits(pin):
    with pytest.raises(ValueError, match="4 to 12 digits"):
        check_pin(pin)


def test_the_screen_state_is_written_atomically_and_a_broken_file_is_set_aside(tmp_path):
    store = KioskStateStore(tmp_path)
    assert store.load() is None
    store.save(KioskState(attract=False, screen="user", lang="da", reset_pending=True))
    assert store.load() == KioskState(False, "user", "da", True)
    assert not list(tmp_path.glob(".kiosk.json.*"))  # no temporary file left behind
    store.path.write_text("{not json")
    assert store.load() is None
    assert (tmp_path / "kiosk.json.bad").exists()
