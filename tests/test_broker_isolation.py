"""Per-device credentials and isolation on a real mosquitto started with the files that
``ismart-cloud pki init`` generates: TLS client certificates, the access policy, the CRL, and
the username/password option. Then the whole two-scan bind over mqtts://."""

from __future__ import annotations

import json
import stat
import subprocess

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from firmware_sim.cloud import pki
from headunit.protocol import topics
from tests.support.headunit import qr, state
from tests.support.mqtt_probe import Probe
from tests.support.procs import Proc, program
from tests.support.secure_broker import CLOUD, SecureBroker, car, headunit, pki_cli
from tests.support.vehicle import car_line, shows

A = "LSJA24U66PS000011"
B = "LSJA24U66PS000012"


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    sb = SecureBroker(tmp_path_factory.mktemp("secure"), [A, B]).start().start("passwords")
    yield sb
    sb.stop()


def device(sb: SecureBroker, identity: str, *, client_id: str | None = None) -> Probe:
    return Probe(sb.port, client_id=client_id or identity, ca=sb.ca, cert=sb.cert(identity),
                 key=sb.key(identity))


def connected(p: Probe) -> Probe:
    outcome = p.connect()
    assert outcome == "ok", outcome
    return p


def refused(rc: object) -> bool:
    return getattr(rc, "is_failure", False) and "Not authorized" in str(rc)


# ---------------------------------------------------------------- the files


def test_pki_init_makes_one_identity_per_device_with_private_keys_kept_private(broker):
    clients = broker.pki / "clients"
    names = sorted(p.stem for p in clients.glob("*.pem"))
    assert names == sorted([CLOUD, pki.RIG_IDENTITY, headunit(A), headunit(B), car(A), car(B)])
    for name in names:
        cert = x509.load_pem_x509_certificate((clients / f"{name}.pem").read_bytes())
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == name
        assert stat.S_IMODE((clients / f"{name}.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((broker.pki / "ca.key").stat().st_mode) == 0o600
    server = x509.load_pem_x509_certificate((broker.pki / "broker.pem").read_bytes())
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    ca = x509.load_pem_x509_certificate((broker.pki / "ca.pem").read_bytes())
    crl = x509.load_pem_x509_crl((broker.pki / "crl.pem").read_bytes())
    assert crl.is_signature_valid(ca.public_key()) and len(crl) == 0


def test_every_vehicle_topic_is_classified_for_the_access_policy():
    """A new vehicle topic must be given a writer and readers in pki.POLICY, or no device may
    use it."""
    assert set(pki.POLICY) == set(topics.VEHICLE_LEAVES)
    for leaf, (writer, readers) in pki.POLICY.items():
        assert writer not in readers, leaf


def test_pki_refuses_a_bad_vin_and_an_unknown_device_with_a_clear_message(tmp_path):
    r = pki_cli("init", "--dir", str(tmp_path / "p"), "--vin", "LSJA24U66PS00001")
    assert r.returncode == 2 and "is not 17 characters" in r.stderr
    r = pki_cli("revoke", "--dir", str(tmp_path / "nothing"), "--vin", A)
    assert r.returncode == 2 and "holds no PKI" in r.stderr


# ---------------------------------------------------------------- isolation


def test_head_unit_a_cannot_subscribe_to_head_unit_b_topics(broker):
    a = connected(device(broker, headunit(A)))
    try:
        for leaf in topics.VEHICLE_LEAVES:
            assert refused(a.subscribe(topics.vehicle(B, leaf))[0]), leaf
        for wildcard in ("#", "ismart/#", "ismart/v1/vehicles/+/session",
                         "ismart/v1/vehicles/#", f"ismart/v1/vehicles/{B}/#"):
            assert refused(a.subscribe(wildcard)[0]), wildcard
        # its own topics and the cloud's retained state are granted
        for leaf in pki.reads("headunit"):
            assert not a.subscribe(topics.vehicle(A, leaf))[0].is_failure, leaf
        assert not a.subscribe("ismart/v1/cloud/#")[0].is_failure
    finally:
        a.close()


def test_head_unit_a_cannot_publish_to_head_unit_b_topics_and_b_never_receives_it(broker):
    a = connected(device(broker, headunit(A)))
    b = connected(device(broker, headunit(B)))
    cloud = connected(device(broker, CLOUD))
    try:
        for leaf in pki.reads("headunit"):
            assert not b.subscribe(topics.vehicle(B, leaf))[0].is_failure
        for leaf in pki.reads("cloud"):
            assert not cloud.subscribe(topics.vehicle_filter(leaf))[0].is_failure
        forged_session = json.dumps({"type": "session", "vin": B, "cloud_id": "evil", "seq": 99,
                                     "user": None, "binding": None}).encode()
        for leaf in topics.VEHICLE_LEAVES:
            rc = a.publish(topics.vehicle(B, leaf), forged_session, retain=True,
                           response_topic=topics.vehicle(A, topics.HEADUNIT_RESPONSE),
                           correlation=b"evil")
            assert refused(rc), (leaf, rc)
        # a head unit may not pose as the cloud or as its car either, not even to itself
        assert refused(a.publish(topics.CLOUD_AVAILABILITY, b"offline", retain=True))
        assert refused(a.publish(topics.vehicle(A, topics.SESSION), forged_session))
        assert refused(a.publish(topics.vehicle(A, topics.CAR_STATUS), b"{}"))
        assert refused(a.publish(topics.vehicle(A, topics.STATUS), b"{}"))
        # sentinels, published after every refused message was answered: they arrive, and
        # nothing else does
        assert not cloud.publish(topics.vehicle(B, topics.EVENTS), b"sentinel").is_failure
        assert not b.publish(topics.vehicle(B, topics.HEADUNIT_REQUEST), b"sentinel").is_failure
        b.wait_message(topics.vehicle(B, topics.EVENTS))
        cloud.wait_message(topics.vehicle(B, topics.HEADUNIT_REQUEST))
        assert [(r.topic, r.payload) for r in b.received] == \
            [(topics.vehicle(B, topics.EVENTS), b"sentinel")]
        assert [(r.topic, r.payload) for r in cloud.received] == \
            [(topics.vehicle(B, topics.HEADUNIT_REQUEST), b"sentinel")]
        # and nothing forged was retained for B
        late = connected(device(broker, headunit(B), client_id="late"))
        assert not late.subscribe(topics.vehicle(B, topics.SESSION))[0].is_failure
        assert late.received == []
        late.close()
    finally:
        for p in (a, b, cloud):
            p.close()


def test_a_car_reaches_only_its_own_car_topics(broker):
    car_a = connected(device(broker, car(A)))
    try:
        for leaf in topics.VEHICLE_LEAVES:
            assert refused(car_a.subscribe(topics.vehicle(B, leaf))[0]), leaf
            assert refused(car_a.publish(topics.vehicle(B, leaf), b"{}")), leaf
        for leaf in pki.reads("car"):
            assert not car_a.subscribe(topics.vehicle(A, leaf))[0].is_failure, leaf
        # it cannot pose as its head unit, nor read the head unit's session
        assert refused(car_a.publish(topics.vehicle(A, topics.HEADUNIT_REQUEST), b"{}"))
        assert refused(car_a.subscribe(topics.vehicle(A, topics.SESSION))[0])
        assert not car_a.subscribe(topics.CLOUD_CLOCK)[0].is_failure
    finally:
        car_a.close()


def test_a_device_cannot_take_another_devices_client_id(broker):
    b = connected(device(broker, headunit(B)))
    try:
        # A asks for B's client id; the broker names it after its own certificate instead
        a = connected(device(broker, headunit(A), client_id=headunit(B)))
        assert b.connected, "B was thrown off by a client claiming its id"
        a.close()
    finally:
        b.close()


def test_a_client_without_a_certificate_cannot_connect(broker):
    assert device(broker, headunit(A)).connect() == "ok"  # the probe can tell success
    assert Probe(broker.port, ca=broker.ca).connect() != "ok"
    assert Probe(broker.port).connect() != "ok"  # no TLS at all
    # a user name alone is no certificate
    assert Probe(broker.port, ca=broker.ca, username=headunit(A),
                 password=broker.password(headunit(A))).connect() != "ok"


def test_a_device_of_another_ca_cannot_connect(broker, tmp_path):
    other = pki.Pki(tmp_path / "other")
    other.init([A], bind="127.0.0.1")
    name = headunit(A)
    outcome = Probe(broker.port, client_id=name, ca=broker.ca, cert=str(other.cert_path(name)),
                    key=str(other.key_path(name))).connect()
    assert outcome != "ok"
    assert "certificate verify failed" in broker.log()


def test_passwords_let_each_device_in_as_itself_only(broker):
    name = headunit(A)
    p = Probe(broker.password_port, ca=broker.ca, username=name,
              password=broker.password(name))
    assert p.connect() == "ok"
    try:
        assert refused(p.subscribe(topics.vehicle(B, topics.SESSION))[0])
        assert refused(p.publish(topics.vehicle(B, topics.HEADUNIT_REQUEST), b"{}"))
        assert not p.subscribe(topics.vehicle(A, topics.SESSION))[0].is_failure
    finally:
        p.close()
    assert Probe(broker.password_port, ca=broker.ca, username=name,
                 password="not the password").connect().startswith("refused")
    assert Probe(broker.password_port, ca=broker.ca, username=headunit(B),
                 password=broker.password(name)).connect().startswith("refused")
    assert Probe(broker.password_port, ca=broker.ca).connect() != "ok"  # anonymous


def test_the_classic_acl_file_delivers_nothing_of_another_car(tmp_path):
    sb = SecureBroker(tmp_path, [A, B]).start("aclfile")
    try:
        a = connected(device(sb, headunit(A)))
        cloud = connected(device(sb, CLOUD))
        a.subscribe("#")  # granted by an ACL-file mosquitto, but filtered on delivery
        assert refused(a.publish(topics.vehicle(B, topics.SESSION), b"forged"))
        cloud.publish(topics.vehicle(B, topics.SESSION), b"for B only")
        cloud.publish(topics.vehicle(A, topics.SESSION), b"for A")
        a.wait_message(topics.vehicle(A, topics.SESSION))
        assert [r.topic for r in a.received] == [topics.vehicle(A, topics.SESSION)]
        a.close()
        cloud.close()
    finally:
        sb.stop()


def test_a_revoked_device_cannot_connect_and_the_others_still_can(tmp_path):
    sb = SecureBroker(tmp_path, [A, B]).start().start("passwords")
    try:
        assert device(sb, headunit(A)).connect() == "ok"
        r = pki_cli("revoke", "--dir", str(sb.pki), "--vin", A)
        assert r.returncode == 0, r.stderr
        assert "restart the broker" in r.stderr
        sb.restart("certificates")
        sb.restart("passwords")
        assert device(sb, headunit(A)).connect() != "ok"
        assert Probe(sb.password_port, ca=sb.ca, username=headunit(A),
                     password=sb.password(headunit(A))).connect() != "ok"
        assert device(sb, headunit(B)).connect() == "ok"
        crl = x509.load_pem_x509_crl((sb.pki / "crl.pem").read_bytes())
        assert len(crl) == 2  # the car's head unit and the car itself
        # a new head unit for the same car gets a new certificate, which works
        r = pki_cli("add-vehicle", "--dir", str(sb.pki), "--vin", A)
        assert r.returncode == 0, r.stderr
        sb.restart("certificates")
        assert device(sb, headunit(A)).connect() == "ok"
    finally:
        sb.stop()


# ---------------------------------------------------------------- the whole flow


@pytest.mark.integration
def test_two_scan_bind_and_the_car_over_mqtts_with_the_generated_certificates(system_on, broker):
    s = system_on(broker.url)
    s.start_cloud(*broker.tls_flags(CLOUD))
    hu = s.start_headunit(*broker.tls_flags(headunit(A)), vin=A, name="hu")
    # (ismart-vehicle takes its TLS files before the subcommand)
    vehicle = Proc([program("ismart-vehicle"), "--broker", broker.url, *broker.tls_flags(car(A)),
                    "run", "--vin", A, "--model", "mg4", "--data-dir", str(s.root / "car")],
                   name="vehicle", log_dir=s.root / "logs")
    s.procs.append(vehicle)
    vehicle.wait_for(lambda line: line["event"] == "connected", 30, "connected line")
    s.new_user("ann", "Ann Hansen")
    r = s.phone("ann", "scan", qr(hu, "login", timeout=30)["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
    r = s.phone("ann", "scan", qr(hu, "bind")["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "bound", r
    bound = state(hu, "bound", online=True)
    assert bound["binding"]["display_name"] == "Ann Hansen"
    # the car's topics work under the policy too: its status reaches the head unit through
    # the cloud, a phone command reaches the car, and the rig's tool reaches the car
    car_line(hu, lambda v: v["car_online"] and v["status"] is not None, timeout=30)
    r = s.phone("ann", "climate", "on", "--temp", "22")
    assert r["rc"] == 0 and r["result"]["status"] == "ok", r
    mark = hu.mark()
    r = subprocess.run([program("ismart-vehicle"), "--broker", broker.url, "--vin", A,
                        *broker.tls_flags(pki.RIG_IDENTITY), "set", "tyres.frontLeftPressure",
                        "1.9"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    car_line(hu, shows("tyres.frontLeftPressure", 1.9), since=mark, timeout=30)


@pytest.mark.integration
def test_a_head_unit_goes_online_with_its_password_over_tls(system_on, broker):
    # the password listener is its own mosquitto here: the cloud uses its password too
    s = system_on(broker.password_url(CLOUD))
    s.start_cloud("--ca", broker.ca)
    hu = s.start_headunit("--broker", broker.password_url(headunit(B)), "--ca", broker.ca,
                          vin=B, name="hu-b")
    assert qr(hu, "login", timeout=30)["online"]
