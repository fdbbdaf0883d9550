"""Regenerate docs/screenshots/web-*.png: the phone pages of the web companion, en and da.

Runs a real system (embedded broker, cloud, headless head unit) and drives Debian's
Chromium at 360x800 through the flow. Usage: ``make web-screenshots`` (or
``.venv/bin/python scripts/web_screenshots.py [OUT_DIR]``).
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
from tests.support.web import (  # noqa: E402
    car_qr_url,
    click_button,
    launch_chromium,
    login,
    phone_context,
)

PASSWORD = "a long secret"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    broker = EmbeddedBroker().start()
    with tempfile.TemporaryDirectory() as tmp:
        system = System(broker.url, Path(tmp))
        try:
            system.start_cloud()
            hu = system.start_headunit("--qr-period", "4", "--qr-lifetime", "60",
                                       "--model", "MG4 Electric", vin="LSJA24U66PS001234")
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

    mark = hu.mark()
    hu.send({"cmd": "logout"})
    url = car_qr_url(hu, "login", since=mark)
    bob = phone_context(browser)
    other = bob.new_page()
    system.new_user("bob")  # made with the phone simulator; log in on the web
    login(other, base, "bob@example.com", "correct horse")
    other.goto(url)
    both(other, out, "refused")
    bob.close()
    ctx.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
