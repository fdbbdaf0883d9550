"""Device credentials and broker isolation: a CA, certificates, a CRL, and mosquitto's files.

``ismart-cloud pki init`` makes, in one directory:

- ``ca.pem`` / ``ca.key``: the CA every broker and device trusts;
- ``broker.pem`` / ``broker.key``: the broker's certificate (SAN 127.0.0.1, localhost, --host);
- ``clients/<identity>.pem|.key|.password``: one identity per device, ``ismart-cloud`` for the
  cloud, ``headunit-<VIN>`` and ``vehicle-<VIN>`` per car (head unit and vehicle simulator),
  ``ismart-vehicle-admin`` for the rig's tool; that name is the certificate's CN, the MQTT
  username, and the MQTT client id;
- ``crl.pem``: the revoked certificates;
- ``dynamic-security.json``: the access policy for mosquitto's dynamic-security plugin: each
  head unit or car may subscribe to, receive and publish on only its own VIN's topics, each in
  the direction :data:`POLICY` gives (and read the cloud's retained ``ismart/v1/cloud/#``),
  the cloud only its service topics; anything else is
  refused (a subscription with reason code 0x87 "Not authorized", a publish likewise);
- ``mosquitto.conf``: the strong option, TLS client certificates (``require_certificate``,
  ``use_identity_as_username``, ``crlfile``);
- ``mosquitto-password.conf``: the simple option, per-device username and password over TLS
  (the password hashes are in the policy);
- ``acl``, ``passwd`` and ``mosquitto-aclfile.conf``: the same policy as a classic ACL file and
  password file, for a mosquitto without the plugin (it grants any subscription but delivers
  only what the ACL lets a device read).

Both configurations set ``use_username_as_clientid``, so no device can take another's client id.
Keys are ECDSA P-256 and written with mode 0600. ``state.json`` remembers every identity.
"""

from __future__ import annotations

import base64
import datetime as dt
import grp
import hashlib
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from headunit.fsutil import atomic_write
from headunit.protocol import topics

CLOUD_IDENTITY = "ismart-cloud"
CERT_DAYS = 825
CRL_DAYS = 365

RIG_IDENTITY = "ismart-vehicle-admin"  # the test rig's tool: ismart-vehicle get/set/drive

# Who publishes each vehicle topic and who may read it: device kinds are "cloud", "headunit"
# and "car" (one of each per VIN, own VIN only) and "rig" (every VIN). Every leaf of
# topics.VEHICLE_LEAVES must be here (tests/test_broker_isolation.py checks it), so a new topic
# cannot slip past the policy unclassified.
POLICY: dict[str, tuple[str, tuple[str, ...]]] = {
    topics.HEADUNIT_AVAILABILITY: ("headunit", ("cloud",)),
    topics.HEADUNIT_REQUEST: ("headunit", ("cloud",)),
    topics.HEADUNIT_RESPONSE: ("cloud", ("headunit",)),
    topics.SESSION: ("cloud", ("headunit",)),
    topics.EVENTS: ("cloud", ("headunit",)),
    topics.CAR_AVAILABILITY: ("car", ("cloud", "headunit")),
    topics.CAR_STATUS: ("car", ("cloud",)),
    topics.CAR_COMMAND: ("cloud", ("car",)),
    topics.CAR_RESULT: ("car", ("cloud",)),
    topics.CAR_ADMIN: ("rig", ("car",)),
    topics.CAR_ADMIN_RESPONSE: ("car", ("rig",)),
    topics.STATUS: ("cloud", ("headunit",)),
    topics.HEADUNIT_CAR_COMMAND: ("headunit", ("cloud",)),
    topics.HEADUNIT_CAR_RESULT: ("cloud", ("headunit",)),
}
CLOUD_TOPICS = f"{topics.PREFIX}/cloud/#"  # the cloud's retained state; head units, cars read
IDENTITY_OF = {"headunit": "headunit-{vin}", "car": "vehicle-{vin}"}  # the client ids they use


def writes(kind: str) -> list[str]:
    return [leaf for leaf, (writer, _) in POLICY.items() if writer == kind]


def reads(kind: str) -> list[str]:
    return [leaf for leaf, (_, readers) in POLICY.items() if kind in readers]


class PkiError(ValueError):
    """Something about the PKI directory or a request that a person must fix."""


def headunit_identity(vin: str) -> str:
    return IDENTITY_OF["headunit"].format(vin=topics.check_vin(vin))


def car_identity(vin: str) -> str:
    return IDENTITY_OF["car"].format(vin=topics.check_vin(vin))


@dataclass
class Device:
    name: str
    kind: str  # cloud | headunit | car | rig
    serial: int
    vin: str | None = None
    revoked: float | None = None


@dataclass
class State:
    port: int = 8883
    password_port: int = 8884
    bind: str = "0.0.0.0"
    hosts: list[str] = field(default_factory=list)
    devices: dict[str, Device] = field(default_factory=dict)
    plugin: str | None = None  # mosquitto's dynamic-security plugin, when found

    def to_json(self) -> dict:
        return {"version": 1, "port": self.port, "password_port": self.password_port,
                "bind": self.bind, "hosts": self.hosts, "plugin": self.plugin,
                "devices": {n: d.__dict__ for n, d in self.devices.items()}}

    @classmethod
    def from_json(cls, raw: dict) -> State:
        return cls(raw["port"], raw["password_port"], raw["bind"], list(raw["hosts"]),
                   {n: Device(**d) for n, d in raw["devices"].items()}, raw.get("plugin"))


PLUGIN_NAME = "mosquitto_dynamic_security.so"


def find_plugin() -> str | None:
    """Where this machine's mosquitto keeps its dynamic-security plugin, if anywhere."""
    for base in ("/usr/lib", "/usr/local/lib", "/usr/lib64", "/opt/homebrew/lib"):
        for candidate in sorted(Path(base).glob(f"**/{PLUGIN_NAME}")) if Path(base).is_dir() \
                else []:
            return str(candidate)
    return None


# ---------------------------------------------------------------- keys and certificates


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iSmart emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _issue(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate | None, cn: str,
           key: ec.EllipticCurvePrivateKey, serial: int, *, is_ca: bool = False,
           server_hosts: list[str] | None = None, days: int = CERT_DAYS) -> x509.Certificate:
    now = _now()
    subject = _name(cn)
    b = (x509.CertificateBuilder().subject_name(subject)
         .issuer_name(ca_cert.subject if ca_cert else subject)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(now - dt.timedelta(minutes=5))
         .not_valid_after(now + dt.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None),
                        critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                        critical=False))
    if is_ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                          False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                          False), critical=True)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server_hosts else \
            ExtendedKeyUsageOID.CLIENT_AUTH
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if ca_cert is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_key.public_key()), critical=False)
    if server_hosts:
        b = b.add_extension(x509.SubjectAlternativeName([_san(h) for h in server_hosts]),
                            critical=False)
    return b.sign(ca_key, hashes.SHA256())


def mosquitto_hash(password: str, *, iterations: int = 101, salt: bytes | None = None) -> str:
    """A password hash in mosquitto 2's ``$7$`` format (PBKDF2-HMAC-SHA512, 12-byte salt)."""
    salt = salt if salt is not None else os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return (f"$7${iterations}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")


def _write_broker_secret(path: Path, data: bytes) -> None:
    """A file only the broker may read. mosquitto started as root drops to the ``mosquitto``
    user before it reads its files: then the file is root:mosquitto 0640, else 0600."""
    try:
        gid = grp.getgrnam("mosquitto").gr_gid if os.geteuid() == 0 else None
    except KeyError:
        gid = None
    atomic_write(path, data, mode=0o600 if gid is None else 0o640)
    if gid is not None:
        os.chown(path, 0, gid)


# ---------------------------------------------------------------- the directory


class Pki:
    """A PKI directory made by :meth:`init`; every change rewrites the CRL, ACL and configs."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.clients = self.root / "clients"

    # paths
    @property
    def ca_cert_path(self) -> Path:
        return self.root / "ca.pem"

    def cert_path(self, name: str) -> Path:
        return self.clients / f"{name}.pem"

    def key_path(self, name: str) -> Path:
        return self.clients / f"{name}.key"

    def password_path(self, name: str) -> Path:
        return self.clients / f"{name}.password"

    # ------------------------------------------------------------ commands

    def init(self, vins: list[str], *, hosts: list[str] = (), port: int = 8883,  # type: ignore[assignment]
             password_port: int = 8884, bind: str = "0.0.0.0", force: bool = False,
             plugin: str | None = "auto") -> State:
        for vin in vins:
            topics.check_vin(vin)
        if (self.root / "state.json").exists() and not force:
            raise PkiError(f"{self.root} already holds a PKI; use 'pki add-vehicle' for a new "
                           "car, or --force to make a new CA (every device needs new files)")
        self.root.mkdir(parents=True, exist_ok=True)
        self.clients.mkdir(exist_ok=True)
        os.chmod(self.root, 0o755)
        ca_key = _new_key()
        ca_cert = _issue(ca_key, None, "iSmart emulator CA", ca_key, x509.random_serial_number(),
                         is_ca=True, days=3650)
        atomic_write(self.root / "ca.key", _key_pem(ca_key), mode=0o600)
        atomic_write(self.ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM))
        all_hosts = list(dict.fromkeys(["127.0.0.1", "localhost", *hosts]))
        broker_key = _new_key()
        broker = _issue(ca_key, ca_cert, all_hosts[-1] if hosts else "localhost", broker_key,
                        x509.random_serial_number(), server_hosts=all_hosts)
        _write_broker_secret(self.root / "broker.key", _key_pem(broker_key))
        atomic_write(self.root / "broker.pem", broker.public_bytes(serialization.Encoding.PEM))
        if plugin == "auto":
            plugin = find_plugin()
        elif plugin is not None and not Path(plugin).is_file():
            raise PkiError(f"no mosquitto plugin at {plugin}; give the path of "
                           f"{PLUGIN_NAME} (package mosquitto), or leave it out")
        state = State(port, password_port, bind, list(hosts), plugin=plugin)
        self._add(state, ca_key, ca_cert, CLOUD_IDENTITY, "cloud")
        self._add(state, ca_key, ca_cert, RIG_IDENTITY, "rig")
        for vin in vins:
            for kind, pattern in IDENTITY_OF.items():
                self._add(state, ca_key, ca_cert, pattern.format(vin=vin), kind, vin)
        self._write_all(state, ca_key, ca_cert)
        return state

    def add_vehicle(self, vin: str) -> list[Device]:
        """Identities for a new car (its head unit and the car itself); a revoked one is
        issued anew, with a new key and serial."""
        topics.check_vin(vin)
        state, ca_key, ca_cert = self._load()
        made = []
        for kind, pattern in IDENTITY_OF.items():
            d = state.devices.get(pattern.format(vin=vin))
            if d is None or d.revoked is not None:
                made.append(self._add(state, ca_key, ca_cert, pattern.format(vin=vin), kind, vin))
        if not made:
            raise PkiError(f"{vin} already has its identities; revoke them first to issue "
                           "new ones")
        self._write_all(state, ca_key, ca_cert)
        return made

    def revoke_vehicle(self, vin: str) -> list[Device]:
        """Revoke every identity of a car (head unit and car)."""
        topics.check_vin(vin)
        names = [p.format(vin=vin) for p in IDENTITY_OF.values()]
        if not any(n in self.state().devices for n in names):
            raise PkiError(f"no identities for {vin} in {self.root}")
        return [self.revoke(n) for n in names if n in self.state().devices]

    def revoke(self, name: str) -> Device:
        state, ca_key, ca_cert = self._load()
        d = state.devices.get(name)
        if d is None:
            known = ", ".join(sorted(state.devices)) or "none"
            raise PkiError(f"no device {name!r} in {self.root} (known: {known})")
        if d.revoked is None:
            d.revoked = _now().timestamp()
        self._write_all(state, ca_key, ca_cert)
        return d

    def state(self) -> State:
        return self._load()[0]

    # ------------------------------------------------------------ internals

    def _load(self) -> tuple[State, ec.EllipticCurvePrivateKey, x509.Certificate]:
        path = self.root / "state.json"
        if not path.exists():
            raise PkiError(f"{self.root} holds no PKI; make one with 'ismart-cloud pki init "
                           f"--dir {self.root} --vin VIN'")
        state = State.from_json(json.loads(path.read_text()))
        ca_key = serialization.load_pem_private_key((self.root / "ca.key").read_bytes(), None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        ca_cert = x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())
        return state, ca_key, ca_cert

    def _add(self, state: State, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
             name: str, kind: str, vin: str | None = None) -> Device:
        key = _new_key()
        serial = x509.random_serial_number()
        cert = _issue(ca_key, ca_cert, name, key, serial)
        atomic_write(self.key_path(name), _key_pem(key), mode=0o600)
        atomic_write(self.cert_path(name), cert.public_bytes(serialization.Encoding.PEM))
        atomic_write(self.password_path(name), secrets.token_urlsafe(24).encode(), mode=0o600)
        device = Device(name, kind, serial, vin)
        state.devices[name] = device
        return device

    def _write_all(self, state: State, ca_key: ec.EllipticCurvePrivateKey,
                   ca_cert: x509.Certificate) -> None:
        now = _now()
        crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
               .last_update(now - dt.timedelta(minutes=5))
               .next_update(now + dt.timedelta(days=CRL_DAYS)))
        # every certificate ever revoked stays listed (a re-issued device has a new serial)
        for serial, when in self._revoked_serials(state):
            crl = crl.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial)
                .revocation_date(dt.datetime.fromtimestamp(when, dt.UTC)).build())
        crl_signed = crl.sign(ca_key, hashes.SHA256())
        atomic_write(self.root / "crl.pem", crl_signed.public_bytes(serialization.Encoding.PEM))
        live = [d for d in state.devices.values() if d.revoked is None]
        hashes_ = {d.name: mosquitto_hash(self.password_path(d.name).read_text().strip())
                   for d in live}
        _write_broker_secret(self.root / "dynamic-security.json",
                             json.dumps(dynsec_policy(live, hashes_), indent=1).encode())
        atomic_write(self.root / "acl", acl_text(live).encode())
        _write_broker_secret(self.root / "passwd",
                             "".join(f"{n}:{h}\n" for n, h in hashes_.items()).encode())
        for name, kind in (("mosquitto.conf", "certificates"),
                           ("mosquitto-password.conf", "password"),
                           ("mosquitto-aclfile.conf", "aclfile")):
            atomic_write(self.root / name, self._conf(state, kind).encode())
        atomic_write(self.root / "state.json", json.dumps(state.to_json(), indent=1).encode())

    def _revoked_serials(self, state: State) -> list[tuple[int, float]]:
        history = self.root / "revoked.json"
        seen: dict[str, float] = json.loads(history.read_text()) if history.exists() else {}
        for d in state.devices.values():
            if d.revoked is not None:
                seen.setdefault(str(d.serial), d.revoked)
        atomic_write(history, json.dumps(seen).encode())
        return [(int(s), t) for s, t in sorted(seen.items())]

    def _conf(self, state: State, kind: str) -> str:
        r = self.root
        heads = {
            "certificates": "Strong option: TLS client certificates; the certificate's CN is "
                            "the username\n# and the client id.",
            "password": "Simple option: per-device username and password over TLS; each "
                        "device's password\n# is in clients/<identity>.password.",
            "aclfile": "TLS client certificates with the classic ACL file, for a mosquitto "
                       "without the\n# dynamic-security plugin.",
        }
        policy = ([f"plugin {state.plugin}",
                   f"plugin_opt_config_file {r / 'dynamic-security.json'}"]
                  if state.plugin and kind != "aclfile" else [f"acl_file {r / 'acl'}"])
        lines = [
            f"# Made by 'ismart-cloud pki'. {heads[kind]}",
            "# Restart the broker after 'pki add-vehicle' or 'pki revoke'.",
            "per_listener_settings false",
            "allow_anonymous false",
            *policy,
            # the cloud republishes every retained topic after each (re)connect
            "persistence false",
            "max_queued_messages 10000",
            "max_inflight_messages 100",
            "max_packet_size 1048576",
            f"listener {state.password_port if kind == 'password' else state.port} {state.bind}",
            # a device's client id is its identity: nobody can take over another's session
            # (a listener option: before any 'listener' line it opens a default one on 1883)
            "use_username_as_clientid true",
            f"cafile {r / 'ca.pem'}",
            f"certfile {r / 'broker.pem'}",
            f"keyfile {r / 'broker.key'}",
            "tls_version tlsv1.2",
        ]
        if kind == "password":
            lines.append("require_certificate false")
            if not state.plugin:
                lines.append(f"password_file {r / 'passwd'}")
        else:
            lines += ["require_certificate true", "use_identity_as_username true",
                      f"crlfile {r / 'crl.pem'}"]
        return "\n".join(lines) + "\n"


def grants(d: Device) -> list[tuple[str, str]]:
    """``(access, topic filter)`` for one identity: access is read, write or readwrite."""
    if d.kind == "cloud":
        out = [("readwrite", CLOUD_TOPICS)]
    elif d.kind == "rig":
        out = []
    else:
        out = [("read", CLOUD_TOPICS)]

    def where(leaf: str) -> str:
        if d.kind in ("cloud", "rig"):
            return topics.vehicle_filter(leaf)
        assert d.vin is not None
        return topics.vehicle(d.vin, leaf)

    out += [("write", where(leaf)) for leaf in writes(d.kind)]
    out += [("read", where(leaf)) for leaf in reads(d.kind)]
    return out


def dynsec_policy(devices: list[Device], password_hashes: dict[str, str]) -> dict:
    """The dynamic-security plugin's configuration: one role per identity, default deny."""
    clients, roles = [], []
    for d in sorted(devices, key=lambda d: d.name):
        acls = []
        for access, topic in grants(d):
            if "read" in access:
                acls += [{"acltype": "subscribePattern", "topic": topic, "allow": True},
                         {"acltype": "publishClientReceive", "topic": topic, "allow": True}]
            if "write" in access:
                acls.append({"acltype": "publishClientSend", "topic": topic, "allow": True})
        roles.append({"rolename": d.name, "acls": [{**a, "priority": 0} for a in acls]})
        # mosquitto's $7$ hash and the plugin's fields are the same PBKDF2-SHA512
        _, _, iterations, salt, digest = password_hashes[d.name].split("$")
        clients.append({"username": d.name, "textname": f"{d.kind} {d.vin or ''}".strip(),
                        "roles": [{"rolename": d.name}], "password": digest, "salt": salt,
                        "iterations": int(iterations)})
    return {"defaultACLAccess": {"publishClientSend": False, "publishClientReceive": False,
                                 "subscribe": False, "unsubscribe": True},
            "clients": clients, "groups": [], "roles": roles}


def acl_text(devices: list[Device]) -> str:
    """mosquitto's ACL: the cloud's service topics, and each head unit's own VIN only."""
    out = ["# Made by 'ismart-cloud pki'. No 'pattern' lines: each identity is listed with "
           "exactly", "# the topics it may use; anything not listed is refused.", ""]
    for d in sorted(devices, key=lambda d: d.name):
        out.append(f"user {d.name}")
        out += [f"topic {access} {topic}" for access, topic in grants(d)]
        out.append("")
    return "\n".join(out)
