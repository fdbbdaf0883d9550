"""What the car's screens show, as plain data: pure functions of the car panel
(``View.vehicle``), the language and the time. No Kivy here: the screens bind to these
frozen objects (through :class:`~headunit.ui.car_model.CarUi`), and tests call them
directly.

One function per screen: :func:`vehicle_status`, :func:`ev`, :func:`climate`,
:func:`find_my_car`, :func:`digital_key`; :func:`common` says whether there is a status to
show and whether the car is offline. Navigation and Notifications are in
:mod:`headunit.ui.car_info`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import i18n
from ..car import CarPanel
from ..protocol import vehicle as pv
from . import car_words as w

WHEELS = ("frontLeft", "frontRight", "rearLeft", "rearRight")
OPENINGS = ("driver", "passenger", "rearLeft", "rearRight", "bonnet", "boot")
WINDOWS = ("driver", "passenger", "rearLeft", "rearRight", "sunRoof")
LOW_AUX_VOLTS = 11.8  # as the car's own alert


def t(key: str, lang: str, **params: object) -> str:
    return i18n.text(key, lang, **params)


def _status(panel: CarPanel | None) -> pv.VehicleStatus | None:
    return panel.status if panel is not None else None


# ---------------------------------------------------------------- every screen


@dataclass(frozen=True)
class Common:
    ready: bool = False        # there is a status to show
    banner: str = ""           # '' | the car is offline | waiting for its first status
    updated: str = ""          # "Updated 14:02"


def common(panel: CarPanel | None, lang: str, now: float) -> Common:
    st = _status(panel)
    if st is None:
        key = "car.waiting" if panel is None or panel.car_online else "car.offline_never"
        return Common(False, t(key, lang))
    updated = t("car.updated", lang, time=w.when(st.time, now))
    if panel is not None and not panel.car_online:
        return Common(True, t("car.offline", lang, time=w.when(st.time, now)), updated)
    return Common(True, "", updated)


# ---------------------------------------------------------------- Vehicle status


@dataclass(frozen=True)
class VehicleStatus:
    doors: dict[str, bool] = field(default_factory=dict)     # OPENINGS -> open
    windows: dict[str, bool] = field(default_factory=dict)   # WINDOWS -> open
    tyres: dict[str, str] = field(default_factory=dict)      # WHEELS -> "2.5 bar"
    tyres_low: dict[str, bool] = field(default_factory=dict)  # WHEELS -> low
    lights_on: bool = False
    locked: bool = True
    lock_text: str = ""
    alarm_text: str = ""
    alarm_tone: str = "text"
    lights_text: str = ""
    aux_text: str = ""
    aux_tone: str = "text"
    odometer_text: str = ""
    battery_text: str = ""
    open_text: str = ""
    open_tone: str = "ok"
    tyre_text: str = ""
    tyre_tone: str = "ok"


def open_names(st: pv.VehicleStatus, lang: str) -> list[str]:
    """What is open, in words: doors, bonnet and boot, then windows and the sunroof."""
    names = [t(f"vs.part.{p}", lang) for p in OPENINGS if getattr(st.doors, p)]
    names += [t(f"vs.window.{p}", lang) for p in WINDOWS if getattr(st.windows, p)]
    return names


def vehicle_status(panel: CarPanel | None, lang: str) -> VehicleStatus:
    st = _status(panel)
    if st is None or panel is None:
        return VehicleStatus()
    low = {wheel: bool(panel.tyres_low.get(f"{wheel}Pressure")) for wheel in WHEELS}
    tyres = {wheel: f"{w.num(getattr(st.tyres, f'{wheel}Pressure'), 1, lang)} bar"
             for wheel in WHEELS}
    lights = st.lights
    if lights.mainBeam:
        lights_key = "vs.lights.main"
    elif lights.dippedBeam:
        lights_key = "vs.lights.dipped"
    elif lights.side:
        lights_key = "vs.lights.side"
    else:
        lights_key = "vs.lights.off"
    if st.alarm.triggered:
        alarm, alarm_tone = t("vs.alarm.triggered", lang), "danger"
    elif st.alarm.armed:
        alarm, alarm_tone = t("vs.alarm.armed", lang), "ok"
    else:
        alarm, alarm_tone = t("vs.alarm.off", lang), "text"
    opened = open_names(st, lang)
    low_names = [t(f"vs.wheel.{wheel}", lang) for wheel in WHEELS if low[wheel]]
    volts = st.drivetrain.auxiliaryBatteryVoltage
    return VehicleStatus(
        doors={p: getattr(st.doors, p) for p in OPENINGS},
        windows={p: getattr(st.windows, p) for p in WINDOWS},
        tyres=tyres, tyres_low=low,
        lights_on=lights.mainBeam or lights.dippedBeam or lights.side,
        locked=st.doors.locked,
        lock_text=t("vs.locked" if st.doors.locked else "vs.unlocked", lang),
        alarm_text=alarm, alarm_tone=alarm_tone,
        lights_text=t(lights_key, lang),
        aux_text=f"{w.num(volts, 1, lang)} V", aux_tone="warn" if volts < LOW_AUX_VOLTS else "text",
        odometer_text=f"{w.num(st.drivetrain.mileage, 0, lang)} km",
        battery_text=f"{w.num(st.drivetrain.soc, 0, lang)} % · "
                     f"{w.num(st.drivetrain.range, 0, lang)} km",
        open_text=(t("vs.open", lang, what=", ".join(opened)) if opened
                   else t("vs.all_closed", lang)),
        open_tone="warn" if opened else "ok",
        tyre_text=(t("vs.tyres_low", lang, which=", ".join(low_names)) if low_names
                   else t("vs.tyres_ok", lang)),
        tyre_tone="danger" if low_names else "ok",
    )


# ---------------------------------------------------------------- EV management


@dataclass(frozen=True)
class Ev:
    soc: float = 0.0
    soc_text: str = "–"
    range_text: str = ""
    energy_text: str = ""
    target: int = 80
    target_text: str = ""
    limit: str = "MAX"
    charging: bool = False
    connected: bool = False
    state_text: str = ""
    state_tone: str = "muted"
    time_text: str = ""
    can_raise: bool = False
    can_lower: bool = False
    schedule_on: bool = False
    schedule_text: str = ""
    schedule_start: str = "22:00"
    schedule_end: str = "06:00"
    charge_action: str = "start"       # what the charge button does
    charge_text: str = ""
    history: tuple[tuple[float, float], ...] = ()
    now: float = 0.0                   # the status's time: the plot's right edge


def ev(panel: CarPanel | None, lang: str, *, target: int | None = None,
       limit: str | None = None, schedule_on: bool | None = None) -> Ev:
    """``target``, ``limit`` and ``schedule_on`` override the status while the driver's
    command for them is on its way (see :class:`~headunit.ui.car_commands.CommandTracker`)."""
    st = _status(panel)
    if st is None or panel is None:
        return Ev(charge_text=t("ev.start", lang))
    d = st.drivetrain
    target = d.socTarget if target is None else target
    limit = d.chargeCurrentLimit if limit is None else limit
    schedule_on = d.chargingSchedule.enabled if schedule_on is None else schedule_on
    if d.charging:
        state = t("ev.state.charging", lang, kw=w.num(d.chargingPower, 1, lang), type=d.chargingType)
        tone = "ok"
        time_text = t("ev.time_to_target", lang, time=w.duration(d.remainingChargingTime, lang),
                      target=target)
    elif d.chargerConnected and d.soc >= d.socTarget - 0.05:
        state, tone, time_text = t("ev.state.complete", lang), "ok", ""
    elif d.chargerConnected and d.chargingSchedule.enabled:
        state, tone = t("ev.state.scheduled", lang), "accent"
        time_text = t("ev.schedule_window", lang, start=d.chargingSchedule.start,
                      end=d.chargingSchedule.end)
    elif d.chargerConnected:
        state, tone, time_text = t("ev.state.plugged", lang), "text", ""
    else:
        state, tone, time_text = t("ev.state.unplugged", lang), "muted", ""
    sch = d.chargingSchedule
    return Ev(
        soc=d.soc, soc_text=f"{w.num(d.soc, 0, lang)} %",
        range_text=t("ev.range", lang, km=w.num(d.range, 0, lang)),
        energy_text=t("ev.energy", lang, kwh=w.num(d.soc_kwh, 1, lang),
                      total=w.num(d.totalBatteryCapacity, 0, lang)),
        target=target, target_text=f"{target} %", limit=limit,
        charging=d.charging, connected=d.chargerConnected,
        state_text=state, state_tone=tone, time_text=time_text,
        can_raise=target < pv.SOC_TARGETS[-1], can_lower=target > pv.SOC_TARGETS[0],
        schedule_on=schedule_on,
        schedule_text=(t("ev.schedule_window", lang, start=sch.start, end=sch.end)
                       if schedule_on else t("ev.schedule_off", lang)),
        schedule_start=sch.start, schedule_end=sch.end,
        charge_action="stop" if d.charging else "start",
        charge_text=t("ev.stop" if d.charging else "ev.start", lang),
        history=panel.soc_history, now=st.time,
    )


def next_target(current: int, step: int) -> int | None:
    """The SOC target one step (+1 / -1) from ``current``, or None past either end."""
    targets = pv.SOC_TARGETS
    i = min(range(len(targets)), key=lambda n: abs(targets[n] - current)) + step
    return targets[i] if 0 <= i < len(targets) else None


# ---------------------------------------------------------------- Climate

SETPOINT_STEP = 0.5


@dataclass(frozen=True)
class Climate:
    state: str = "off"
    state_text: str = ""
    setpoint: float = 21.0
    setpoint_text: str = "–"
    cabin: float = 21.0
    cabin_text: str = "–"
    outside_text: str = "–"
    seat_left: int = 0
    seat_right: int = 0
    front_defrost: bool = False
    rear_defrost: bool = False
    can_raise: bool = False
    can_lower: bool = False


def climate(panel: CarPanel | None, lang: str, *, setpoint: float | None = None,
            state: str | None = None, seats: dict[str, int] | None = None,
            defrost: dict[str, bool] | None = None) -> Climate:
    """The keyword arguments override the status while the driver's command is on its way."""
    st = _status(panel)
    if st is None:
        return Climate()
    c = st.climate
    state = c.remoteClimateState if state is None else state
    setpoint = c.remoteTemperature if setpoint is None else setpoint
    seats = seats or {}
    defrost = defrost or {}
    cabin = c.interiorTemperature
    if state == "off":
        words = t("climate.is_off", lang)
    elif state == "blowingonly":
        words = t("climate.fan_only", lang)
    else:
        if abs(cabin - setpoint) < 0.5:
            words = t("climate.holding", lang, temp=w.temp(setpoint, lang))
        elif cabin < setpoint:
            words = t("climate.heating", lang, temp=w.temp(setpoint, lang))
        else:
            words = t("climate.cooling", lang, temp=w.temp(setpoint, lang))
        if state == "front":
            words = t("climate.with_front", lang, what=words)
    return Climate(
        state=state, state_text=words, setpoint=setpoint, setpoint_text=w.temp(setpoint, lang),
        cabin=cabin, cabin_text=w.temp(cabin, lang), outside_text=w.temp(c.exteriorTemperature, lang),
        seat_left=seats.get("frontLeft", c.heatedSeatsFrontLeftLevel),
        seat_right=seats.get("frontRight", c.heatedSeatsFrontRightLevel),
        front_defrost=defrost.get("front", c.frontWindowDefrosterHeating),
        rear_defrost=defrost.get("rear", c.rearWindowDefrosterHeating),
        can_raise=setpoint + SETPOINT_STEP <= pv.SETPOINT_MAX,
        can_lower=setpoint - SETPOINT_STEP >= pv.SETPOINT_MIN)


# ---------------------------------------------------------------- Find my car


@dataclass(frozen=True)
class FindMyCar:
    mode: str = "stop"
    active: bool = False
    mode_text: str = ""
    latitude_text: str = "–"
    longitude_text: str = "–"
    heading: float = 0.0
    heading_text: str = ""
    motion_text: str = ""


def find_my_car(panel: CarPanel | None, lang: str) -> FindMyCar:
    st = _status(panel)
    if st is None:
        return FindMyCar(mode_text=t("find.mode.stop", lang))
    loc = st.location
    return FindMyCar(
        mode=loc.findMyCar, active=loc.findMyCar != "stop",
        mode_text=t(f"find.mode.{loc.findMyCar}", lang),
        latitude_text=w.latitude(loc.latitude, lang),
        longitude_text=w.longitude(loc.longitude, lang),
        heading=loc.heading,
        heading_text=t("find.heading", lang, deg=w.num(loc.heading, 0, lang),
                       point=w.compass(loc.heading, lang)),
        motion_text=(t("find.driving", lang, kmh=w.num(loc.speed, 0, lang)) if loc.driving
                     else t("find.parked", lang)))


# ---------------------------------------------------------------- Digital key


@dataclass(frozen=True)
class DigitalKey:
    locked: bool = True
    lock_text: str = "–"
    key_text: str = ""
    key_active: bool = False
    alarm_text: str = ""
    alarm_tone: str = "text"
    open_text: str = ""
    open_tone: str = "ok"


def digital_key(panel: CarPanel | None, lang: str, holder: str | None,
                locked: bool | None = None) -> DigitalKey:
    """``holder``: the bound user's name (None when no account is bound to the car)."""
    key_text = (t("key.active", lang, name=holder) if holder else t("key.none", lang))
    st = _status(panel)
    if st is None:
        return DigitalKey(key_text=key_text, key_active=bool(holder))
    vs = vehicle_status(panel, lang)
    locked = st.doors.locked if locked is None else locked
    return DigitalKey(
        locked=locked, lock_text=t("vs.locked" if locked else "vs.unlocked", lang),
        key_text=key_text, key_active=bool(holder),
        alarm_text=t("key.alarm", lang, state=vs.alarm_text), alarm_tone=vs.alarm_tone,
        open_text=vs.open_text, open_tone=vs.open_tone)
