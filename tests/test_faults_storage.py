"""A full or read-only data directory: the cloud answers 503 with a clear error and loses
nothing; the head unit keeps running, says it cannot save, and saves once it can. The disk is
a real tiny tmpfs (the tests run as root), filled, or remounted read-only under the process.

The kernel refuses to remount a file system read-only while a process holds a file on it open
for writing (EBUSY), and the cloud keeps its database open: so a read-only data directory is
tested at the cloud's start, and under the head unit (which opens files only to write them)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.faults import (
    Tmpfs,
    cloud_vehicle,
    integrity_check,
    tmpfs,
    wait_state,
    wait_until,
)
from tests.support.headunit import qr

VIN = "LSJA24U66PS000041"


def post(s, path: str, body: dict, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{s.cloud_url}{path}", json=body, headers=headers, timeout=30)


def assert_storage_refusal(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    err = r.json()["error"]
    assert err["code"] == "storage_unavailable"
    assert "cannot write its data" in err["message"] and "Nothing was changed" in err["message"]
    assert r.headers["Retry-After"]


DATA = "../disk/cloud"  # the cloud's data directory, on the small disk; its logs are not


@pytest.fixture
def cloud_on_small_disk(system_on, mosquitto, tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        s = system_on(mosquitto.url)
        s.start_cloud(data=DATA)
        s.disk = disk
        yield s
        s.stop()


@pytest.mark.integration
def test_the_cloud_answers_503_on_a_full_disk_and_loses_nothing(cloud_on_small_disk):
    s = cloud_on_small_disk
    disk: Tmpfs = s.disk
    s.new_user("ann", "Ann Hansen")
    disk.fill()
    try:
        assert_storage_refusal(post(s, "/api/v1/verification-codes",
                                    {"identifier": "bob@example.com"}))
        assert_storage_refusal(post(s, "/api/v1/sessions", {
            "identifier": "ann@example.com", "password": "correct horse",
            "accept_user_agreement": True, "accept_privacy_policy": True}))
        # reads still work, and the process is up
        assert httpx.get(f"{s.cloud_url}/healthz", timeout=10).status_code == 200
        assert s.phone("ann", "whoami")["rc"] == 0
        out = s.phone("bob", "send-code", "bob@example.com")
        assert out["rc"] == 1 and out["error"]["code"] == "storage_unavailable"
    finally:
        disk.free()
    assert s.cloud.alive
    # once the disk is back, the same requests go through
    s.new_user("bob", "Bob")
    assert s.phone("ann", "login", "ann@example.com", "--password", "correct horse")["rc"] == 0
    assert "the database cannot be written" in s.cloud.stderr_tail(10**6)
    s.cloud.kill9()
    assert integrity_check(s.root / DATA / "cloud.sqlite3") == "ok"
    s.start_cloud(data=DATA)
    assert s.phone("bob", "whoami")["rc"] == 0  # bob's account was kept


@pytest.mark.integration
def test_a_scan_on_a_full_disk_is_refused_and_the_car_is_unchanged(cloud_on_small_disk):
    s = cloud_on_small_disk
    hu = s.start_headunit(vin=VIN, name="hu")
    s.new_user("ann", "Ann Hansen")
    login = qr(hu, "login", timeout=30)
    s.disk.fill()
    r = s.phone("ann", "scan", login["qr"]["content"])
    assert r["rc"] == 1 and r["error"]["code"] == "storage_unavailable"
    assert cloud_vehicle(s, VIN)["user"] is None
    s.disk.free()
    r = s.phone("ann", "scan", qr(hu, "login", since=hu.mark() - 1)["qr"]["content"])
    assert r["rc"] == 0 and r["result"]["result"] == "logged_in", r
    wait_state(hu, "logged_in", online=True)


@pytest.mark.integration
def test_a_cloud_whose_data_dir_is_read_only_at_start_says_so(system_on, mosquitto, tmp_path):
    with tmpfs(tmp_path / "ro", "1m") as disk:
        (tmp_path / "ro" / "cloud").mkdir()
        disk.read_only(True)
        s = system_on(mosquitto.url)
        with pytest.raises(AssertionError):
            s.start_cloud(data="../ro/cloud")
        assert s.cloud is None
        err = s.procs[-1].stderr_tail()
        assert "ismart-cloud: cannot open the database in" in err
        assert "make the directory writable" in err and "Traceback" not in err
        assert s.procs[-1].p.wait(10) == 2


@pytest.mark.integration
def test_the_head_unit_keeps_running_says_it_cannot_save_and_saves_when_it_can(
        system_on, mosquitto, tmp_path):
    s = system_on(mosquitto.url)
    s.start_cloud()
    with tmpfs(tmp_path / "hudisk", "1m") as disk:
        hu = s.start_headunit("--data-dir", str(tmp_path / "hudisk" / "hu"), vin=VIN,
                              name="hu")
        s.new_user("ann", "Ann Hansen")
        r = s.phone("ann", "scan", qr(hu, "login", timeout=30)["qr"]["content"])
        assert r["result"]["result"] == "logged_in"
        wait_state(hu, "logged_in", online=True)
        saved = (tmp_path / "hudisk" / "hu" / "session.json").read_bytes()

        disk.read_only(True)
        hu.send({"cmd": "logout"})
        line = hu.wait_for(lambda v: v.get("event") == "state" and v.get("storage_error"), 20,
                           "a line saying it cannot save")
        assert line["state"] == "no_user" and "cannot save to" in line["storage_error"]
        assert "Read-only file system" in line["storage_error"]
        wait_until("the cloud logging Ann out", lambda: cloud_vehicle(s, VIN)["user"] is None)
        assert hu.alive
        # the old file is whole: a crash now would show the last saved state, not garbage
        assert (tmp_path / "hudisk" / "hu" / "session.json").read_bytes() == saved

        disk.read_only(False)
        ok = hu.wait_for(lambda v: v.get("event") == "state" and v["n"] > line["n"]
                         and v.get("storage_error") is None, 20, "the error clearing")
        assert ok["state"] == "no_user"
        stored = json.loads((tmp_path / "hudisk" / "hu" / "session.json").read_text())
        assert stored["user"] is None and stored["binding"] is None
        hu.kill9()
