"""Topics, payload validation and the QR token."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from headunit.protocol import messages as m
from headunit.protocol import qrtoken, topics

VIN = "LSJA24U66PS000001"


@pytest.mark.parametrize("bad", ["a+b", "a#", "a/b", "", "x\x00y", "a" * 65])
def test_topic_levels_refuse_wildcards_separators_and_junk(bad):
    with pytest.raises(topics.TopicError):
        topics.segment(bad)


@pytest.mark.parametrize("vin", ["LSJA24U66PS00000", "LSJA24U66PS00000I", "lsja24u66ps000001",
                                 "LSJA24U66PS+00001"])
def test_vehicle_topics_need_a_valid_vin(vin):
    with pytest.raises(topics.TopicError):
        topics.vehicle(vin, topics.SESSION)


def test_vehicle_topics_round_trip():
    name = topics.vehicle(VIN, topics.HEADUNIT_REQUEST)
    assert name == f"ismart/v1/vehicles/{VIN}/headunit/request"
    assert topics.parse_vehicle_topic(name) == topics.VehicleTopic(VIN, "headunit/request")
    with pytest.raises(topics.TopicError):
        topics.parse_vehicle_topic(f"ismart/v1/vehicles/{VIN}/nope")


@pytest.mark.parametrize("payload, reason", [
    (b"not json", "not JSON"),
    (b"[1, 2]", "not an object"),
    (b'{"type": "hello"}', "vin"),
    (b'{"type": "warp"}', "type"),
    (b'{"type": "logout", "extra": 1}', "extra"),
    (json.dumps({"type": "password_login", "identifier": 5, "password": "x"}).encode(),
     "identifier"),
    (b"{" + b" " * (70 * 1024) + b"}", "limit"),
    (b"\xff\xfe", "not JSON"),
])
def test_malformed_requests_are_refused_with_a_reason(payload, reason):
    with pytest.raises(m.ProtocolError, match=reason):
        m.decode(m.REQUEST, payload)


def test_messages_round_trip():
    s = m.SessionState(vin=VIN, cloud_id="c1", seq=1,
                       user=m.UserInfo(account_id="a1", display_name="Ann", initials="A"))
    assert m.decode(m.SESSION, m.encode(s)) == s


def test_token_signs_and_reads_back():
    key = Ed25519PrivateKey.generate()
    token, claims = qrtoken.sign(key, vin=VIN, purpose="bind", issued=1000, lifetime=30)
    st = qrtoken.parse(token)
    assert st.claims == claims and st.claims.purpose == "bind" and st.claims.expires == 1030
    assert qrtoken.verify_signature(st, qrtoken.raw_public_key(key.public_key()))
    other = Ed25519PrivateKey.generate()
    assert not qrtoken.verify_signature(st, qrtoken.raw_public_key(other.public_key()))


def test_a_tampered_token_no_longer_verifies():
    key = Ed25519PrivateKey.generate()
    token, _ = qrtoken.sign(key, vin=VIN, purpose="login", issued=1000, lifetime=30)
    raw = bytearray(qrtoken.unb64url(token))
    raw[26] = 2  # login -> bind
    st = qrtoken.parse(qrtoken.b64url(bytes(raw)))
    assert st.claims.purpose == "bind"
    assert not qrtoken.verify_signature(st, qrtoken.raw_public_key(key.public_key()))


@pytest.mark.parametrize("text", ["", "abc", "!" * 154, "A" * 154, "A" * 500])
def test_unreadable_tokens_are_refused(text):
    with pytest.raises(qrtoken.TokenError):
        qrtoken.parse(text)


def test_token_from_content_accepts_urls_and_bare_tokens():
    assert qrtoken.token_from_content("http://x:1/s/ABC_-1") == "ABC_-1"
    assert qrtoken.token_from_content(" ABC ") == "ABC"
    assert qrtoken.token_from_content("https://h/s/ABC?x=1#f") == "ABC"


def test_the_qr_url_fits_a_version_9_code():
    import qrcode

    key = Ed25519PrivateKey.generate()
    token, _ = qrtoken.sign(key, vin=VIN, purpose="login", issued=1000, lifetime=30)
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    q.add_data(qrtoken.url_for("http://192.168.100.200:8080", token))
    q.make(fit=True)
    assert q.version <= 9
