"""Abuse limits: the pure token buckets, and brute force against a real cloud process's HTTP
API (verification codes, logins) and its MQTT side (credentials typed on a head unit)."""

from __future__ import annotations

import re

import httpx
import pytest

from firmware_sim.cloud.ratelimit import AbuseLimits, Bucket, Limiter, Policy
from headunit.protocol.errors import CloudError
from tests.support.headunit import state

T0 = 1_800_000_000.0


# ---------------------------------------------------------------- pure rules


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait():
    lim = Limiter(Bucket(3, 10.0))
    assert [lim.take("k", T0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert lim.take("k", T0) == pytest.approx(10.0)
    assert lim.take("k", T0 + 4) == pytest.approx(6.0)
    assert lim.take("k", T0 + 10) == 0.0  # one token back after `every` seconds
    assert lim.take("other", T0) == 0.0  # keys are independent


def test_a_bucket_refills_only_up_to_its_burst():
    lim = Limiter(Bucket(2, 1.0))
    assert lim.take("k", T0) == 0.0
    for _ in range(2):
        assert lim.take("k", T0 + 3600) == 0.0
    assert lim.take("k", T0 + 3600) > 0


def test_failed_logins_are_throttled_per_account_and_successes_cost_nothing():
    limits = AbuseLimits(Policy(login_per_account=Bucket(3, 60.0)))
    for _ in range(10):  # successes give their token back
        with limits.login_attempt("ann@example.com", "ip:1", T0):
            pass
    for _ in range(3):
        with pytest.raises(CloudError) as exc, limits.login_attempt("ann@example.com", "ip:1", T0):
            raise CloudError("invalid_credentials")
        assert exc.value.code == "invalid_credentials"
    with pytest.raises(CloudError) as exc, limits.login_attempt("ann@example.com", "ip:2", T0):
        pass
    assert exc.value.code == "rate_limited" and exc.value.status == 429
    assert exc.value.retry_after == 60.0 and "Try again in 60 s." in exc.value.message
    with limits.login_attempt("bob@example.com", "ip:1", T0):  # another account is not held up
        pass
    with limits.login_attempt("ann@example.com", "ip:1", T0 + 60):  # time heals
        pass


def test_one_source_guessing_many_accounts_is_throttled():
    limits = AbuseLimits(Policy(login_per_source=Bucket(4, 30.0)))
    for i in range(4):
        with pytest.raises(CloudError), limits.login_attempt(f"u{i}@example.com", "ip:6", T0):
            raise CloudError("invalid_credentials")
    with pytest.raises(CloudError) as exc, limits.login_attempt("u9@example.com", "ip:6", T0):
        pass
    assert exc.value.code == "rate_limited"
    with limits.login_attempt("u9@example.com", "ip:7", T0):
        pass


def test_a_refused_attempt_takes_no_token_from_the_other_buckets():
    limits = AbuseLimits(Policy(codes_per_identifier=Bucket(1, 600.0),
                                codes_per_source=Bucket(2, 60.0)))
    with limits.code_request("ann@example.com", "ip:1", T0):
        pass
    with pytest.raises(CloudError), limits.code_request("ann@example.com", "ip:1", T0):
        pass  # per identifier: refused
    with limits.code_request("bob@example.com", "ip:1", T0):  # the source's 2nd token is there
        pass
    with pytest.raises(CloudError) as exc, limits.code_request("cid@example.com", "ip:1", T0):
        pass
    assert exc.value.retry_after == 60.0


def test_a_code_that_is_not_sent_after_all_costs_nothing():
    limits = AbuseLimits(Policy(codes_per_identifier=Bucket(1, 600.0)))
    for _ in range(3):
        with pytest.raises(CloudError), limits.code_request("ann@example.com", "ip:1", T0):
            raise CloudError("code_too_soon")
    with limits.code_request("ann@example.com", "ip:1", T0):
        pass


# ---------------------------------------------------------------- a real cloud


def post(s, path: str, body: dict) -> httpx.Response:
    return httpx.post(f"{s.cloud_url}{path}", json=body, timeout=30)


@pytest.mark.integration
def test_six_digit_code_brute_force_is_locked_after_five_wrong_tries(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    ident = "eve-target@example.com"
    assert post(s, "/api/v1/verification-codes", {"identifier": ident}).status_code == 202
    inbox = httpx.get(f"{s.cloud_url}/api/v1/outbox", params={"to": ident}).json()
    code = re.search(r"\b(\d{6})\b", inbox["messages"][0]["body"]).group(1)
    wrong = [f"{(int(code) + i) % 10**6:06d}" for i in range(1, 6)]
    answers = [post(s, "/api/v1/accounts", {"identifier": ident, "code": guess,
                                            "password": "a long secret"}) for guess in wrong]
    assert [r.json()["error"]["code"] for r in answers] == ["code_invalid"] * 4 + ["code_locked"]
    assert "4 tries left" in answers[0].json()["error"]["message"]
    # now even the right code is refused: the code is spent
    r = post(s, "/api/v1/accounts", {"identifier": ident, "code": code,
                                     "password": "a long secret"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "code_locked"
    r = httpx.post(f"{s.cloud_url}/api/v1/sessions", json={
        "identifier": ident, "password": "a long secret", "accept_user_agreement": True,
        "accept_privacy_policy": True})
    assert r.status_code == 401  # no account was made


@pytest.mark.integration
def test_login_brute_force_is_throttled_with_retry_after(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    ident = s.new_user("ann", "Ann Hansen")
    login = {"identifier": ident, "accept_user_agreement": True, "accept_privacy_policy": True}
    codes = []
    for i in range(7):
        r = post(s, "/api/v1/sessions", {**login, "password": f"guess number {i}"})
        codes.append((r.status_code, r.json()["error"]["code"]))
    assert codes[:5] == [(401, "invalid_credentials")] * 5
    assert codes[5:] == [(429, "rate_limited")] * 2
    r = post(s, "/api/v1/sessions", {**login, "password": "correct horse"})
    assert r.status_code == 429, "the right password must not get through while throttled"
    body = r.json()["error"]
    assert body["retry_after"] > 0 and int(r.headers["Retry-After"]) >= body["retry_after"]
    assert re.fullmatch(r"Too many attempts\. Try again in \d+ s\.", body["message"])
    # the phone tells the person the same
    out = s.phone("ann", "login", ident, "--password", "correct horse")
    assert out["rc"] == 1 and out["error"]["code"] == "rate_limited"
    assert "Try again in" in out["stderr"]
    # the phone's existing session is untouched, and other accounts still log in
    assert s.phone("ann", "whoami")["rc"] == 0
    s.new_user("bob")


@pytest.mark.integration
def test_passwords_typed_on_a_head_unit_are_throttled_per_car(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin="LSJA24U66PS000021", name="hu")
    s.new_user("ann")
    state(hu, "no_user", online=True)
    hu.send({"cmd": "open_password_login"})
    errors = []
    for i in range(6):
        mark = hu.mark()
        hu.send({"cmd": "password_login", "identifier": "ann@example.com",
                 "password": f"wrong {i}"})
        line = hu.wait_for(lambda v: v.get("event") == "state" and v["state"] == "password_entry"
                           and v["login_error"] is not None, 20, "a login error", since=mark)
        errors.append(line["login_error"])
        hu.send({"cmd": "cancel"})
        hu.send({"cmd": "open_password_login"})
    assert errors == ["invalid_credentials"] * 5 + ["rate_limited"]
