"""A phone's browser completes the two-scan flow: Debian's Chromium (headless, 360x800)
opens the QR URLs of a real headless head unit, against a real cloud and mosquitto.

One browser for the module; each test has its own cloud and head unit processes.
"""

from __future__ import annotations

import html
import re

import pytest
from playwright.sync_api import sync_playwright

from headunit.protocol.errors import MESSAGES
from headunit.protocol.errors_da import MESSAGES_DA
from tests.support.headunit import state
from tests.support.web import (
    assert_fits_the_phone,
    car_qr_url,
    click_button,
    launch_chromium,
    login,
    phone_context,
    register,
)

VIN = "LSJA24U66PS000001"
PASSWORD = "a long secret"
FAST_QR = ("--qr-period", "4", "--qr-lifetime", "60")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def start(system_on, broker_url: str):
    sys_ = system_on(broker_url)
    sys_.start_cloud()
    hu = sys_.start_headunit(*FAST_QR, vin=VIN, name="hu")
    return sys_, hu


def text_of(page) -> str:
    return html.unescape(page.locator("main").inner_text())


def test_a_phone_registers_logs_in_and_binds_the_car_by_opening_its_qr_urls(
        system_on, mosquitto, browser):
    sys_, hu = start(system_on, mosquitto.url)
    ctx = phone_context(browser)
    page = ctx.new_page()

    sms = register(page, sys_.cloud_url, "ann@example.com", PASSWORD, "Ann Hansen")
    assert "Simulated e-mail" in sms and "ann@example.com" in sms
    assert page.locator("html.js").count() == 1  # the small script runs here
    assert "Account created" in text_of(page)
    login(page, None, "ann@example.com", PASSWORD)
    assert page.url.endswith("/cars") and "No car yet" in text_of(page)

    mark = hu.mark()
    login_url = car_qr_url(hu, "login", since=mark)
    page.goto(login_url)
    assert re.search(r"/scan/[0-9a-f]{16}$", page.url)  # the token left the address bar
    assert page.locator("h1").inner_text() == "Log in to MG4 Electric, VIN ending …0001?"
    assert_fits_the_phone(page)
    state(hu, "login_scanned", since=mark)  # the car: "confirm on your phone"

    click_button(page, "Confirm")
    assert "You are logged into the car" in text_of(page)
    logged_in = state(hu, "logged_in", since=mark)
    assert logged_in["user"]["display_name"] == "Ann Hansen"

    bind_url = car_qr_url(hu, "bind", since=mark)
    page.goto(bind_url)
    assert page.locator("h1").inner_text() == "Bind this car to your account?"
    assert "MG4 Electric · VIN …0001" in text_of(page)
    click_button(page, "Confirm")
    assert "The car is bound to your account." in text_of(page)
    card = page.locator("article.vehicle")
    assert "MG4 Electric" in card.inner_text() and "Bound" in card.inner_text()
    assert_fits_the_phone(page)

    bound = state(hu, "bound", since=mark)  # the head unit shows the bound profile
    assert bound["bound"] and bound["binding"]["display_name"] == "Ann Hansen"

    page.goto(login_url)  # the same code again: refused in plain words
    assert MESSAGES["token_used"] in text_of(page)
    assert_fits_the_phone(page)

    cookies = {c["name"]: c for c in ctx.cookies()}
    session = cookies["ismart_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]
    assert page.evaluate("document.cookie") == ""  # no cookie is readable by scripts

    page.goto(f"{sys_.cloud_url}/cars")
    click_button(page, "DA")  # the visible language switch
    assert page.locator("h1").inner_text() == "Min bil"
    assert "Tilknyttet" in page.locator("article.vehicle").inner_text()
    ctx.close()


def test_the_core_flow_works_with_javascript_disabled(system_on, mosquitto, browser):
    """No script at all: a scan while logged out leads to log-in, back to the question,
    confirm, then bind."""
    sys_, hu = start(system_on, mosquitto.url)
    ctx = phone_context(browser, javascript=False)
    page = ctx.new_page()
    page.goto(f"{sys_.cloud_url}/login")
    assert page.locator("html.js").count() == 0  # app.js marks <html> when it runs: it did not
    register(page, sys_.cloud_url, "ben@example.com", PASSWORD, "Ben Berg")

    ctx.clear_cookies()  # logged out on this phone: the scan must lead through log-in
    mark = hu.mark()
    page.goto(car_qr_url(hu, "login", since=mark))
    assert page.url.endswith("/login")
    assert "You scanned a car's code" in text_of(page)
    login(page, None, "ben@example.com", PASSWORD)
    assert page.locator("h1").inner_text() == "Log in to MG4 Electric, VIN ending …0001?"
    click_button(page, "Confirm")
    assert "You are logged into the car" in text_of(page)

    page.goto(car_qr_url(hu, "bind", since=mark))
    click_button(page, "Confirm")
    assert "The car is bound to your account." in text_of(page)
    bound = state(hu, "bound", since=mark)
    assert bound["binding"]["display_name"] == "Ben Berg"
    ctx.close()


def test_a_second_account_sees_nothing_of_the_first_accounts_car_and_is_told_why_in_danish(
        system_on, mosquitto, browser):
    sys_, hu = start(system_on, mosquitto.url)
    ann_ctx = phone_context(browser)
    ann = ann_ctx.new_page()
    sms = register(ann, sys_.cloud_url, "+4511112222", PASSWORD, "Ann Hansen")
    assert "Simulated SMS" in sms and "+4511112222" in sms
    login(ann, None, "+4511112222", PASSWORD)
    mark = hu.mark()
    ann.goto(car_qr_url(hu, "login", since=mark))
    click_button(ann, "Confirm")
    ann.goto(car_qr_url(hu, "bind", since=mark))
    click_button(ann, "Confirm")
    state(hu, "bound", since=mark)

    mark = hu.mark()
    hu.send({"cmd": "logout"})  # Ann leaves the car: it shows a login QR, still bound to her
    url = car_qr_url(hu, "login", since=mark)

    bob_ctx = phone_context(browser, locale="da-DK")  # a Danish phone
    bob = bob_ctx.new_page()
    bob.goto(f"{sys_.cloud_url}/register")
    assert bob.locator("h1").inner_text() == "Opret konto"
    assert_fits_the_phone(bob)
    bob.fill("#identifier", "bob@example.com")
    click_button(bob, "Send")
    assert "Simuleret e-mail" in bob.locator("section.sms").inner_text()
    code = re.search(r"\d{6}", bob.locator("section.sms").inner_text()).group(0)
    bob.fill("#code", code)
    bob.fill("#password", PASSWORD)
    click_button(bob, "Registrer")
    bob.fill("#identifier", "bob@example.com")
    bob.fill("#password", PASSWORD)
    bob.check("input[name=accept]")
    click_button(bob, "Log på")
    assert bob.locator("h1").inner_text() == "Min bil"
    assert "Ingen bil endnu" in text_of(bob) and "MG4" not in text_of(bob)

    bob.goto(url)
    assert MESSAGES_DA["bound_to_other_user"] in text_of(bob)
    assert_fits_the_phone(bob)
    assert "Ann" not in bob.content()
    told = state(hu, "no_user", since=mark, notice="bound_to_other_user")  # the car says why
    assert told["binding"]["display_name"] == "Ann Hansen" and told["user"] is None
    ann_ctx.close()
    bob_ctx.close()
