"""Every refusal of a scanned code, the one-user rule and the typed-credentials login,
end to end: real mosquitto, cloud and head-unit processes, the phone CLI."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from headunit.protocol import qrtoken
from tests.support.headunit import qr, state

VIN = "LSJA24U66PS000002"
OTHER_VIN = "LSJA24U66PS000003"


@pytest.fixture
def car(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    s.hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    qr(s.hu, "login")
    return s


def car_key(s) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((s.root / "hu" / "identity.key").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def url(s, key: Ed25519PrivateKey, *, vin: str = VIN, purpose: str = "login",
        issued: float | None = None, lifetime: float = 30) -> str:
    token, _ = qrtoken.sign(key, vin=vin, purpose=purpose,
                            issued=time.time() if issued is None else issued, lifetime=lifetime)
    return qrtoken.url_for(s.cloud_url, token)


def refused(s, who: str, content: str) -> str:
    r = s.phone(who, "scan", content)
    assert r["rc"] != 0 and not r["ok"], r
    assert r["stderr"].startswith("ismart-phone: ") and r["stderr"].count("\n") == 1
    return r["error"]["code"]


@pytest.mark.integration
def test_every_forged_or_stale_code_is_refused_with_its_own_error(car):
    key = car_key(car)
    assert refused(car, "ann", url(car, Ed25519PrivateKey.generate())) == "bad_signature"
    assert refused(car, "ann", url(car, Ed25519PrivateKey.generate(), vin=OTHER_VIN)) == \
        "unknown_vehicle"
    assert refused(car, "ann", url(car, key, vin=OTHER_VIN)) == "wrong_vehicle"
    assert refused(car, "ann", url(car, key, issued=time.time() - 60)) == "expired_token"
    assert refused(car, "ann", url(car, key, purpose="bind")) == "wrong_purpose"
    assert refused(car, "ann", car.cloud_url + "/s/not-a-token") == "bad_token"
    # a tampered purpose byte breaks the signature
    raw = bytearray(qrtoken.unb64url(qrtoken.token_from_content(url(car, key))))
    raw[26] = 2
    assert refused(car, "ann", qrtoken.url_for(car.cloud_url, qrtoken.b64url(bytes(raw)))) == \
        "bad_signature"
    # none of it moved the car
    assert state(car.hu, "no_user")["user"] is None
    assert not [line for line in car.hu.lines
                if isinstance(line, dict) and line.get("state") == "login_scanned"]


@pytest.mark.integration
def test_a_used_code_cannot_be_used_again(car):
    login = qr(car.hu, "login")["qr"]["content"]
    r = car.phone("ann", "scan", "--no-confirm", login)
    assert r["rc"] == 0
    assert refused(car, "ann", login) == "token_used"


@pytest.mark.integration
def test_a_bound_car_refuses_another_account_and_tells_the_person_at_the_car(car):
    r = car.phone("ann", "scan", qr(car.hu, "login")["qr"]["content"])
    assert r["result"]["result"] == "logged_in"
    r = car.phone("ann", "scan", qr(car.hu, "bind")["qr"]["content"])
    assert r["result"]["result"] == "bound"
    state(car.hu, "bound")
    car.hu.send({"cmd": "logout"})
    login = qr(car.hu, "login", since=car.hu.mark())
    assert login["binding"]["display_name"] == "Ann Hansen"

    car.new_user("bob", "Bob")
    mark = car.hu.mark()
    assert refused(car, "bob", login["qr"]["content"]) == "bound_to_other_user"
    told = state(car.hu, "no_user", notice="bound_to_other_user", since=mark)
    assert told["user"] is None
    assert car.phone("bob", "vehicles")["result"] == []

    # the owner logs in again with one scan and is bound at once
    r = car.phone("ann", "scan", qr(car.hu, "login", since=car.hu.mark())["qr"]["content"])
    assert r["result"]["result"] == "bound"
    assert state(car.hu, "bound", since=mark)["user"]["display_name"] == "Ann Hansen"


@pytest.mark.integration
def test_typed_credentials_log_in_instead_of_the_first_scan(car):
    car.hu.send({"cmd": "open_password_login"})
    state(car.hu, "password_entry")
    car.hu.send({"cmd": "password_login", "identifier": "ann@example.com",
                 "password": "wrong password"})
    wrong = state(car.hu, "password_entry", login_error="invalid_credentials")
    assert wrong["user"] is None
    car.hu.send({"cmd": "password_login", "identifier": "ann@example.com",
                 "password": "correct horse"})
    logged_in = qr(car.hu, "bind", since=car.hu.mark())
    assert logged_in["state"] == "logged_in" and logged_in["user"]["display_name"] == "Ann Hansen"
    # the second scan binds, as after a scanned login
    r = car.phone("ann", "scan", logged_in["qr"]["content"])
    assert r["result"]["result"] == "bound"
    state(car.hu, "bound")


@pytest.mark.integration
def test_bad_headless_commands_are_answered_not_fatal(car):
    car.hu.send({"cmd": "fly"})
    err = car.hu.wait_for(lambda l: l.get("event") == "error", 10, "error line")
    assert "unknown command 'fly'" in err["error"]
    car.hu.p.stdin.write("this is not json\n")
    car.hu.p.stdin.flush()
    car.hu.wait_for(lambda l: l.get("event") == "error" and "Expecting" in l["error"], 10)
    assert car.hu.alive
