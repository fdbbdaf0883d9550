"""The clock, verification-code rules and QR rotation."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from firmware_sim.cloud import codes
from headunit.clock import ClockSpec, ManualClock, ScaledClock, parse_duration
from headunit.protocol.errors import CloudError
from headunit.qr import QrRotator

VIN = "LSJA24U66PS000001"


class FakeReal:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_scaled_clock_runs_faster_and_jumps_forward():
    real = FakeReal()
    c = ScaledClock(60, start=0, real=real)
    real.t += 2
    assert c.now() == pytest.approx(120)
    seen = []
    c.on_change(seen.append)
    c.advance(72 * 3600)
    assert c.now() == pytest.approx(120 + 72 * 3600) and len(seen) == 1
    with pytest.raises(ValueError):
        c.advance(-1)


def test_a_follower_clock_reads_like_the_one_it_adopts():
    real = FakeReal()
    leader, follower = ScaledClock(10, start=5000, real=real), ScaledClock(real=real)
    follower.adopt(leader.spec)
    real.t += 3
    assert follower.now() == leader.now() == pytest.approx(5030)
    assert ClockSpec(0, 100, 2).at(5) == 110


@pytest.mark.parametrize("text, seconds", [("72h", 259200), ("15m", 900), ("30s", 30),
                                           ("1h30m", 5400), ("3d", 259200), ("90", 90)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "5x", "5h3"])
def test_bad_durations_say_how_to_write_one(text):
    with pytest.raises(ValueError, match="e.g."):
        parse_duration(text)


def test_a_code_is_single_use():
    c = codes.issue(None, "+4512345678", "register", 0)
    assert len(c.code) == 6 and c.code.isdigit()
    used, err = codes.check(c, c.code, 10)
    assert err is None and used.used
    _, err = codes.check(used, c.code, 11)
    assert err.code == "code_invalid"


def test_a_code_expires_after_five_minutes():
    c = codes.issue(None, "x@y.dk", "register", 0)
    _, err = codes.check(c, c.code, codes.LIFETIME)
    assert err.code == "code_expired"


def test_five_wrong_tries_lock_the_code_even_for_the_right_one():
    c = codes.issue(None, "x@y.dk", "register", 0)
    wrong = "000000" if c.code != "000000" else "111111"
    for i in range(4):
        c, err = codes.check(c, wrong, 1)
        assert err.code == "code_invalid" and f"{4 - i} tr" in err.message
    c, err = codes.check(c, wrong, 1)
    assert err.code == "code_locked"
    _, err = codes.check(c, c.code, 2)
    assert err.code == "code_locked"


def test_a_new_code_at_most_once_a_minute():
    c = codes.issue(None, "x@y.dk", "register", 0)
    with pytest.raises(CloudError) as e:
        codes.issue(c, "x@y.dk", "register", 30)
    assert e.value.code == "code_too_soon" and e.value.retry_after == pytest.approx(30)
    assert codes.issue(c, "x@y.dk", "register", 60).code


def test_qr_rotates_on_period_purpose_change_and_invalidation():
    clock = ManualClock(1000)
    r = QrRotator(Ed25519PrivateKey.generate(), VIN, clock, lambda: "http://cloud:8080",
                  period=20, lifetime=30)
    a = r.current("login")
    assert a.content.startswith("http://cloud:8080/s/") and a.expires == 1030
    assert r.current("login") == a
    clock.advance(19.9)
    assert r.current("login") == a
    clock.advance(0.2)
    b = r.current("login")
    assert b.content != a.content and b.serial == a.serial + 1
    c = r.current("bind")
    assert c.purpose == "bind" and c.serial == b.serial + 1
    r.invalidate()
    assert r.current("bind").serial == c.serial + 1
    assert r.current(None) is None


def test_no_qr_without_a_cloud_url():
    r = QrRotator(Ed25519PrivateKey.generate(), VIN, ManualClock(), lambda: None)
    assert r.current("login") is None


def test_a_qr_must_outlive_its_rotation():
    with pytest.raises(ValueError):
        QrRotator(Ed25519PrivateKey.generate(), VIN, ManualClock(), lambda: "http://x",
                  period=20, lifetime=10)
