"""A phone's browser completes the flows: Debian's Chromium (headless, 360x800) against a real
cloud and mosquitto. The main flow reads each QR URL off the real head-unit window (Kivy
under Xvfb) and ends with an unbind by SMS code; force unbinding is answered Reject by the
previous owner in a second browser, live.

One browser for the module; each test has its own cloud and head unit processes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from headunit.protocol.errors import MESSAGES
from headunit.protocol.errors_da import MESSAGES_DA
from tests.support.headunit import state
from tests.support.ui import HeadUnitWindow
from tests.support.vehicle import bind
from tests.support.web import (
    assert_fits_the_phone,
    car_qr_url,
    click_button,
    launch_chromium,
    login,
    phone_context,
    register,
    screen_qr_url,
    sms_code,
    text_of,
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


@pytest.mark.ui
@pytest.mark.timeout(240)
def test_a_phone_binds_with_qr_urls_read_off_the_car_screen_then_unbinds_with_the_sms_code(
        system_on, mosquitto, browser, xvfb, tmp_path):
    """The head unit is the real Kivy window under Xvfb: each QR URL is decoded from its
    screenshot, as a phone camera reads it."""
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    hu = HeadUnitWindow(xvfb.display, mosquitto.url, sys_.root, vin=VIN, extra=FAST_QR)
    sys_.procs.append(hu.proc)
    hu.wait_state(what="the head unit online", state="no_user", online=True)
    hu.rc.tap(id="home.user")  # the User menu: the login code
    ctx = phone_context(browser)
    page = ctx.new_page()

    sms = register(page, sys_.cloud_url, "ann@example.com", PASSWORD, "Ann Hansen")
    assert "Simulated e-mail" in sms and "ann@example.com" in sms
    assert page.locator("html.js").count() == 1  # the small script runs here
    assert "Account created" in text_of(page)
    login(page, None, "ann@example.com", PASSWORD)
    assert page.url.endswith("/cars") and "No car yet" in text_of(page)

    login_url = screen_qr_url(hu, "login", tmp_path / "login-qr.png")
    page.goto(login_url)
    assert re.search(r"/scan/[0-9a-f]{16}$", page.url)  # the token left the address bar
    assert page.locator("h1").inner_text() == "Log in to MG4 Electric, VIN ending …0001?"
    assert_fits_the_phone(page)
    hu.wait_state(what="confirm on your phone", state="login_scanned")

    click_button(page, "Confirm")
    assert "You are logged into the car" in text_of(page)
    logged_in = hu.wait_state(what="logged in", state="logged_in")
    assert logged_in["user"]["display_name"] == "Ann Hansen"

    page.goto(screen_qr_url(hu, "bind", tmp_path / "bind-qr.png"))
    assert page.locator("h1").inner_text() == "Bind this car to your account?"
    assert "MG4 Electric · VIN …0001" in text_of(page)
    click_button(page, "Confirm")
    assert "The car is bound to your account." in text_of(page)
    card = page.locator("article.vehicle")
    assert "MG4 Electric" in card.inner_text() and "Bound" in card.inner_text()
    assert_fits_the_phone(page)
    bound = hu.wait_state(what="the bound profile", state="bound", panel="profile")
    assert bound["binding"]["display_name"] == "Ann Hansen"  # the head unit shows the profile

    page.goto(login_url)  # the same code again: refused in plain words
    assert MESSAGES["token_used"] in text_of(page)

    cookies = {c["name"]: c for c in ctx.cookies()}
    session = cookies["ismart_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]
    assert page.evaluate("document.cookie") == ""  # no cookie is readable by scripts

    # unbind with the code: My car → the car → Unbind → Send code → the simulated SMS
    page.goto(f"{sys_.cloud_url}/cars")
    page.get_by_role("link", name="Open the car").click()
    page.get_by_role("link", name="Unbind this car").click()
    assert "Unbind MG4 Electric, VIN ending …0001, from your account?" in text_of(page)
    click_button(page, "Send code")
    code = sms_code(page)
    assert_fits_the_phone(page)
    page.fill("#code", "000000" if code != "000000" else "111111")
    click_button(page, "Unbind")
    assert "The code is wrong: 4 tries left." in text_of(page)
    page.fill("#code", code)
    click_button(page, "Unbind")
    assert "The unbind is complete: the car is no longer bound to your account." \
        in text_of(page)
    assert "No car yet" in text_of(page)
    back = hu.wait_state(what="the login code again", state="no_user", panel="login_qr")
    assert back["binding"] is None
    assert "/s/" in screen_qr_url(hu, "login", tmp_path / "login-again.png")

    click_button(page, "DA")  # the visible language switch
    assert page.locator("h1").inner_text() == "Min bil"
    assert "Ingen bil endnu" in text_of(page)
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


def test_a_force_unbind_answered_reject_in_a_second_browser_sends_the_new_user_to_a_dealer(
        system_on, mosquitto, browser):
    sys_, hu = start(system_on, mosquitto.url)
    sys_.new_user("ann", "Ann Hansen", password=PASSWORD)
    sys_.new_user("bob", "Bob Berg", password=PASSWORD)
    bind(sys_, hu, "ann")
    mark = hu.mark()
    hu.send({"cmd": "logout"})  # Ann leaves the car, still bound to her: the login code shows
    login_url = car_qr_url(hu, "login", since=mark)

    # the previous owner's phone (a second browser), on My car
    ann_ctx = phone_context(browser)
    ann = ann_ctx.new_page()
    login(ann, sys_.cloud_url, "ann@example.com", PASSWORD)
    assert ann.locator(".ask-card").count() == 0
    ann.evaluate("window.samePage = true")  # gone if the page is ever reloaded

    # the new user scans the car: refused, and offered force unbinding
    bob_ctx = phone_context(browser)
    bob = bob_ctx.new_page()
    login(bob, sys_.cloud_url, "bob@example.com", PASSWORD)
    bob.goto(login_url)
    assert MESSAGES["bound_to_other_user"] in text_of(bob) and "Ann" not in bob.content()
    bob.get_by_role("link", name="Force unbinding").click()
    assert "A push message goes to the previous user of this car" in text_of(bob)
    assert bob.locator("h1").inner_text() == "MG4 Electric" and "VIN …0001" in text_of(bob)
    assert_fits_the_phone(bob)
    click_button(bob, "Send the push message")
    assert re.search(r"Request sent\. Waiting for the previous owner's answer until "
                     r"\d+ \w{3} \d{4}, \d\d:\d\d UTC\.", text_of(bob))
    assert_fits_the_phone(bob)
    bob.evaluate("window.samePage = true")
    state(hu, "no_user", since=mark, notice="force_unbind_requested")  # the car says so too

    # Agree / Reject appear on Ann's open page without a reload
    ask = ann.locator(".ask-card")
    expect(ask).to_contain_text("Someone asked to unbind MG4 Electric (VIN ending …0001)")
    expect(ann.locator("[data-live-part=badge]")).to_have_text("1")
    assert ann.evaluate("window.samePage === true"), "Ann's page was reloaded"
    assert_fits_the_phone(ann)
    ask.get_by_role("button", name="Reject").click()
    ann.wait_for_load_state()
    assert "You rejected the request: the car stays bound to you." in text_of(ann)
    assert ann.locator(".ask-card").count() == 0

    # Bob's waiting page turns into the dealer message, live
    expect(bob.locator("[data-live-part=request]")).to_contain_text(
        "The previous owner rejected the unbind. To prove that you own the car, visit an MG "
        "dealer, who can unbind it.")
    assert bob.evaluate("window.samePage === true"), "Bob's page was reloaded"
    assert sys_.cloud_vehicle(VIN)["binding"]["display_name"] == "Ann Hansen"
    ann_ctx.close()
    bob_ctx.close()
