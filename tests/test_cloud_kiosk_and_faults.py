"""The cloud's side of kiosks and rigs, against a real cloud process and mosquitto:

- a head unit asks for a kiosk reset over MQTT (``kiosk_reset``): honoured for a car marked
  as a kiosk car (logged out, unbound, the visitor told), refused for any other car;
- the admin API marks kiosk cars and resets any car;
- an armed refusal answers the next matching request (HTTP or MQTT) with its error code and
  changes nothing; admin calls are never refused; bad arguments say what is wrong.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from headunit.remote.cloud_admin import CloudAdmin, CloudAdminError
from headunit.runtime import HeadUnitSettings, build
from headunit.session import RequestAnswered
from tests.conftest import ADMIN_TOKEN

KIOSK_VIN = "LSJA24U66PS000007"
OTHER_VIN = "LSJA24U66PS000008"


class InProcessHeadUnit:
    """A real HeadUnit (controller, link, MQTT) in this process, without a window."""

    def __init__(self, broker: str, data_dir, vin: str) -> None:
        self.hu = build(HeadUnitSettings(broker=broker, data_dir=data_dir, vin=vin,
                                         qr_period=5, qr_lifetime=30))
        self.hu.link.conn.start()

    def wait(self, pred, what: str, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.hu.tick()
            v = self.hu.view()
            if pred(v):
                return v
            time.sleep(0.1)
        raise AssertionError(f"no {what} within {timeout} s; last: {self.hu.view().state}")

    def kiosk_reset(self) -> RequestAnswered:
        box: list[RequestAnswered] = []
        done = threading.Event()
        self.hu.kiosk_reset(lambda a: (box.append(a), done.set()))
        assert done.wait(15), "no answer to kiosk_reset"
        return box[0]

    def stop(self) -> None:
        self.hu.link.conn.stop()


def bind(sys_, unit: InProcessHeadUnit, who: str) -> None:
    for purpose, state in (("login", "logged_in"), ("bind", "bound")):
        v = unit.wait(lambda v, p=purpose: v.online and v.qr is not None and v.qr.purpose == p,
                      f"a {purpose} code")
        r = sys_.phone(who, "scan", v.qr.content)
        assert r["rc"] == 0, r
        unit.wait(lambda v, s=state: v.state == s, state)


@pytest.mark.integration
def test_a_kiosk_car_is_reset_for_the_next_visitor_and_any_other_car_is_refused(
        system_on, mosquitto, tmp_path):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud("--kiosk-vin", KIOSK_VIN)
    sys_.new_user("ann", "Ann Hansen")
    sys_.new_user("bob", "Bob Jensen")
    kiosk = InProcessHeadUnit(mosquitto.url, tmp_path / "kiosk", KIOSK_VIN)
    other = InProcessHeadUnit(mosquitto.url, tmp_path / "other", OTHER_VIN)
    try:
        bind(sys_, kiosk, "ann")
        bind(sys_, other, "bob")

        answer = kiosk.kiosk_reset()
        assert answer.ok, answer
        v = kiosk.wait(lambda v: v.binding is None and v.user is None, "the reset car")
        assert v.state == "no_user"
        assert sys_.cloud_vehicle(KIOSK_VIN)["binding"] is None
        assert sys_.phone("ann", "vehicles")["result"] == []
        notes = sys_.phone("ann", "notifications")["result"]["notifications"]
        assert notes[0]["code"] == "kiosk_reset" and "next visitor" in notes[0]["text"]
        seq = sys_.cloud_vehicle(KIOSK_VIN)["seq"]
        again = kiosk.kiosk_reset()  # a retry after a lost answer changes nothing
        assert again.ok and sys_.cloud_vehicle(KIOSK_VIN)["seq"] == seq

        refused = other.kiosk_reset()
        assert (refused.ok, refused.error) == (False, "not_kiosk_car")
        assert sys_.cloud_vehicle(OTHER_VIN)["binding"]["display_name"] == "Bob Jensen"
        assert other.hu.view().state == "bound"

        # the admin API: mark the other car, list kiosk cars, reset any car
        admin = CloudAdmin(sys_.cloud_url, ADMIN_TOKEN)
        assert admin.call("GET", "/api/v1/admin/kiosk-cars")["vins"] == [KIOSK_VIN]
        admin.mark_kiosk(OTHER_VIN)
        assert other.kiosk_reset().ok
        other.wait(lambda v: v.binding is None, "the second car reset")
        assert admin.reset_vehicle(OTHER_VIN) == "clean"
        with pytest.raises(CloudAdminError) as err:
            CloudAdmin(sys_.cloud_url, "wrong-token").reset_vehicle(KIOSK_VIN)
        assert err.value.status == 403
    finally:
        kiosk.stop()
        other.stop()


@pytest.mark.integration
def test_an_armed_refusal_answers_the_next_request_once_and_changes_nothing(
        system_on, mosquitto, tmp_path):
    sys_ = system_on(mosquitto.url)
    sys_.start_cloud()
    sys_.new_user("ann", "Ann Hansen", password="correct horse 9")
    admin = CloudAdmin(sys_.cloud_url, ADMIN_TOKEN)
    unit = InProcessHeadUnit(mosquitto.url, tmp_path / "hu", KIOSK_VIN)
    try:
        v = unit.wait(lambda v: v.online and v.qr is not None, "the login code")

        # HTTP: only the scans path, once; the phone sees the error in words
        armed = admin.refuse_next("internal", scope="http", path="/api/v1/scans")
        assert armed == {"code": "internal", "scope": "http", "path": "/api/v1/scans",
                         "request": None, "remaining": 1, "status": 500}
        assert sys_.phone("ann", "whoami")["rc"] == 0  # another path passes
        r = sys_.phone("ann", "scan", v.qr.content)
        assert r["rc"] == 1 and r["error"]["code"] == "internal"
        assert sys_.cloud_vehicle(KIOSK_VIN)["user"] is None  # nothing changed
        assert admin.faults() == {"armed": [], "refused": 1}
        r = sys_.phone("ann", "scan", v.qr.content)  # the same code still works
        assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
        unit.wait(lambda v: v.state == "logged_in", "logged in")

        # MQTT: the head unit's next logout is refused; the user stays in the car
        admin.refuse_next("rate_limited", scope="mqtt", request="logout")
        unit.hu.logout()
        unit.wait(lambda v: v.state == "no_user", "the local logout")
        deadline = time.monotonic() + 15
        while admin.faults()["refused"] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # until the cloud has taken (and refused) the logout
        assert admin.faults()["refused"] == 2
        assert sys_.cloud_vehicle(KIOSK_VIN)["user"]["display_name"] == "Ann Hansen"

        # several at once, cleared by the admin; admin calls are never refused
        admin.refuse_next("internal", count=5)
        assert admin.time()["now"] > 0
        assert admin.clear_faults() == 1
        assert sys_.phone("ann", "whoami")["rc"] == 0

        for body, message in (({"code": "no_such_code"}, "unknown error code"),
                              ({"code": "internal", "scope": "everywhere"}, "scope"),
                              ({"code": "internal", "path": "api"}, "must start with /"),
                              ({"code": "internal", "count": 0}, "count")):
            r = httpx.post(f"{sys_.cloud_url}/api/v1/admin/faults/refuse-next", json=body,
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert r.status_code == 400, (body, r.text)
            assert message in r.json()["error"]["message"], r.json()
        for method, path, body in (("POST", "/faults/refuse-next", {"code": "internal"}),
                                   ("GET", "/faults", None), ("DELETE", "/faults", None),
                                   ("POST", "/limits/reset", None),
                                   ("POST", f"/vehicles/{KIOSK_VIN}/reset", None),
                                   ("PUT", f"/vehicles/{KIOSK_VIN}/kiosk", {"kiosk": True}),
                                   ("POST", "/time/advance", {"seconds": 60})):
            for headers in ({}, {"Authorization": "Bearer not-the-admin-token"}):
                r = httpx.request(method, f"{sys_.cloud_url}/api/v1/admin{path}", json=body,
                                  headers=headers)
                assert r.status_code in (401, 403), (method, path, r.status_code)
        assert admin.faults() == {"armed": [], "refused": 2}  # nothing was armed meanwhile


        # a rig's phones share one address: the per-source limit on codes starts afresh
        def ask_code(i: int) -> httpx.Response:
            return httpx.post(f"{sys_.cloud_url}/api/v1/verification-codes",
                              json={"identifier": f"visitor{i}@example.com"})

        answers = [ask_code(i).status_code for i in range(12)]
        assert 429 in answers, answers
        admin.reset_limits()
        assert ask_code(99).status_code == 202
    finally:
        unit.stop()
