"""Driving the mobile web companion: Debian's Chromium through Playwright, the phone's steps,
and where a test gets the QR URL a phone camera would read.

Playwright's own browser download is never used: every launch names /usr/bin/chromium.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

from tests.support.headunit import qr
from tests.support.procs import Proc

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 800}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
TIMEOUT_MS = 20_000


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless. Fails loudly when it is missing (make test installs it)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run 'make test' (it installs chromium "
                           "with apt-get) or 'sudo apt-get install chromium'")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def phone_context(browser: Any, *, locale: str = "en-GB", javascript: bool = True) -> Any:
    """A fresh phone: 360x800, touch, its own cookies; ``locale`` sets Accept-Language."""
    ctx = browser.new_context(**PHONE, locale=locale, java_script_enabled=javascript)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


# ------------------------------------------------------------------ the QR URL


def car_qr_url(hu: Proc, purpose: str, *, since: int = 0) -> str:
    """The URL in the QR code a headless head unit shows now for ``purpose`` (login | bind),
    from its JSON lines. :func:`screen_qr_url` reads it off a real window's pixels instead."""
    return qr(hu, purpose, since=since)["qr"]["content"]


def screen_qr_url(window: Any, purpose: str, shot: Path) -> str:
    """The URL a phone camera reads off the head unit's screen: a screenshot of the Kivy
    window (``ismart-headunit`` under Xvfb, through its remote control), decoded with
    zxing-cpp. Checks the pixels hold the code the car shows for ``purpose``."""
    from tests.support.ui import decode_qr

    window.wait_state(what=f"the {purpose} code on screen", panel=f"{purpose}_qr", online=True)
    taken = window.rc.screenshot(str(shot))
    codes = decode_qr(Path(taken["path"]))
    assert len(codes) == 1, f"{shot.name}: expected one QR code on the screen, found {codes}"
    assert codes[0]["text"] == taken["qr"], f"{shot.name}: the pixels say another code"
    assert "/s/" in codes[0]["text"], f"not a cloud URL: {codes[0]['text']}"
    return codes[0]["text"]


# ------------------------------------------------------------------ a phone's steps


def register(page: Any, base: str, identifier: str, password: str, name: str) -> str:
    """Register through the pages, reading the code from the Simulated SMS panel as a person
    would; returns the panel's text."""
    page.goto(f"{base}/register")
    page.fill("#identifier", identifier)
    page.get_by_role("button", name=re.compile("^Send$")).click()
    panel = page.locator("section.sms")
    panel.wait_for()
    sms = panel.inner_text()
    code = re.search(r"\b(\d{6})\b", sms)
    assert code, f"no 6-digit code in the simulated SMS panel: {sms!r}"
    page.fill("#code", code.group(1))
    page.fill("#password", password)
    page.fill("#name", name)
    page.locator("form:has(#code) button[type=submit]").click()
    page.locator(".notice.ok").wait_for()
    return sms


def login(page: Any, base: str | None, identifier: str, password: str) -> None:
    """Log in on the login page (``base`` None: the page is already showing it)."""
    if base is not None:
        page.goto(f"{base}/login")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    page.check("input[name=accept]")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def assert_fits_the_phone(page: Any) -> None:
    """Nothing sticks out sideways: the page needs no horizontal scrolling at 360 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"{page.url} is {width} px wide"


def click_button(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def text_of(page: Any) -> str:
    """The main content's text, as the person reads it."""
    return page.locator("main").inner_text()


def sms_code(page: Any) -> str:
    """The 6-digit code in the page's Simulated SMS / e-mail panel."""
    panel = page.locator("section.sms")
    panel.wait_for()
    found = re.search(r"\b(\d{6})\b", panel.inner_text())
    assert found, f"no 6-digit code in the simulated SMS panel: {panel.inner_text()!r}"
    return found.group(1)


# ------------------------------------------------------------------ an in-process server


class Served:
    """An ASGI app served by uvicorn on a free port in a thread (optionally over TLS)."""

    def __init__(self, app: Any, *, certfile: Path | None = None,
                 keyfile: Path | None = None) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        port = self.sock.getsockname()[1]
        self.url = f"{'https' if certfile else 'http'}://127.0.0.1:{port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                ssl_certfile=str(certfile) if certfile else None,
                                ssl_keyfile=str(keyfile) if keyfile else None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise AssertionError("uvicorn did not start within 15 s")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, made with cryptography."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


PASSWORD = "correct horse"  # of every account an InProcessCloud registers


class InProcessCloud:
    """The cloud's service and its web app in this process, over real HTTP (uvicorn on a free
    port) and, with ``tls``, HTTPS too. Its cars have keys of their own and sign QR tokens as
    a head unit does; its accounts register with the code from the simulated SMS."""

    def __init__(self, root: Path, *, tls: bool = False) -> None:
        from firmware_sim.cloud.http_api import create_app
        from firmware_sim.cloud.service import CloudService, CloudSettings
        from headunit.clock import ScaledClock

        self.root = root
        self.service = CloudService(
            CloudSettings(root / "cloud.sqlite3", "http://127.0.0.1", demo=True,
                          kdf_profile="fast"), ScaledClock())
        self.app = create_app(self.service)
        self.http = Served(self.app)
        self.https: Served | None = None
        if tls:
            cert, key = self_signed_cert(root)
            self.https = Served(self.app, certfile=cert, keyfile=key)
        self.keys: dict[str, Any] = {}  # VIN -> the car's Ed25519 private key

    def car(self, vin: str, model: str = "MG4 Electric") -> str:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from headunit.protocol import qrtoken

        key = self.keys[vin] = Ed25519PrivateKey.generate()
        self.service.provision(vin, qrtoken.b64url(qrtoken.raw_public_key(key.public_key())),
                               model)
        return vin

    def qr(self, vin: str, purpose: str) -> str:
        """A fresh QR token of the car ``vin``, signed with its key."""
        from headunit.protocol import qrtoken

        token, _ = qrtoken.sign(self.keys[vin], vin=vin, purpose=purpose,
                                issued=self.service.clock.now(), lifetime=30)
        return token

    def account(self, who: str) -> str:
        ident = f"{who}@example.com"
        self.service.request_code(ident)
        code = re.search(r"\d{6}", self.service.outbox(ident)[0]["body"]).group(0)
        self.service.register(ident, code, PASSWORD, who.title())
        return ident

    def stop(self) -> None:
        self.http.stop()
        if self.https is not None:
            self.https.stop()
        self.service.close()
