"""``ismart-cloud pki ...``: make and change the device credentials (see :mod:`.pki`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from headunit.protocol.topics import TopicError

from .pki import CLOUD_IDENTITY, Pki, PkiError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pki", help="device credentials: CA, certificates, CRL, mosquitto config and ACL",
        description="Make a CA, a broker certificate, a client certificate (and password) per "
                    "device, a CRL, and mosquitto files in which each head unit reaches only "
                    "its own VIN's topics.")
    psub = p.add_subparsers(dest="pki_command", required=True)

    i = psub.add_parser("init", help="make a new PKI directory")
    i.add_argument("--dir", type=Path, required=True, help="where the files go")
    i.add_argument("--vin", action="append", default=[], metavar="VIN",
                   help="a car to make identities for: headunit-VIN and vehicle-VIN (repeat "
                        "for more cars)")
    i.add_argument("--host", action="append", default=[], metavar="NAME",
                   help="another name or address of the broker for its certificate "
                        "(127.0.0.1 and localhost are always in)")
    i.add_argument("--port", type=int, default=8883,
                   help="TLS client-certificate listener (default: %(default)s)")
    i.add_argument("--password-port", type=int, default=8884,
                   help="username/password-over-TLS listener (default: %(default)s)")
    i.add_argument("--bind", default="0.0.0.0",
                   help="address the broker listens on (default: %(default)s)")
    i.add_argument("--dynsec-plugin", default="auto", metavar="PATH",
                   help="mosquitto's mosquitto_dynamic_security.so, which refuses a forbidden "
                        "subscription outright; 'auto' finds it, 'none' uses the classic ACL "
                        "file only (default: %(default)s)")
    i.add_argument("--force", action="store_true",
                   help="replace an existing PKI (every device then needs its new files)")

    a = psub.add_parser("add-vehicle", help="make the identities of a new car (head unit and "
                                            "car simulator)")
    a.add_argument("--dir", type=Path, required=True)
    a.add_argument("--vin", required=True)

    r = psub.add_parser("revoke", help="revoke a device: CRL, ACL and password file rewritten")
    r.add_argument("--dir", type=Path, required=True)
    who = r.add_mutually_exclusive_group(required=True)
    who.add_argument("--vin", help="the car whose identities (head unit, car) to revoke")
    who.add_argument("--identity", help=f"any identity by name, e.g. {CLOUD_IDENTITY}")

    s = psub.add_parser("show", help="list the identities and how to use them")
    s.add_argument("--dir", type=Path, required=True)


def _usage(pki: Pki) -> dict:
    st = pki.state()
    ca, root = str(pki.ca_cert_path), pki.root
    host = st.hosts[0] if st.hosts else "127.0.0.1"
    out: dict = {
        "dir": str(root),
        "broker": {"certificates": f"mosquitto -c {root / 'mosquitto.conf'}",
                   "passwords": f"mosquitto -c {root / 'mosquitto-password.conf'}",
                   "dynamic_security_plugin": st.plugin},
        "devices": {},
    }
    for name, d in sorted(st.devices.items()):
        tls = (f"--broker mqtts://{host}:{st.port} --ca {ca} --cert {pki.cert_path(name)} "
               f"--key {pki.key_path(name)}")
        pw = (f"--broker 'mqtts://{name}:PASSWORD@{host}:{st.password_port}' --ca {ca}  "
              f"(PASSWORD in {pki.password_path(name)})")
        out["devices"][name] = {"kind": d.kind, "vin": d.vin, "revoked": d.revoked is not None,
                                "flags": tls, "password_flags": pw}
    return out


def run(args: argparse.Namespace) -> int:
    pki = Pki(args.dir)
    try:
        if args.pki_command == "init":
            pki.init(args.vin, hosts=args.host, port=args.port, password_port=args.password_port,
                     bind=args.bind, force=args.force,
                     plugin=None if args.dynsec_plugin == "none" else args.dynsec_plugin)
        elif args.pki_command == "add-vehicle":
            pki.add_vehicle(args.vin)
        elif args.pki_command == "revoke":
            if args.vin:
                pki.revoke_vehicle(args.vin)
            else:
                pki.revoke(args.identity)
        print(json.dumps(_usage(pki), indent=1))
    except (PkiError, TopicError, OSError) as exc:
        print(f"ismart-cloud pki: {exc}", file=sys.stderr)
        return 2
    if args.pki_command in ("add-vehicle", "revoke"):
        print("ismart-cloud pki: restart the broker to apply the change", file=sys.stderr)
    return 0
