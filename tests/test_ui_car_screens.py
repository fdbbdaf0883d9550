"""The car's screens on a real head-unit window, end to end: a real mosquitto, the cloud, the
vehicle simulator and ``ismart-headunit`` in a window under Xvfb (real OpenGL), driven
through the remote control. The rig (``ismart-vehicle set``), the phone (``ismart-phone``)
and touches change the car; each test reads what the screen then says.

One window serves the module (an MG4 Electric bound to Ann's phone); the per-model test
opens a second one for an MG5 Electric."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from headunit import i18n
from headunit.protocol.errors_da import MESSAGES_DA
from tests.conftest import System
from tests.support.car_ui import bind_window, car_admin, texts_by_id, wait_text
from tests.support.ui import HeadUnitWindow

pytestmark = [pytest.mark.ui, pytest.mark.integration]

VIN = "LSJA24U66PS000021"
MG5_VIN = "LSJA24U66PS000022"


@dataclass
class Rig:
    system: System
    hu: HeadUnitWindow

    def set(self, path: str, value: str) -> dict:
        return car_admin(self.system.broker_url, VIN, "set", path, value)

    def phone(self, *args: str) -> dict:
        r = self.system.phone("ann", *args)
        assert r["rc"] == 0, r
        return r

    def car(self) -> dict:
        """The car's status as the head unit holds it."""
        return self.hu.rc.state()["vehicle"]["status"]

    def wait_car(self, pred, what: str) -> dict:
        return self.hu.rc.wait_for(
            lambda s: s["vehicle"]["status"] is not None and pred(s["vehicle"]["status"]),
            20, what)

    def open(self, key: str) -> None:
        """Open a service from its tile on the User menu, by touch."""
        rc = self.hu.rc
        if rc.state()["screen"] != "user":
            rc.go("user")
        rc.tap(id=f"service.{key}")
        self.hu.wait_state(screen=f"service/{key}")

    def text(self, rc_id: str) -> str:
        return texts_by_id(self.hu).get(rc_id, "")

    def wait_text(self, rc_id: str, expected: str | None = None, *, contains: str | None = None,
                  timeout: float = 20.0) -> str:
        if expected is not None:
            return wait_text(self.hu, rc_id, lambda t: t == expected, timeout, repr(expected))
        assert contains is not None
        return wait_text(self.hu, rc_id, lambda t: contains in t, timeout, f"…{contains}…")


@pytest.fixture(scope="module")
def rig(xvfb, mosquitto, tmp_path_factory):
    system = System(mosquitto.url, tmp_path_factory.mktemp("car-screens"))
    try:
        system.start_cloud()
        system.new_user("ann", "Ann Hansen")
        hu = HeadUnitWindow(xvfb.display, mosquitto.url, system.root, vin=VIN)
        system.procs.append(hu.proc)
        system.start_vehicle(VIN, "--soc", "50", "--location", "55.6761,12.5683")
        bind_window(hu, system.phone, "ann")
        hu.rc.wait_for(lambda s: s["vehicle"]["car_online"] and s["vehicle"]["status"], 20,
                       "the car online with a status")
        yield Rig(system, hu)
    finally:
        system.stop()


@pytest.fixture(autouse=True)
def english(rig):
    rig.hu.rc.set_language("en")
    yield


def test_the_status_screen_marks_what_the_rig_opens_and_the_low_tyre(rig):
    rig.open("vehicle_status")
    rig.wait_text("vs.open", "All doors and windows are closed.")
    rig.wait_text("vs.tyre.frontLeft", "2.5 bar")

    rig.set("doors.driver", "open")
    rig.wait_text("vs.open", "Open: driver's door")
    rig.set("windows.sunRoof", "open")
    rig.set("doors.boot", "open")
    rig.wait_text("vs.open", "Open: driver's door, boot, sunroof")
    rig.set("tyres.frontLeftPressure", "1.8")
    rig.wait_text("vs.tyre.frontLeft", "1.8 bar")
    rig.wait_text("vs.tyres", "Low tyre pressure: front left")
    rig.set("lights.dippedBeam", "on")
    rig.wait_text("vs.lights.value", "Dipped beam")
    texts = texts_by_id(rig.hu)
    assert texts["vs.odometer.value"].endswith(" km") and texts["vs.aux.value"].endswith(" V")

    # the main menu's Vehicle entry opens the same screen
    rig.hu.rc.go("home")
    rig.hu.rc.tap(id="home.vehicle")
    rig.hu.wait_state(screen="home/vehicle")
    rig.wait_text("vs.open", "Open: driver's door, boot, sunroof")
    rig.hu.rc.set_language("da")
    rig.wait_text("vs.open", "Åben: førerdør, bagagerum, soltag")
    rig.wait_text("vs.tyre.frontLeft", "1,8 bar")
    for path, value in (("doors.driver", "closed"), ("doors.boot", "closed"),
                        ("windows.sunRoof", "closed"), ("tyres.frontLeftPressure", "2.5"),
                        ("lights.dippedBeam", "off")):
        rig.set(path, value)
    rig.wait_text("vs.open", "Alle døre og ruder er lukket.")


def test_the_climate_screen_follows_the_phone_and_takes_touches(rig):
    rig.open("climate")
    rig.phone("climate", "on", "--temp", "21")
    rig.wait_text("climate.setpoint.value", "21.0 °C")
    cabin = rig.car()["climate"]["interiorTemperature"]
    word = "Heating" if cabin < 20.5 else "Cooling" if cabin > 21.5 else "The cabin is at"
    assert word in rig.wait_text("climate.summary", contains="21.0 °C")

    # a touch on + raises the setpoint by half a degree: on screen at once, then in the car
    rig.hu.rc.tap(id="climate.setpoint.up")
    rig.wait_text("climate.setpoint.value", "21.5 °C")
    rig.wait_car(lambda st: st["climate"]["remoteTemperature"] == 21.5, "the setpoint 21.5")
    rig.hu.rc.tap(id="climate.seat.frontLeft")
    rig.wait_car(lambda st: st["climate"]["heatedSeatsFrontLeftLevel"] == 1, "seat level 1")
    rig.hu.rc.tap(id="climate.defrost.rear")
    rig.wait_car(lambda st: st["climate"]["rearWindowDefrosterHeating"], "rear defrost on")
    rig.wait_text("car.feedback", contains="Done: Defrost Rear window: on")
    rig.hu.rc.tap(id="climate.state.off")
    rig.wait_car(lambda st: st["climate"]["remoteClimateState"] == "off", "climate off")
    rig.wait_text("climate.summary", "Remote climate is off.")
    rig.hu.rc.set_language("da")
    rig.wait_text("climate.summary", "Fjernstyret klima er slukket.")
    rig.wait_text("climate.outside.value", contains=" °C")


def test_a_tap_on_the_ev_screens_target_sends_a_command_and_the_car_follows(rig):
    rig.open("ev")
    target = rig.car()["drivetrain"]["socTarget"]
    rig.wait_text("ev.target.value", f"{target} %")
    step = 10 if target < 100 else -10
    rig.hu.rc.tap(id="ev.target.up" if step > 0 else "ev.target.down")
    rig.wait_text("ev.target.value", f"{target + step} %")
    rig.wait_car(lambda st: st["drivetrain"]["socTarget"] == target + step, "the new target")
    rig.wait_text("car.feedback", contains=f"Done: Charge target {target + step} %")

    rig.hu.rc.tap(id="ev.limit.16A")
    rig.wait_car(lambda st: st["drivetrain"]["chargeCurrentLimit"] == "16A", "16 A")
    rig.hu.rc.tap(id="ev.schedule.on")
    rig.wait_car(lambda st: st["drivetrain"]["chargingSchedule"]["enabled"], "a schedule")
    rig.hu.rc.tap(id="ev.schedule.off")
    rig.wait_car(lambda st: not st["drivetrain"]["chargingSchedule"]["enabled"], "no schedule")

    # plugged in at a charge point the car charges; the button stops and starts it
    rig.set("drivetrain.chargerConnected", "true")
    state = rig.wait_text("ev.state", contains="Charging · ")
    assert state.endswith(" kW AC")
    rig.wait_text("ev.time", contains=f"to {target + step} %")
    rig.wait_text("ev.charge", "Stop charging")
    rig.hu.rc.tap(id="ev.charge")
    rig.wait_car(lambda st: not st["drivetrain"]["charging"], "charging stopped")
    rig.wait_text("ev.state", "Plugged in · not charging")
    rig.hu.rc.tap(id="ev.charge")
    rig.wait_car(lambda st: st["drivetrain"]["charging"], "charging again")
    rig.wait_text("ev.charge", "Stop charging")
    rig.set("drivetrain.chargerConnected", "false")
    rig.wait_text("ev.state", "Not plugged in")

    # the plot's axes are labelled and its title says how many hours it spans
    texts = texts_by_id(rig.hu)
    assert texts["ev.plot.y0"] == "0 %" and texts["ev.plot.y100"] == "100 %"
    assert "now" in [t for k, t in texts.items() if k.startswith("ev.plot.x")]
    assert texts["ev.plot_title"] == "State of charge, last 2 h"
    soc = rig.car()["drivetrain"]["soc"]
    rig.wait_text("ev.soc", f"{soc:.0f} %")


def test_a_refused_command_says_why_on_the_screen_in_both_languages(rig):
    rig.open("digital_key")
    rig.wait_text("key.status", "Digital key of Ann Hansen: active")
    rig.hu.rc.tap(id="key.unlock")
    rig.wait_car(lambda st: not st["doors"]["locked"], "unlocked")
    rig.wait_text("key.state", "Unlocked")
    rig.set("doors.passenger", "open")
    rig.wait_text("key.open", "Open: passenger door")

    rig.hu.rc.tap(id="key.lock")
    refusal = rig.wait_text("car.feedback", contains="cannot lock")
    assert refusal.startswith("Lock: A door is open: cannot lock.") and "passenger" in refusal
    assert rig.car()["doors"]["locked"] is False  # nothing changed
    rig.wait_text("key.state", "Unlocked")  # the eager "Locked" rolled back
    rig.hu.rc.set_language("da")
    rig.wait_text("car.feedback", "Lås: " + MESSAGES_DA["door_open"])

    rig.set("doors.passenger", "closed")
    rig.hu.rc.tap(id="key.lock")
    rig.wait_car(lambda st: st["doors"]["locked"], "locked")
    rig.wait_text("key.state", "Låst")
    rig.wait_text("car.feedback", "Udført: Lås.")


def test_find_my_car_shows_when_it_is_active_and_where_the_car_is(rig):
    rig.open("find_my_car")
    rig.wait_text("find.mode", "Not active")
    assert rig.text("find.position") == "55.67610° N,  12.56830° E"
    rig.hu.rc.tap(id="find.lights_only")
    rig.wait_text("find.mode", "Active: lights only")
    rig.wait_car(lambda st: st["location"]["findMyCar"] == "lights_only", "lights only")
    rig.phone("find-my-car", "horn_only")
    rig.wait_text("find.mode", "Active: horn only")
    rig.hu.rc.tap(id="find.stop")
    rig.wait_text("find.mode", "Not active")
    rig.hu.rc.set_language("da")
    rig.wait_text("find.position", "55,67610° N,  12,56830° Ø")


def test_navigation_shows_the_destination_the_phone_sends(rig):
    rig.hu.rc.go("home")
    rig.hu.rc.tap(id="home.navigation")
    rig.hu.wait_state(screen="home/navigation")
    if rig.car()["navigation"]["destination"] is None:
        rig.wait_text("nav.title", "No destination")
        assert rig.text("nav.hint") == i18n.text("nav.hint", "en")
    rig.phone("send-destination", "--poi", "tivoli")
    rig.wait_text("nav.title", "Tivoli Gardens")
    assert rig.text("nav.address") == "Vesterbrogade 3, 1630 København V"
    assert rig.text("nav.received").startswith("Received from your phone at ")
    assert rig.wait_text("nav.distance", contains="km").endswith("of the car")
    # the Map & POI service shows the same
    rig.open("map_poi")
    rig.wait_text("nav.title", "Tivoli Gardens")
    rig.hu.rc.set_language("da")
    rig.wait_text("nav.received", contains="Modtaget fra din telefon kl. ")


def test_notifications_list_the_cars_alerts_and_the_account_notices(rig):
    rig.open("notifications")
    rig.set("tyres.rearRightPressure", "1.7")
    rig.wait_text("notes.0.text", "Tyre pressure low: rear right tyre at 1.7 bar.")
    rig.hu.rc.set_language("da")
    rig.wait_text("notes.0.text", "Lavt dæktryk")
    rig.set("tyres.rearRightPressure", "2.5")
    # more than a page: Newer / Older turn the pages, newest first
    rig.hu.rc.set_language("en")
    while True:
        rig.set("tyres.frontRightPressure", "1.6")
        rig.set("tyres.frontRightPressure", "2.5")
        if len(rig.car()["alerts"]) >= 5:
            break
    rig.wait_text("notes.0.text", "Tyre pressure low: front right tyre at 1.6 bar.")
    page = rig.wait_text("notes.page", contains="1 / ")
    pages = int(page.split("/")[1])
    assert pages >= 2
    rig.hu.rc.tap(id="notes.older")
    rig.wait_text("notes.page", f"2 / {pages}")
    assert rig.text("notes.0.text") != "Tyre pressure low: front right tyre at 1.6 bar."
    rig.hu.rc.tap(id="notes.newer")
    rig.wait_text("notes.page", f"1 / {pages}")
    # an account notice: logging out of the car is listed too, and stays listed
    rig.hu.rc.set_language("en")
    rig.hu.rc.go("user")
    rig.hu.rc.tap(id="user.logout")
    rig.hu.wait_state(state="no_user", notice="logged_out")
    rig.hu.rc.go("service/notifications")
    rig.wait_text("notes.0.text", "You are logged out of the car.")
    assert rig.text("notes.1.text") == "Tyre pressure low: front right tyre at 1.6 bar."
    bind_window(rig.hu, rig.system.phone, "ann")  # the car bound again for the next tests


def test_an_mg5_hides_the_services_it_lacks(rig, xvfb):
    s = rig.system
    s.new_user("bob", "Bob Berg")
    mg5 = HeadUnitWindow(xvfb.display, s.broker_url, s.root, vin=MG5_VIN, name="hu-mg5",
                         extra=("--model", "MG5 Electric"))
    s.procs.append(mg5.proc)
    try:
        bind_window(mg5, s.phone, "bob")
        mg5.rc.go("user")
        mg5.wait_state(panel="profile")
        mg5.settle()
        tiles = {w["id"] for w in mg5.rc.widgets()["widgets"]
                 if w["id"].startswith("service.")}
        assert tiles == {"service.climate", "service.ev", "service.find_my_car",
                         "service.vehicle_status", "service.notifications"}
        # no car behind this head unit yet: nothing to notify, and the screens say why
        mg5.rc.tap(id="service.notifications")
        wait_text(mg5, "notes.none", lambda t: t == "No notifications")
        assert texts_by_id(mg5)["car.banner"] == i18n.text("car.offline_never", "en")
        # the main menu's Navigation says why no destination can come
        mg5.rc.go("home")
        mg5.rc.tap(id="home.navigation")
        wait_text(mg5, "nav.hint", lambda t: t == (
            "The MG5 Electric cannot receive destinations from the phone: it has no Map & POI "
            "service."))
    finally:
        mg5.stop()
    # the MG4 shows all seven
    rig.hu.rc.go("user")
    rig.hu.wait_state(panel="profile")
    tiles = {w["id"] for w in rig.hu.rc.widgets()["widgets"] if w["id"].startswith("service.")}
    assert len(tiles) == 7


def test_with_the_car_gone_the_screens_keep_its_last_status_and_say_so(rig):
    """Last in the module: it stops the car."""
    rig.open("vehicle_status")
    assert rig.text("car.banner") == ""
    car = next(p for p in rig.system.procs if p.name == "vehicle")
    car.stop()
    rig.hu.rc.wait_for(lambda s: not s["vehicle"]["car_online"], 20, "the car offline")
    banner = rig.wait_text("car.banner", contains="The car is offline: this is its last status")
    assert rig.text("vs.lock.value") in ("Locked", "Unlocked")  # the last status stays
    rig.hu.rc.set_language("da")
    rig.wait_text("car.banner", contains="Bilen er offline: dette er dens seneste status, fra ")
    assert banner.endswith(".")
