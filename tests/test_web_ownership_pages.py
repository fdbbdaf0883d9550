"""The ownership pages over real HTTP (the cloud's app under uvicorn, a car signed with its own
key): unbind with the code and its rules in words, force unbinding answered Agree, the
notifications page, feedback listed by ``ismart-cloud feedback list``, CSRF on every POST.

The browser flows (Reject in a second browser, live) are in test_web_phone_flow.py; the car's
page against a real vehicle simulator in test_web_car_page.py."""

from __future__ import annotations

import html
import json
import re
import subprocess

import httpx
import pytest

from firmware_sim.cloud import notifications
from firmware_sim.cloud.web import i18n, words
from firmware_sim.cloud.web.texts_services import DETAILED
from headunit.protocol.errors import MESSAGES
from headunit.protocol.errors_da import MESSAGES_DA
from tests.support.procs import program
from tests.support.web import PASSWORD, InProcessCloud


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory):
    c = InProcessCloud(tmp_path_factory.mktemp("ownership-web"))
    yield c
    c.stop()


class Phone:
    """A browser as httpx: cookies, the CSRF token of the last page, its text."""

    def __init__(self, base: str, lang: str = "en") -> None:
        self.b = httpx.Client(base_url=base, follow_redirects=False, timeout=30,
                              headers={"Accept-Language": lang})
        self.csrf = ""

    def get(self, path: str) -> httpx.Response:
        r = self.b.get(path)
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', r.text)
        if found:
            self.csrf = found.group(1)
        return r

    def post(self, path: str, **form: str) -> httpx.Response:
        return self.b.post(path, data={"csrf": self.csrf, **form})

    def follow(self, r: httpx.Response) -> httpx.Response:
        assert r.status_code == 303, (r.status_code, r.text[:500])
        return self.get(r.headers["location"])


def text(page: httpx.Response) -> str:
    """What the person reads: the page without tags."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text)))


def logged_in(cloud: InProcessCloud, ident: str, lang: str = "en") -> Phone:
    p = Phone(cloud.http.url, lang)
    p.get("/login")
    r = p.post("/login", identifier=ident, password=PASSWORD, accept="yes")
    assert r.headers["location"] == "/cars", r.text
    p.get("/cars")
    return p


def bind_on_the_web(cloud: InProcessCloud, phone: Phone, vin: str) -> None:
    for purpose in ("login", "bind"):
        question = phone.follow(phone.get(f"/s/{cloud.qr(vin, purpose)}"))
        action = re.search(r'action="(/scan/[0-9a-f]+/confirm)"', question.text).group(1)
        assert phone.post(action).status_code == 303
    assert cloud.service.vehicle_state(vin)["binding"] is not None


def unbind_code(cloud: InProcessCloud, ident: str) -> str:
    body = cloud.service.outbox(ident)[0]["body"]
    assert "code to unbind" in body, body
    return re.search(r"\b(\d{6})\b", body).group(1)


# ------------------------------------------------------------------ unbind with the code


def test_unbind_shows_the_code_in_the_simulated_sms_and_says_each_rule_in_words(cloud):
    vin = cloud.car("LSJA24U66PS010001")
    ident = cloud.account("una")
    una = logged_in(cloud, ident)
    bind_on_the_web(cloud, una, vin)

    start = una.get(f"/cars/{vin}/unbind")
    assert start.status_code == 200
    assert "Unbind MG4 Electric, VIN ending …0001, from your account?" in text(start)
    assert '<span class="nowrap">…0001</span>' in start.text
    sent = una.post(f"/cars/{vin}/unbind", action="send")
    assert "Simulated e-mail" in text(sent) and f"Code sent by e-mail to {ident}" in text(sent)
    code = unbind_code(cloud, ident)
    assert code in text(sent)  # the panel shows the message with the code
    assert "The code works for 5 minutes and only once" in text(sent)

    too_soon = una.post(f"/cars/{vin}/unbind", action="send")
    assert too_soon.status_code == 429
    assert re.search(r"A code was sent less than a minute ago\. Try again in \d+ s\.",
                     text(too_soon))

    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2):
        r = una.post(f"/cars/{vin}/unbind", action="unbind", code=wrong)
        assert r.status_code == 400 and f"The code is wrong: {left} tries left." in text(r)
    r = una.post(f"/cars/{vin}/unbind", action="unbind", code=wrong)
    assert "The code is wrong: 1 try left." in text(r)
    r = una.post(f"/cars/{vin}/unbind", action="unbind", code=wrong)
    assert r.status_code == 429 and MESSAGES["code_locked"] in text(r)
    r = una.post(f"/cars/{vin}/unbind", action="unbind", code=code)  # too late: locked
    assert MESSAGES["code_locked"] in text(r)
    assert cloud.service.vehicle_state(vin)["binding"] is not None  # nothing unbound

    cloud.service.clock.advance(61)  # a new code may be sent a minute later
    una.post(f"/cars/{vin}/unbind", action="send")
    code = unbind_code(cloud, ident)
    cloud.service.clock.advance(301)  # ... and lives 5 minutes
    r = una.post(f"/cars/{vin}/unbind", action="unbind", code=code)
    assert MESSAGES["code_expired"] in text(r)

    una.post(f"/cars/{vin}/unbind", action="send")
    r = una.post(f"/cars/{vin}/unbind", action="unbind", code=unbind_code(cloud, ident))
    assert r.headers["location"] == "/cars?done=unbound"
    done = una.follow(r)
    assert "The unbind is complete: the car is no longer bound to your account." in text(done)
    assert cloud.service.vehicle_state(vin)["binding"] is None
    assert una.get(f"/cars/{vin}/unbind").status_code == 403  # not bound any more


def test_the_code_rules_are_worded_in_danish(cloud):
    vin = cloud.car("LSJA24U66PS010002")
    ident = cloud.account("dorte")
    dorte = logged_in(cloud, ident, lang="da-DK")
    bind_on_the_web(cloud, dorte, vin)
    sent = dorte.post(f"/cars/{vin}/unbind", action="send")
    assert "Simuleret e-mail" in text(sent) and "Koden virker i 5 minutter" in text(sent)
    r = dorte.post(f"/cars/{vin}/unbind", action="send")
    assert re.search(r"Prøv igen om \d+ s\.", text(r))
    r = dorte.post(f"/cars/{vin}/unbind", action="unbind", code="000000"
                   if unbind_code(cloud, ident) != "000000" else "111111")
    assert "Koden er forkert: 4 forsøg tilbage." in text(r)


def test_another_account_cannot_unbind_or_even_open_the_unbind_page(cloud):
    vin = cloud.car("LSJA24U66PS010003")
    owner = logged_in(cloud, cloud.account("olga"))
    bind_on_the_web(cloud, owner, vin)
    other = logged_in(cloud, cloud.account("oscar"))
    page = other.get(f"/cars/{vin}/unbind")
    assert page.status_code == 403 and "Olga" not in page.text
    assert i18n.error_text("en", "not_bound_to_you") in text(page)
    r = other.post(f"/cars/{vin}/unbind", action="send")
    assert r.status_code == 403
    assert cloud.service.outbox("oscar@example.com")[0]["body"].startswith("Your iSmart "
                                                                            "verification")
    assert cloud.service.vehicle_state(vin)["binding"]["display_name"] == "Olga"


# ------------------------------------------------------------------ force unbinding: Agree


def test_force_unbind_answered_agree_unbinds_the_car_and_tells_both_users(cloud):
    vin = cloud.car("LSJA24U66PS010004", "MG ZS EV")
    prev = logged_in(cloud, cloud.account("petra"))
    bind_on_the_web(cloud, prev, vin)
    new = logged_in(cloud, cloud.account("niels"))

    refused = new.get(f"/s/{cloud.qr(vin, 'login')}")
    assert refused.status_code == 409
    assert MESSAGES["bound_to_other_user"] in text(refused) and "Petra" not in refused.text
    assert f'href="/force-unbind/{vin}"' in refused.text and "Force unbinding" in text(refused)
    confirm = new.get(f"/force-unbind/{vin}")
    assert "MG ZS EV VIN …0004" in text(confirm)
    assert "A push message goes to the previous user of this car" in text(confirm)

    r = new.post(f"/force-unbind/{vin}")  # without the confirmation: refused in words
    assert r.status_code == 400 and i18n.error_text("en", "confirmation_required") in text(r)
    r = new.post(f"/force-unbind/{vin}", confirm="push")
    request_page = new.follow(r)
    assert re.fullmatch(r"/requests/[0-9a-f]{16}", r.headers["location"])
    assert "Request sent. Waiting for the previous owner's answer until" in text(request_page)
    assert 'data-live-src="/requests/' in request_page.text

    # the previous owner: the request on every page, and in the live inbox
    cars = prev.get("/cars")
    assert "Someone asked to unbind MG ZS EV (VIN ending …0004) from your account." \
        in text(cars)
    version = re.search(r'data-live-src="/live/inbox" data-live-v="([0-9a-f]+)"',
                        cars.text).group(1)
    assert prev.get(f"/live/inbox?v={version}").status_code == 204  # nothing new
    live = prev.get("/live/inbox?v=old")
    assert live.status_code == 200 and live.headers["x-live-version"] == version
    assert 'data-live-part="asks"' in live.text and "Agree" in live.text
    answer = re.search(r'action="(/requests/[0-9a-f]{16}/answer)"', cars.text).group(1)

    # a third account can neither see nor answer it
    third = logged_in(cloud, cloud.account("tove"))
    assert third.get(r.headers["location"]).status_code == 404
    assert third.post(answer, answer="agree").status_code == 404
    assert cloud.service.vehicle_state(vin)["binding"]["display_name"] == "Petra"

    done = prev.follow(prev.post(answer, answer="agree"))
    assert "You agreed: the car is unbound from your account." in text(done)
    assert cloud.service.vehicle_state(vin)["binding"] is None
    after = new.get(r.headers["location"])
    assert "The previous owner agreed. The unbind is complete" in text(after)

    # both are told, in the notifications
    note = text(new.get("/notifications"))
    assert "The previous user agreed: MG ZS EV (VIN ending …0004) has no bound user now." in note
    note = text(prev.get("/notifications"))
    assert "You agreed to a force unbind: MG ZS EV (VIN ending …0004) is no longer bound" \
        in note


def test_force_unbind_pages_in_danish(cloud):
    vin = cloud.car("LSJA24U66PS010005")
    prev = logged_in(cloud, cloud.account("palle"))
    bind_on_the_web(cloud, prev, vin)
    new = logged_in(cloud, cloud.account("nanna"), lang="da-DK")
    refused = new.get(f"/s/{cloud.qr(vin, 'login')}")
    assert MESSAGES_DA["bound_to_other_user"] in text(refused)
    assert "Er det din bil nu?" in text(refused)
    r = new.post(f"/force-unbind/{vin}", confirm="push")
    assert "Anmodningen er sendt. Venter på den tidligere ejers svar indtil" in \
        text(new.follow(r))
    again = new.post(f"/force-unbind/{vin}", confirm="push")  # one open request per car
    assert again.status_code == 409 and MESSAGES_DA["force_unbind_pending"] in text(again)
    assert re.search(r"Den er afsluttet senest \d+\. \w+\.? \d{4} kl\. \d\d\.\d\d UTC",
                     text(again))
    da = logged_in(cloud, "palle@example.com", lang="da-DK")
    page = text(da.get("/notifications"))
    assert "Nogen har bedt om at afbinde MG4 Electric (VIN der slutter på …0005)" in page


# ------------------------------------------------------------------ notifications, feedback


def test_the_notifications_page_counts_unread_messages_and_marks_them_read(cloud):
    vin = cloud.car("LSJA24U66PS010006")
    ident = cloud.account("nora")
    nora = logged_in(cloud, ident)
    bind_on_the_web(cloud, nora, vin)
    nora.post(f"/cars/{vin}/unbind", action="send")
    nora.post(f"/cars/{vin}/unbind", action="unbind", code=unbind_code(cloud, ident))

    page = nora.get("/notifications")
    assert "1 unread" in text(page)
    assert "The unbind is complete: MG4 Electric (VIN ending …0006) is no longer bound" \
        in text(page)
    assert re.search(r'class="tab-badge" data-live-part="badge"><b [^>]*>1</b>', page.text)
    r = nora.post("/notifications/read")
    assert r.headers["location"] == "/notifications"
    page = nora.follow(r)
    assert "All read" in text(page) and 'data-live-part="badge"></span>' in page.text
    assert cloud.service.ownership.notifications(
        cloud.service.authenticate(nora.b.cookies["ismart_session"]))["unread"] == 0


def test_feedback_from_the_page_is_listed_by_the_cloud_cli(cloud):
    ident = cloud.account("frida")
    frida = logged_in(cloud, ident)
    page = frida.get("/feedback")
    assert "mailto:mg.europe@ismart-service.com" in page.text  # Contact us
    empty = frida.post("/feedback", text="   ")
    assert empty.status_code == 400 and "Write your feedback first" in text(empty)
    r = frida.post("/feedback", text="The QR scan was quick. <b>Nice</b>")
    assert "Thank you: your feedback was sent." in text(frida.follow(r))
    out = subprocess.run([program("ismart-cloud"), "feedback", "list", "--data-dir",
                          str(cloud.root), "--json"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout.strip().splitlines()[-1])["result"]["feedback"]
    assert listed[0]["text"] == "The QR scan was quick. <b>Nice</b>"
    assert listed[0]["from"] == ident


# ------------------------------------------------------------------ CSRF and bad input


def flat(routes: list) -> list:
    """Every route, with those of included routers (FastAPI keeps them in a wrapper)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += flat(inner.routes) if inner is not None else [route]
    return out


def test_every_post_of_the_web_pages_is_refused_without_the_csrf_token(cloud):
    vin = cloud.car("LSJA24U66PS010007")
    ident = cloud.account("cyril")
    cyril = logged_in(cloud, ident)
    bind_on_the_web(cloud, cyril, vin)
    before = cloud.service.vehicle_state(vin)
    posts = sorted({route.path for route in flat(cloud.app.routes)
                    if "POST" in (getattr(route, "methods", None) or ())
                    and not route.path.startswith("/api/")})
    assert {"/cars/{vin}/command", "/cars/{vin}/unbind", "/force-unbind/{vin}",
            "/requests/{request_id}/answer", "/notifications/read", "/feedback"} <= set(posts)
    for path in posts:
        url = (path.replace("{vin}", vin).replace("{request_id}", "0" * 16)
               .replace("{scan_id}", "0" * 16))
        r = cyril.b.post(url, data={"action": "send", "cmd": "lock", "text": "x",
                                    "answer": "agree", "confirm": "push"})
        assert r.status_code == 403 and "This page has expired" in text(r), url
    assert cloud.service.vehicle_state(vin) == before
    assert cloud.service.outbox(ident)[0]["body"].startswith("Your iSmart verification")


def test_the_car_page_says_so_when_this_cloud_has_no_car_services(cloud):
    vin = cloud.car("LSJA24U66PS010008")
    phone = logged_in(cloud, cloud.account("vera"))
    bind_on_the_web(cloud, phone, vin)
    page = phone.get(f"/cars/{vin}")  # this app was made without the MQTT relay
    assert page.status_code == 503 and MESSAGES["service_unavailable"] in text(page)
    for bad in ("/cars/not-a-vin", "/requests/xyz", "/force-unbind/abc"):
        assert phone.get(bad).status_code == 404, bad


def test_every_push_message_and_templated_refusal_has_danish_words():
    assert set(DETAILED["da"]) == set(DETAILED["en"])
    params = {"vin": "LSJA24U66PS010009", "model": "MG4 Electric", "deadline": "1800000000",
              "case": "MG-1"}
    cases = [("force_unbind_request", ""), ("force_unbind_sent", ""),
             ("force_unbind_rejected", ""), ("unbind_completed", "agreed"),
             ("unbind_completed", "timed_out"), ("unbind_completed", "dealer"),
             ("unbind_completed", "previous_user"), ("binding_removed", "user"),
             ("binding_removed", "agreed"), ("binding_removed", "timed_out"),
             ("binding_removed", "dealer")]
    for code, by in cases:
        p = {**params, "by": by}
        note = {"code": code, "params": p, "text": notifications.render(code, p)}
        assert words.push_text("en", note) == note["text"]
        danish = words.push_text("da", note)
        assert "VIN der slutter på …0009" in danish and danish != note["text"], (code, by)


def test_the_logged_in_pages_load_nothing_from_elsewhere(cloud):
    vin = cloud.car("LSJA24U66PS010010")
    phone = logged_in(cloud, cloud.account("xenia"))
    bind_on_the_web(cloud, phone, vin)
    refs: set[str] = set()
    for path in ("/cars", "/notifications", "/feedback", f"/cars/{vin}/unbind",
                 f"/force-unbind/{vin}"):
        page = phone.get(path)
        assert page.status_code == 200, path
        refs |= set(re.findall(r'(?:src|href|action)="([^"]+)"', page.text))
    outside = {r for r in refs if not (r.startswith("/") and not r.startswith("//"))
               and not r.startswith(("#", "mailto:"))}
    assert not outside, f"pages load things from elsewhere: {outside}"
