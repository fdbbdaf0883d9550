"""Nothing confirmed is lost: kill -9 of cloud and head unit after binding."""

from __future__ import annotations

import pytest

from tests.support.headunit import qr, state

VIN = "LSJA24U66PS000004"




@pytest.mark.integration
def test_binding_survives_kill_9_of_cloud_and_head_unit(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    assert s.phone("ann", "scan", qr(hu, "login")["qr"]["content"])["rc"] == 0
    assert s.phone("ann", "scan", qr(hu, "bind")["qr"]["content"])["rc"] == 0
    state(hu, "bound")
    before = s.cloud_vehicle(VIN)
    assert before["binding"]["display_name"] == "Ann Hansen"

    s.cloud.kill9()
    hu.kill9()

    # the head unit comes back bound from its own disk, before it reaches any cloud
    hu2 = s.start_headunit(name="hu")
    first = hu2.wait_for(lambda l: l.get("event") == "state", 10, "first state line")
    assert first["state"] == "bound" and first["online"] is False
    assert first["user"]["display_name"] == "Ann Hansen"

    s.start_cloud()
    after = s.cloud_vehicle(VIN)
    assert after["binding"] == before["binding"] and after["user"] == before["user"]
    assert after["seq"] == before["seq"]
    online = state(hu2, "bound", online=True)
    assert online["binding"]["account_id"] == before["binding"]["account_id"]
    cars = s.phone("ann", "vehicles")["result"]
    assert [(c["vin"], c["bound"]) for c in cars] == [(VIN, True)]


@pytest.mark.integration
def test_a_confirmed_login_survives_kill_9_right_after_the_answer(system_on, mosquitto):
    s = system_on(mosquitto.url)
    s.start_cloud()
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann")
    r = s.phone("ann", "scan", qr(hu, "login")["qr"]["content"])
    assert r["result"]["result"] == "logged_in"
    s.cloud.kill9()
    s.start_cloud()
    after = s.cloud_vehicle(VIN)
    assert after["user"]["display_name"] == "Ann" and after["binding"] is None
    cars = s.phone("ann", "vehicles")["result"]
    assert [(c["logged_in"], c["bound"]) for c in cars] == [(True, False)]
    assert state(hu, "logged_in", online=True)["user"]["display_name"] == "Ann"
