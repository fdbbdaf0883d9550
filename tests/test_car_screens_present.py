"""What the car's screens say, as pure functions of the car panel (no window): words in
English and Danish, numbers in each language's style, the driver's commands and their
outcome, the notifications, the services a model has."""

from __future__ import annotations

from typing import Any

import pytest

from firmware_sim.vehicle import status
from firmware_sim.vehicle.state import new_state
from headunit import car, i18n
from headunit.protocol import vehicle as pv
from headunit.protocol.errors import MESSAGES
from headunit.protocol.errors_da import MESSAGES_DA
from headunit.ui import car_info, car_present, car_words
from headunit.ui.car_commands import EAGER_GRACE, OK_SHOWN, CommandTracker, Sent, label
from headunit.ui.services import available_services, services_for
from headunit.vehicle_models import find_model

VIN = "LSJA24U66PS000001"
T0 = 1.8e9


def panel(model: str = "mg4", seq: int = 1, online: bool = True, **groups: dict[str, Any]
          ) -> car.CarPanel:
    """A car panel holding a status of ``model`` with ``groups`` changed, e.g.
    ``doors={"driver": True}``."""
    st = status.build(new_state(VIN, find_model(model), T0, soc=64.0), epoch="e1", seq=seq)
    st = st.model_copy(update={g: getattr(st, g).model_copy(update=v) for g, v in groups.items()})
    p = car.new_panel(find_model(model).name)
    p = car.step(p, car.StatusReceived(st)).panel
    return car.step(p, car.CarAvailability(online)).panel


# ---------------------------------------------------------------- words and numbers


def test_numbers_are_written_in_each_languages_style():
    assert car_words.num(12345.67, 1, "en") == "12,345.7"
    assert car_words.num(12345.67, 1, "da") == "12.345,7"
    assert car_words.temp(21.5, "da") == "21,5 °C"
    assert car_words.duration(3180, "en") == "53 min"
    assert car_words.duration(7801, "da") == "2 t 11 min"
    assert car_words.compass(44, "en") == "NE" and car_words.compass(44, "da") == "NØ"
    assert car_words.compass(359, "en") == "N"
    assert car_words.longitude(-3.5, "da") == "3,50000° V"
    assert car_words.latitude(55.6761, "en") == "55.67610° N"


def test_a_screen_without_a_status_says_it_waits_or_that_the_car_is_offline():
    p = car.new_panel("MG4 Electric")
    assert car_present.common(p, "en", T0).banner == "The car is offline and has not reported " \
                                                     "its status yet."
    online = car.step(p, car.CarAvailability(True)).panel
    assert car_present.common(online, "da", T0).banner == "Venter på bilens status…"
    last = panel(online=False)
    c = car_present.common(last, "en", T0 + 60)
    assert c.ready and c.banner.startswith("The car is offline: this is its last status")
    assert car_present.common(panel(), "en", T0).banner == ""


# ---------------------------------------------------------------- Vehicle status


def test_the_status_screen_names_what_is_open_and_which_tyre_is_low():
    p = panel(doors={"driver": True, "boot": True}, windows={"sunRoof": True},
              tyres={"frontLeftPressure": 1.8})
    en = car_present.vehicle_status(p, "en")
    assert en.doors["driver"] and en.doors["boot"] and not en.doors["passenger"]
    assert en.windows["sunRoof"]
    assert en.open_text == "Open: driver's door, boot, sunroof" and en.open_tone == "warn"
    assert en.tyres_low == {"frontLeft": True, "frontRight": False, "rearLeft": False,
                            "rearRight": False}
    assert en.tyres["frontLeft"] == "1.8 bar"
    assert en.tyre_text == "Low tyre pressure: front left" and en.tyre_tone == "danger"
    da = car_present.vehicle_status(p, "da")
    assert da.open_text == "Åben: førerdør, bagagerum, soltag"
    assert da.tyres["frontLeft"] == "1,8 bar"
    assert da.tyre_text == "Lavt dæktryk: venstre fordæk"


def test_the_status_screen_reads_locks_alarm_lights_battery_and_odometer():
    p = panel(doors={"locked": True}, lights={"dippedBeam": True},
              drivetrain={"auxiliaryBatteryVoltage": 11.5, "mileage": 12345.0})
    s = car_present.vehicle_status(p, "da")
    assert s.locked and s.lock_text == "Låst"
    assert s.lights_on and s.lights_text == "Nærlys"
    assert s.aux_text == "11,5 V" and s.aux_tone == "warn"
    assert s.odometer_text == "12.345 km"
    assert s.open_text == "Alle døre og ruder er lukket." and s.open_tone == "ok"
    triggered = car_present.vehicle_status(panel(alarm={"armed": True, "triggered": True}), "en")
    assert triggered.alarm_text == "Triggered!" and triggered.alarm_tone == "danger"


# ---------------------------------------------------------------- EV management


def test_the_ev_screen_says_how_the_car_charges():
    charging = panel(drivetrain={"charging": True, "chargerConnected": True,
                                 "chargingPower": 11.0, "remainingChargingTime": 3180,
                                 "socTarget": 80})
    ev = car_present.ev(charging, "en")
    assert ev.state_text == "Charging · 11.0 kW AC" and ev.time_text == "53 min to 80 %"
    assert ev.charge_action == "stop" and ev.charge_text == "Stop charging"
    assert car_present.ev(charging, "da").state_text == "Lader · 11,0 kW AC"
    done = car_present.ev(panel(drivetrain={"chargerConnected": True, "soc": 80.0,
                                            "socTarget": 80}), "en")
    assert done.state_text == "Charging complete" and done.charge_action == "start"
    unplugged = car_present.ev(panel(), "da")
    assert unplugged.state_text == "Ikke tilsluttet"
    assert unplugged.soc_text == "64 %" and unplugged.range_text.endswith("km rækkevidde")


def test_the_charge_target_steps_by_ten_between_40_and_100():
    assert car_present.next_target(80, 1) == 90
    assert car_present.next_target(80, -1) == 70
    assert car_present.next_target(100, 1) is None
    assert car_present.next_target(40, -1) is None
    top = car_present.ev(panel(drivetrain={"socTarget": 100}), "en")
    assert not top.can_raise and top.can_lower
    assert car_present.ev(panel(), "en", target=40).target_text == "40 %"


# ---------------------------------------------------------------- Climate, Find my car, key


def test_the_climate_screen_says_whether_it_heats_or_cools_towards_the_setpoint():
    heating = panel(climate={"remoteClimateState": "on", "remoteTemperature": 21.0,
                             "interiorTemperature": 12.0})
    assert car_present.climate(heating, "en").state_text == "Heating the cabin to 21.0 °C."
    cooling = panel(climate={"remoteClimateState": "front", "remoteTemperature": 20.0,
                             "interiorTemperature": 30.0})
    assert car_present.climate(cooling, "da").state_text == \
        "Køler kabinen ned til 20,0 °C. Forruden afrimes."
    off = car_present.climate(panel(), "en")
    assert off.state_text == "Remote climate is off." and off.state == "off"
    eager = car_present.climate(panel(), "en", setpoint=28.0, seats={"frontLeft": 3})
    assert eager.setpoint_text == "28.0 °C" and not eager.can_raise and eager.seat_left == 3


def test_find_my_car_shows_what_the_car_does_and_where_it_is():
    p = panel(location={"findMyCar": "horn_only", "heading": 90.0, "latitude": 55.5})
    f = car_present.find_my_car(p, "da")
    assert f.active and f.mode_text == "Aktiv: kun horn"
    assert f.latitude_text == "55,50000° N" and f.heading_text == "Retning 90° Ø"
    assert car_present.find_my_car(panel(), "en").mode_text == "Not active"


def test_the_digital_key_belongs_to_the_bound_account():
    k = car_present.digital_key(panel(doors={"driver": True}), "en", "Ann Hansen")
    assert k.key_text == "Digital key of Ann Hansen: active" and k.key_active
    assert k.open_text == "Open: driver's door"
    nobody = car_present.digital_key(panel(), "da", None)
    assert nobody.key_text == "Ingen Digital Key: ingen konto er tilknyttet bilen."
    assert car_present.digital_key(panel(), "en", "Ann", locked=False).lock_text == "Unlocked"


# ---------------------------------------------------------------- Navigation, Notifications


def test_navigation_shows_the_received_destination_or_none():
    assert car_info.navigation(panel(), "en", T0).title == "No destination"
    dest = {"destination": pv.Destination(name="Køge Nord fast chargers", latitude=55.4934,
                                          longitude=12.1596, address="Køge Nord Rasteplads"),
            "receivedAt": T0}
    p = panel(navigation=dest, location={"latitude": 55.6761, "longitude": 12.5683})
    n = car_info.navigation(p, "da", T0)
    assert n.has_destination and n.title == "Køge Nord fast chargers"
    assert n.distance.endswith("km SV for bilen")
    assert 30 < n.distance_km < 35 and 200 < n.bearing < 250
    assert n.received == f"Modtaget fra din telefon kl. {car_words.clock(T0)}"


def test_a_model_without_map_and_poi_says_it_cannot_receive_destinations():
    n = car_info.navigation(panel("mg5"), "en", T0)
    assert n.hint == ("The MG5 Electric cannot receive destinations from the phone: it has no "
                      "Map & POI service.")


def test_notifications_hold_the_cars_alerts_and_each_account_notice_once_newest_first():
    log = car_info.NoticeLog()
    assert log.see("logged_out", {}, None, T0 + 10)
    assert not log.see("logged_out", {}, None, T0 + 11)  # still on screen: logged once
    log.see(None, {}, None, T0 + 12)
    log.see(None, {}, "pending", T0 + 20)  # a force unbind opened
    alert = pv.Alert(id=1, code="tyre_pressure_low", severity="warning", time=T0 + 5,
                     title="Tyre pressure low: front left tyre at 1.8 bar.")
    p = panel()
    p = car.step(p, car.StatusReceived(p.status.model_copy(update={"seq": 2, "alerts": [alert]}))
                 ).panel
    en = car_info.notifications(p, log, "en", T0 + 30)
    assert [n.title for n in en] == [
        MESSAGES["force_unbind_requested"], "You are logged out of the car.",
        "Tyre pressure low: front left tyre at 1.8 bar."]
    assert en[-1].tone == "warn" and en[-1].icon == "tire_repair" and en[-1].source == "The car"
    da = car_info.notifications(p, log, "da", T0 + 30)
    assert [n.title for n in da] == [MESSAGES_DA["force_unbind_requested"],
                                     "Du er logget ud af bilen.", "Lavt dæktryk"]


def test_every_alert_the_car_raises_has_danish_words():
    for code in car_info.ALERT_ICONS:
        assert f"alert.{code}" in i18n.TEXTS, code


# ---------------------------------------------------------------- the driver's commands


def answered(p: car.CarPanel, rid: str, ok: bool, code: str = "door_open",
             message: str = "A door is open: cannot lock. Close driver and try again."
             ) -> car.CarPanel:
    result = (pv.CarResult(request_id=rid, status="ok") if ok
              else pv.error_result(rid, code, message))
    return car.step(p, car.CommandAnswered(result)).panel


def requested(p: car.CarPanel, rid: str, command: Any) -> car.CarPanel:
    return car.step(p, car.CommandRequested(rid, command, 0.0)).panel


def test_a_command_reads_pending_then_done_and_the_success_fades():
    tracker = CommandTracker()
    cmd = pv.ChargeTargetCommand(soc=90)
    tracker.sent(Sent("r1", cmd, "ev.target", 90, sent=100.0))
    p = panel()
    fb = tracker.feedback("ev_management", p, "en", 100.0)
    assert fb.status == "pending" and fb.text == "Sending to the car: Charge target 90 %…"
    p = requested(p, "r1", cmd)
    p = answered(p, "r1", ok=True)
    tracker.update(p, 101.0)
    assert tracker.feedback("ev_management", p, "da", 101.0).text == "Udført: Ladegrænse 90 %."
    assert tracker.feedback("ev_management", p, "en", 101.0 + OK_SHOWN).text == ""
    assert tracker.feedback("climate", p, "en", 101.0).text == ""  # another screen's


def test_a_refused_command_says_why_in_the_cars_words_or_in_danish():
    tracker = CommandTracker()
    tracker.sent(Sent("r2", pv.LockCommand(), "key.locked", True, sent=50.0))
    p = answered(requested(panel(doors={"driver": True, "locked": False}), "r2",
                           pv.LockCommand()), "r2", ok=False)
    tracker.update(p, 51.0)
    en = tracker.feedback("digital_key", p, "en", 500.0)  # a refusal does not fade
    assert en.status == "error" and en.kind == "danger"
    assert en.text == "Lock: A door is open: cannot lock. Close driver and try again."
    assert tracker.feedback("digital_key", p, "da", 51.0).text == \
        "Lås: " + MESSAGES_DA["door_open"]
    assert tracker.eager(p, 51.0) == {}  # the lock icon falls back to the car's status
    tracker.clear("digital_key")  # the screen is entered again
    assert tracker.feedback("digital_key", p, "en", 52.0).text == ""


def test_a_control_shows_the_asked_value_until_the_cars_status_has_it():
    tracker = CommandTracker()
    cmd = pv.ClimateCommand(state="on", temperature=22.0)
    tracker.sent(Sent("r3", cmd, "climate.setpoint", 22.0, sent=10.0))
    p = requested(panel(seq=1), "r3", cmd)
    assert tracker.eager(p, 10.5) == {"climate.setpoint": 22.0}
    p = answered(p, "r3", ok=True)
    tracker.update(p, 11.0)
    assert tracker.eager(p, 11.5) == {"climate.setpoint": 22.0}  # no newer status yet
    assert tracker.eager(p, 11.0 + EAGER_GRACE) == {}
    newer = car.step(p, car.StatusReceived(p.status.model_copy(update={"seq": 2}))).panel
    assert tracker.eager(newer, 11.5) == {}


@pytest.mark.parametrize("command,en,da", [
    (pv.ClimateCommand(state="blowingonly"), "Climate Fan only", "Klimaanlæg Kun blæser"),
    (pv.HeatedSeatCommand(seat="frontRight", level=2), "Seat heating, Passenger: 2",
     "Sædevarme, Passager: 2"),
    (pv.DefrostCommand(window="rear", on=True), "Defrost Rear window: on",
     "Afrimning Bagrude: til"),
    (pv.ChargingCommand(action="start"), "Start charging", "Start opladning"),
    (pv.ChargeCurrentLimitCommand(limit="16A"), "Charging current 16A", "Ladestrøm 16A"),
    (pv.ChargeScheduleCommand(enabled=True, start="22:00", end="06:00"),
     "Scheduled charging 22:00–06:00", "Planlagt opladning 22:00–06:00"),
    (pv.FindMyCarCommand(mode="lights_only"), "Find my car: Lights only",
     "Find my car: Kun lys"),
    (pv.UnlockCommand(), "Unlock", "Lås op"),
])
def test_each_command_has_a_name_in_both_languages(command, en, da):
    assert label(command, "en") == en and label(command, "da") == da


# ---------------------------------------------------------------- services per model


def test_a_model_without_a_service_has_no_tile_for_it():
    mg5 = car.new_panel("MG5 Electric")
    assert available_services(mg5) == ["climate", "ev", "find_my_car", "vehicle_status",
                                       "notifications"]
    assert [key for key, _ in services_for(car.new_panel("MG4 Electric"))] == [
        "climate", "ev", "digital_key", "find_my_car", "map_poi", "vehicle_status",
        "notifications"]
    assert available_services(car.new_panel("Mystery Car")) == []
    assert available_services(None) == []
