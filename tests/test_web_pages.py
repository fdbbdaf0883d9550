"""The web companion over real HTTP (uvicorn on a free port, plain and TLS): its security
(cookie flags, CSRF, one account never seeing another's car), its languages and its
offline-ready assets. The browser flows are in test_web_phone_flow.py."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from firmware_sim.cloud.web import i18n
from headunit.protocol.errors import MESSAGES
from headunit.protocol.errors_da import MESSAGES_DA
from tests.support.web import PASSWORD, InProcessCloud

VIN = "LSJA24U66PS004321"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory):
    c = InProcessCloud(tmp_path_factory.mktemp("webcloud"), tls=True)
    c.car(VIN)
    yield c
    c.stop()


def browser(base: str, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=False, verify=False, timeout=30,
                        headers=headers)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found, f"no CSRF field on {page.url}"
    return found.group(1)


def logged_in(base: str, ident: str) -> tuple[httpx.Client, str]:
    """A browser logged in as ``ident`` and its CSRF token."""
    b = browser(base)
    token = csrf_of(b.get("/login"))
    r = b.post("/login", data={"csrf": token, "identifier": ident, "password": PASSWORD,
                               "accept": "yes"})
    assert r.status_code == 303 and r.headers["location"] == "/cars", r.text
    return b, csrf_of(b.get("/cars"))


def plain(page: httpx.Response) -> str:
    """The page's text without tags, as a person reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.text))


def set_cookies(r: httpx.Response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in r.headers.get_list("set-cookie")}


# ------------------------------------------------------------------ cookies


def test_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http(cloud):
    ident = cloud.account("cookie-http")
    b = browser(cloud.http.url)
    token = csrf_of(b.get("/login"))
    r = b.post("/login", data={"csrf": token, "identifier": ident, "password": PASSWORD,
                               "accept": "yes"})
    cookie = set_cookies(r)["ismart_session"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "httponly" in set_cookies(r)["ismart_id"].lower()


def test_every_cookie_is_secure_over_https(cloud):
    ident = cloud.account("cookie-https")
    b = browser(cloud.https.url)
    first = b.get("/login")
    assert "secure" in set_cookies(first)["ismart_id"].lower()
    r = b.post("/login", data={"csrf": csrf_of(first), "identifier": ident,
                               "password": PASSWORD, "accept": "yes"})
    for name in ("ismart_session", "ismart_id"):
        flags = set_cookies(r)[name].lower()
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, flags


# ------------------------------------------------------------------ CSRF


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(cloud):
    b = browser(cloud.http.url)
    b.get("/register")
    r = b.post("/register", data={"identifier": "nocsrf@example.com", "action": "send"})
    assert r.status_code == 403 and "This page has expired" in r.text
    assert cloud.service.outbox("nocsrf@example.com") == []  # no code was sent

    ident = cloud.account("nocsrf-login")
    r = b.post("/login", data={"identifier": ident, "password": PASSWORD, "accept": "yes"})
    assert r.status_code == 403 and "ismart_session" not in set_cookies(r)


def test_a_post_with_a_wrong_or_another_browsers_token_is_refused(cloud):
    ident = cloud.account("wrongcsrf")
    ann, _ = logged_in(cloud.http.url, ident)
    other_token = csrf_of(browser(cloud.http.url).get("/login"))
    for token in ("0" * 40, other_token):
        r = ann.post("/logout", data={"csrf": token})
        assert r.status_code == 403
    assert ann.get("/cars").status_code == 200  # still logged in: the logout was refused


def test_a_post_from_another_site_is_refused_even_with_the_right_token(cloud):
    ident = cloud.account("crosssite")
    ann, token = logged_in(cloud.http.url, ident)
    r = ann.post("/logout", data={"csrf": token}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and "another site" in r.text
    assert ann.get("/cars").status_code == 200


def test_the_csrf_token_changes_when_the_visitor_logs_in(cloud):
    ident = cloud.account("rotate")
    b = browser(cloud.http.url)
    before = csrf_of(b.get("/login"))
    b.post("/login", data={"csrf": before, "identifier": ident, "password": PASSWORD,
                           "accept": "yes"})
    after = csrf_of(b.get("/cars"))
    assert after != before
    assert b.post("/logout", data={"csrf": before}).status_code == 403


# ------------------------------------------------------------------ the QR token


def test_a_logged_out_scan_keeps_the_token_in_a_cookie_and_returns_to_it_after_login(cloud):
    ident = cloud.account("pending")
    b = browser(cloud.http.url)
    token = cloud.qr(VIN, "login")
    r = b.get(f"/s/{token}")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "httponly" in set_cookies(r)["ismart_next"].lower()
    page = b.get("/login")
    assert "You scanned a car's code" in html.unescape(page.text) and token not in page.text
    r = b.post("/login", data={"csrf": csrf_of(page), "identifier": ident,
                               "password": PASSWORD, "accept": "yes"})
    assert r.headers["location"] == f"/s/{token}"
    r = b.get(r.headers["location"])
    assert r.status_code == 303 and re.fullmatch(r"/scan/[0-9a-f]{16}", r.headers["location"])
    question = b.get(r.headers["location"])
    assert "Log in to MG4 Electric, VIN ending …4321?" in plain(question)
    # the ellipsis and the digits never wrap apart
    assert '<span class="nowrap">…4321</span>' in question.text
    cancel = re.search(r'action="(/scan/[0-9a-f]+/cancel)"', question.text).group(1)
    assert b.post(cancel, data={"csrf": csrf_of(question)}).status_code == 303


def test_pages_send_no_referrer_and_a_strict_content_security_policy(cloud):
    r = browser(cloud.http.url).get("/login")
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


# ------------------------------------------------------------------ accounts apart


def test_another_account_cannot_see_or_answer_the_first_accounts_car(cloud):
    ann, ann_csrf = logged_in(cloud.http.url, cloud.account("ann"))
    for purpose in ("login", "bind"):
        r = ann.get(f"/s/{cloud.qr(VIN, purpose)}")
        question = ann.get(r.headers["location"])
        confirm = re.search(r'action="(/scan/[0-9a-f]+/confirm)"', question.text).group(1)
        assert ann.post(confirm, data={"csrf": ann_csrf}).status_code == 303
    assert "MG4 Electric" in ann.get("/cars").text
    state_before = cloud.service.vehicle_state(VIN)

    bob, bob_csrf = logged_in(cloud.http.url, cloud.account("bob"))
    cars = bob.get("/cars").text
    assert "MG4 Electric" not in cars and VIN[-4:] not in cars and "No car yet" in cars
    refused = bob.get(f"/s/{cloud.qr(VIN, 'login')}")
    assert refused.status_code == 409
    assert MESSAGES["bound_to_other_user"] in html.unescape(refused.text)
    assert "Ann" not in refused.text
    assert cloud.service.vehicle_state(VIN) == state_before


def test_another_account_cannot_open_or_confirm_a_scan_it_did_not_make(cloud):
    ann, ann_csrf = logged_in(cloud.http.url, cloud.account("carol"))
    # a car of its own, so the first test's binding does not get in the way
    vin = "LSJA24U66PS007777"
    cloud.car(vin, "MG ZS EV")
    token = cloud.qr(vin, "login")
    where = ann.get(f"/s/{token}").headers["location"]
    assert "MG ZS EV" in ann.get(where).text

    dave, dave_csrf = logged_in(cloud.http.url, cloud.account("dave"))
    peek = dave.get(where)
    assert peek.status_code == 404 and "MG ZS EV" not in peek.text
    assert MESSAGES["scan_not_found"] in html.unescape(peek.text)
    r = dave.post(f"{where}/confirm", data={"csrf": dave_csrf})
    assert 400 <= r.status_code < 500 and MESSAGES["scan_not_found"] in html.unescape(r.text)
    assert cloud.service.vehicle_state(vin)["user"] is None
    # Carol's question is still hers to answer
    assert ann.post(f"{where}/confirm", data={"csrf": ann_csrf}).status_code == 303
    assert cloud.service.vehicle_state(vin)["user"]["display_name"] == "Carol"


# ------------------------------------------------------------------ bad input


def test_bad_input_gets_a_page_in_plain_words_and_never_a_server_error(cloud):
    b, token = logged_in(cloud.http.url, cloud.account("badinput"))
    anon = browser(cloud.http.url)
    anon_token = csrf_of(anon.get("/login"))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        b.post("/login", json={"csrf": token, "identifier": "x"}),
        b.post("/login", content=f"csrf={token}&identifier=" + "a" * 20_000, headers=form),
        b.post("/login", content=b"csrf=\xff\xfe&identifier=\xc3", headers=form),
        b.post("/login", content="&".join(f"f{i}=1" for i in range(40)), headers=form),
        anon.post("/register", data={"csrf": anon_token, "identifier": "not an address",
                                     "action": "send"}),
        b.post("/bind", data={"csrf": token, "content": "https://example.com/not-a-car"}),
        b.get("/s/" + "A" * 500), b.get("/s/not!a!token"), b.get("/s/AAAA"),
        b.get("/scan/zzz"), b.get("/problem/<script>"), b.get("/static/../../etc/passwd"),
    ]
    for r in cases:
        assert 400 <= r.status_code < 500, (r.request.method, r.request.url, r.status_code)
        assert "<script>" not in r.text.replace('<script src="/static/', "")
    assert "The form is too large" in cases[1].text
    assert MESSAGES["invalid_identifier"] in html.unescape(cases[4].text)
    assert MESSAGES["bad_token"] in html.unescape(cases[5].text)
    assert "No car yet" in b.get("/cars").text  # still logged in, nothing changed


# ------------------------------------------------------------------ words and languages


def test_danish_has_every_page_text_and_every_error_code():
    assert set(i18n.TEXTS["da"]) == set(i18n.TEXTS["en"])
    assert set(i18n.WEB_ERRORS["da"]) == set(i18n.WEB_ERRORS["en"])
    missing = sorted(set(MESSAGES) - set(MESSAGES_DA))
    assert not missing, f"add Danish texts to headunit/protocol/errors_da.py for {missing}"


@pytest.mark.parametrize("header, lang", [
    ("da-DK,da;q=0.9,en;q=0.8", "da"), ("en-US,en;q=0.9", "en"), ("de-DE,de;q=0.9", "en"),
    ("en;q=0.4, da;q=0.7", "da"), ("", "en"), ("da;q=abc, en", "en"),
])
def test_the_language_follows_the_browsers_accept_language(header, lang):
    assert i18n.choose(None, header) == lang


def test_every_error_code_is_shown_in_plain_words_in_english_and_danish(cloud):
    b = browser(cloud.http.url)
    for lang in ("en", "da"):
        b.cookies.set("ismart_lang", lang)
        for code in MESSAGES:
            page = b.get(f"/problem/{code}")
            assert page.status_code == 200
            assert i18n.error_text(lang, code) in html.unescape(page.text), (code, lang)


def test_the_language_switch_overrides_the_browser_language(cloud):
    b = browser(cloud.http.url, **{"Accept-Language": "da-DK,da;q=0.9"})
    page = b.get("/login")
    assert "<h1>Log på</h1>" in page.text and 'lang="da"' in page.text
    r = b.post("/lang", data={"csrf": csrf_of(page), "lang": "en", "back": "/register"})
    assert r.status_code == 303 and r.headers["location"] == "/register"
    assert "<h1>Create an account</h1>" in b.get("/register").text
    r = b.post("/lang", data={"csrf": csrf_of(page), "lang": "da", "back": "//evil.example"})
    assert r.headers["location"] == "/"  # never a redirect off the site


# ------------------------------------------------------------------ works offline


def test_pages_use_only_assets_the_cloud_serves_itself(cloud):
    b = browser(cloud.http.url)
    refs: set[str] = set()
    for path in ("/login", "/register", "/problem/expired_token"):
        refs |= set(re.findall(r'(?:src|href)="([^"]+)"', b.get(path).text))
    outside = {r for r in refs if not (r.startswith("/") and not r.startswith("//"))
               and not r.startswith(("#", "mailto:"))}
    assert not outside, f"pages load things from elsewhere: {outside}"
    assert "mailto:mg.europe@ismart-service.com" in refs
    for ref in refs:
        if ref.startswith("/static/"):
            r = b.get(ref)
            assert r.status_code == 200 and len(r.content) > 0, ref
            assert "immutable" in r.headers["cache-control"]


# ------------------------------------------------------------------ the demo


@pytest.mark.integration
def test_the_demo_prints_a_lan_url_that_serves_the_phone_pages(tmp_path):
    import time

    from tests.support.procs import Proc, program

    demo = Proc([program("ismart-demo"), "--headless", "--http", "0.0.0.0:0", "--data-dir",
                 str(tmp_path / "demo"), "--kdf-profile", "fast"], name="demo",
                log_dir=tmp_path / "logs", stdin=True)
    try:
        demo.wait_for(lambda l: l["event"] == "started", 30, "started line")
        deadline, found = time.monotonic() + 15, None
        while found is None and time.monotonic() < deadline:
            found = re.search(r"phone \(web\) : (http://[0-9.]+:[0-9]+)/", demo.stderr_tail())
            time.sleep(0.1)
        assert found, f"no web URL in the demo's banner: {demo.stderr_tail()}"
        url = found.group(1)
        assert not url.startswith(("http://0.0.0.0", "http://localhost"))
        page = browser(url).get("/login")
        assert page.status_code == 200 and "<h1>Log in</h1>" in page.text
    finally:
        demo.stop()


def test_too_many_wrong_passwords_on_the_login_page_say_how_long_to_wait(cloud):
    ident = cloud.account("throttled")
    b = browser(cloud.http.url)
    token = csrf_of(b.get("/login"))
    for _ in range(5):  # five wrong passwords per account are allowed
        r = b.post("/login", data={"csrf": token, "identifier": ident, "password": "wrong one",
                                   "accept": "yes"})
        assert r.status_code == 401 and MESSAGES["invalid_credentials"] in plain(r)
    r = b.post("/login", data={"csrf": token, "identifier": ident, "password": PASSWORD,
                               "accept": "yes"})
    assert r.status_code == 429 and "ismart_session" not in set_cookies(r)
    assert re.search(r"Too many attempts\. Try again in \d+ s\.", plain(r))
    b.cookies.set("ismart_lang", "da")
    r = b.post("/login", data={"csrf": token, "identifier": ident, "password": PASSWORD,
                               "accept": "yes"})
    assert re.search(r"For mange forsøg\. Prøv igen om \d+ s\.", plain(r))
