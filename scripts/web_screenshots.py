"""Regenerate docs/screenshots/web-*.png: the phone pages of the web companion, en and da.

Runs a real system (embedded broker, cloud, headless head unit, vehicle simulator) and drives
Debian's Chromium at 360x800 through the flows: register, log in, the two scans, the car's
page and a refused command, unbind with the code, a refused scan and force unbinding, the
previous owner's Agree / Reject, the answer, notifications, feedback. Usage:
``make web-screenshots`` (or ``.venv/bin/python scripts/web_screenshots.py [OUT_DIR]``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from firmware_sim.broker import EmbeddedBroker  # noqa: E402
from tests.conftest import System  # noqa: E402
from tests.support.headunit import state  # noqa: E402
from tests.support.vehicle import car_line, vehicle_cli  # noqa: E402
from tests.support.web import (  # noqa: E402
    car_qr_url,
    click_button,
    launch_chromium,
    login,
    phone_context,
)

PASSWORD = "a long secret"
VIN = "LSJA24U66PS001234"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    broker = EmbeddedBroker().start()
    with tempfile.TemporaryDirectory() as tmp:
        system = System(broker.url, Path(tmp))
        try:
            system.start_cloud()
            hu = system.start_headunit("--qr-period", "4", "--qr-lifetime", "60",
                                       "--model", "MG4 Electric", vin=VIN)
            system.start_vehicle(VIN, "--soc", "68", "--location", "55.6761,12.5683")
            with sync_playwright() as p:
                browser = launch_chromium(p)
                shoot_all(browser, system, hu, out)
                browser.close()
        finally:
            system.stop()
            broker.stop()
    print(f"screenshots written to {out}")
    return 0


def both(page, out: Path, name: str, *, switch: bool = True) -> None:
    """Screenshot the page in English, switch to Danish with the page's own switch, shoot
    again, and switch back."""
    page.screenshot(path=str(out / f"web-{name}-en.png"))
    if switch:
        click_button(page, "DA")
        page.screenshot(path=str(out / f"web-{name}-da.png"))
        click_button(page, "EN")


def shoot_all(browser, system: System, hu, out: Path) -> None:
    base = system.cloud_url
    ctx = phone_context(browser)
    page = ctx.new_page()

    page.goto(f"{base}/login")
    both(page, out, "login")

    # Register (the simulated SMS panel): one number per language, as a reload would resend
    for lang, number in (("da", "+4587654321"), ("en", "+4512345678")):
        page.goto(f"{base}/register")
        if lang == "da":
            click_button(page, "DA")
        page.fill("#identifier", number)
        click_button(page, "Send")
        page.fill("#name", "Ann Hansen")
        page.screenshot(path=str(out / f"web-register-{lang}.png"))
        if lang == "da":
            click_button(page, "EN")
    code = page.locator("section.sms").inner_text().split("code is ")[1][:6]
    page.fill("#code", code)
    page.fill("#password", PASSWORD)
    click_button(page, "Register")
    login(page, None, "+4512345678", PASSWORD)

    mark = hu.mark()
    page.goto(car_qr_url(hu, "login", since=mark))
    both(page, out, "confirm-login")
    click_button(page, "Confirm")
    page.goto(car_qr_url(hu, "bind", since=mark))
    both(page, out, "confirm-bind")
    click_button(page, "Confirm")
    state(hu, "bound", since=mark)
    both(page, out, "my-car")
    car_line(hu, lambda v: v["car_online"] and v["status"] is not None)

    # the car's page, and a command the car refuses (in the Digital key section)
    car = system.broker_url, VIN
    vehicle_cli(*car, "set", "tyres.rearLeftPressure", "1.8")  # a car alert, a low tyre
    page.goto(f"{base}/cars/{VIN}")
    page.get_by_role("button", name="Start", exact=True).click()  # climate on: not the default
    page.wait_for_load_state()
    page.goto(f"{base}/cars/{VIN}")
    both(page, out, "car")
    vehicle_cli(*car, "set", "doors.boot", "open")
    for lang, lock in (("en", "Lock"), ("da", "Lås")):
        if lang == "da":
            click_button(page, "DA")
        page.goto(f"{base}/cars/{VIN}#key")
        page.locator("section#key").get_by_role("button", name=lock, exact=True).click()
        page.wait_for_load_state()
        page.locator("section#key .notice.error").wait_for()
        page.screenshot(path=str(out / f"web-car-refused-{lang}.png"))
    click_button(page, "EN")
    vehicle_cli(*car, "set", "doors.boot", "closed")
    page.goto(f"{base}/cars/{VIN}?q=K%C3%B8ge#map")
    page.locator("section#map .pois li").first.get_by_role("button", name="Send to car").click()
    page.wait_for_load_state()

    # unbind: the code in the Simulated SMS panel (not sent: the car stays bound)
    for lang, send in (("en", "Send code"), ("da", "Send kode")):
        page.goto(f"{base}/cars/{VIN}/unbind")
        if lang == "da":
            click_button(page, "DA")
            system.admin("POST", "/time/advance", json={"seconds": 61})  # one code a minute
        click_button(page, send)
        page.locator("section.sms").wait_for()
        page.screenshot(path=str(out / f"web-unbind-{lang}.png"))
    click_button(page, "EN")

    # a new user scans the car, still bound to Ann: refused, and force unbinding
    mark = hu.mark()
    hu.send({"cmd": "logout"})
    url = car_qr_url(hu, "login", since=mark)
    bob = phone_context(browser)
    other = bob.new_page()
    system.new_user("bob", "Bob Berg")  # made with the phone simulator; log in on the web
    login(other, base, "bob@example.com", "correct horse")
    other.goto(url)
    both(other, out, "refused")
    other.get_by_role("link", name="Force unbinding").click()
    other.wait_for_load_state()
    both(other, out, "force-unbind")
    click_button(other, "Send the push message")
    both(other, out, "force-sent")

    # the previous owner: Agree / Reject on the open page (live), then Reject
    page.goto(f"{base}/cars")
    page.locator(".ask-card").wait_for()
    both(page, out, "agree-reject")
    page.locator(".ask-card").get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    other.locator("[data-live-part=request][data-status=rejected]").wait_for()
    both(other, out, "force-rejected")

    page.goto(f"{base}/notifications")
    both(page, out, "notifications")
    page.goto(f"{base}/feedback")
    page.fill("#text", "Scanning the car's code with my phone's camera just worked.")
    click_button(page, "Send feedback")
    both(page, out, "feedback")
    bob.close()
    ctx.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
