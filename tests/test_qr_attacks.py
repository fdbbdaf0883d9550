"""Forged, tampered, replayed and stale QR codes against the cloud's service (no broker):
every one is refused, 100 %, and a spent nonce is remembered until its code has expired."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_sim.cloud.service import CloudService, CloudSettings
from headunit.clock import ScaledClock
from headunit.protocol import qrtoken
from headunit.protocol.errors import CloudError

VIN = "LSJA24U66PS000081"
URL = "http://cloud.test"


class Time:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def cloud(tmp_path):
    time = Time()
    service = CloudService(CloudSettings(tmp_path / "c.sqlite3", URL, demo=True,
                                         kdf_profile="fast"), ScaledClock(real=time))
    key = Ed25519PrivateKey.generate()
    service.provision(VIN, qrtoken.b64url(qrtoken.raw_public_key(key.public_key())), "MG4")
    service.request_code("ann@example.com")
    code = re.search(r"\d{6}", service.outbox("ann@example.com")[0]["body"]).group(0)
    service.register("ann@example.com", code, "correct horse")
    token, _ = service.login("ann@example.com", "correct horse", True, True)
    service.ann = service.authenticate(token)
    service.key, service.time = key, time
    yield service
    service.close()


def code_for(cloud, purpose: str = "login", *, issued: float | None = None,
             key: Ed25519PrivateKey | None = None, vin: str = VIN) -> str:
    token, _ = qrtoken.sign(key or cloud.key, vin=vin, purpose=purpose,
                            issued=cloud.time.t if issued is None else issued, lifetime=30)
    return qrtoken.url_for(URL, token)


def refusal(cloud, content: str) -> str:
    with pytest.raises(CloudError) as exc:
        cloud.scan(cloud.ann, content)
    return exc.value.code


def test_a_spent_code_is_refused_until_it_expires_even_across_sweeps(cloud):
    content = code_for(cloud)
    scan = cloud.scan(cloud.ann, content)
    cloud.cancel_scan(cloud.ann, scan["scan_id"])
    for later in (1, 10, 29):
        cloud.time.t = 1_800_000_000.0 + later
        cloud.sweep()
        assert refusal(cloud, content) == "token_used"
    cloud.time.t += 3600
    cloud.sweep()  # the nonce may go now: the code itself has expired
    assert refusal(cloud, content) == "expired_token"


def test_forged_other_car_stale_future_and_wrong_purpose_codes_are_refused(cloud):
    assert refusal(cloud, code_for(cloud, key=Ed25519PrivateKey.generate())) == "bad_signature"
    assert refusal(cloud, code_for(cloud, vin="LSJA24U66PS000082")) == "wrong_vehicle"
    assert refusal(cloud, code_for(cloud, issued=cloud.time.t - 31)) == "expired_token"
    assert refusal(cloud, code_for(cloud, issued=cloud.time.t + 3600)) == "bad_token"
    assert refusal(cloud, code_for(cloud, "bind")) == "wrong_purpose"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_change_to_a_valid_code_is_refused(cloud, data):
    """Flip any bits of any bytes of a valid token: the cloud never accepts it."""
    raw = bytearray(qrtoken.unb64url(qrtoken.token_from_content(code_for(cloud))))
    positions = data.draw(st.sets(st.integers(0, len(raw) - 1), min_size=1, max_size=4))
    for i in positions:
        raw[i] ^= data.draw(st.integers(1, 255))
    tampered = qrtoken.url_for(URL, qrtoken.b64url(bytes(raw)))
    assert refusal(cloud, tampered) in {"bad_token", "bad_signature", "unknown_vehicle",
                                        "wrong_vehicle", "expired_token", "wrong_purpose"}
    assert cloud.vehicle_state(VIN)["user"] is None
