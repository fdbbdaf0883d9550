"""The car's status document (:class:`headunit.protocol.vehicle.VehicleStatus`) from its state.

Values are rounded to what a display shows (SOC to 0.1 %, temperatures to 0.1 degC, position
to 6 decimals), so "has anything changed?" (:func:`content`) ignores noise below that.
"""

from __future__ import annotations

from typing import Any

from headunit.protocol import vehicle as pv

from .energy import flows
from .state import VehicleState

HV_ACTIVE_VOLTS = 14.2  # the DC-DC converter feeds the 12 V net while the HV battery works


def build(s: VehicleState, *, epoch: str, seq: int) -> pv.VehicleStatus:
    f = flows(s)
    c, cl, d, w, li, t, loc = (s.charging, s.climate, s.doors, s.windows, s.lights, s.tyres,
                               s.location)
    hv_active = f.charging or s.driving or cl.remote_state != "off"
    dest = s.destination
    return pv.VehicleStatus(
        vin=s.vin, epoch=epoch, seq=seq, time=round(s.time, 3),
        info=pv.Info(brand="MG", model=s.model.name, modelId=s.model.id, year=s.model.year,
                     powertrain=s.model.powertrain),  # type: ignore[arg-type]
        drivetrain=pv.Drivetrain(
            soc=round(s.soc, 1), soc_kwh=round(s.soc_kwh, 2), socTarget=c.target,
            range=round(s.range_km, 0), charging=f.charging,
            chargerConnected=c.cable_connected, chargingType=c.charger_type,  # type: ignore[arg-type]
            chargingPower=round(f.charge_kw if f.charging else 0.0, 2),
            remainingChargingTime=int(round(f.time_to_target / 60.0)) * 60,
            chargeCurrentLimit=c.current_limit,  # type: ignore[arg-type]
            chargingSchedule=pv.Schedule(enabled=c.schedule.enabled, start=c.schedule.start,
                                         end=c.schedule.end),
            power=round(f.battery_kw, 2) + 0.0, hvBatteryActive=hv_active,
            auxiliaryBatteryVoltage=HV_ACTIVE_VOLTS if hv_active else round(s.aux_rest_voltage, 2),
            mileage=round(s.odometer_km, 1), totalBatteryCapacity=s.model.battery_kwh),
        climate=pv.Climate(
            interiorTemperature=round(cl.cabin, 1), exteriorTemperature=round(cl.outside, 1),
            remoteClimateState=cl.remote_state,  # type: ignore[arg-type]
            remoteTemperature=cl.setpoint,
            heatedSeatsFrontLeftLevel=cl.seat_front_left,
            heatedSeatsFrontRightLevel=cl.seat_front_right,
            frontWindowDefrosterHeating=cl.front_defrost or cl.remote_state == "front",
            rearWindowDefrosterHeating=cl.rear_defrost),
        doors=pv.Doors(driver=d.driver, passenger=d.passenger, rearLeft=d.rear_left,
                       rearRight=d.rear_right, bonnet=d.bonnet, boot=d.boot, locked=d.locked),
        windows=pv.Windows(driver=w.driver, passenger=w.passenger, rearLeft=w.rear_left,
                           rearRight=w.rear_right, sunRoof=w.sun_roof),
        lights=pv.Lights(mainBeam=li.main_beam, dippedBeam=li.dipped_beam,
                         side=li.side or s.find_my_car in ("activate", "lights_only")),
        tyres=pv.Tyres(frontLeftPressure=round(t.front_left, 2),
                       frontRightPressure=round(t.front_right, 2),
                       rearLeftPressure=round(t.rear_left, 2),
                       rearRightPressure=round(t.rear_right, 2)),
        location=pv.Location(latitude=round(loc.latitude, 6), longitude=round(loc.longitude, 6),
                             heading=round(loc.heading, 1) % 360.0, speed=round(loc.speed, 1),
                             elevation=round(loc.elevation, 1), driving=s.driving,
                             findMyCar=s.find_my_car),  # type: ignore[arg-type]
        navigation=pv.Navigation(
            destination=None if dest is None else pv.Destination(
                name=dest.name, latitude=dest.latitude, longitude=dest.longitude,
                address=dest.address, poi_id=dest.poi_id),
            receivedAt=None if dest is None else dest.received),
        alarm=pv.Alarm(armed=d.locked, triggered=s.alarm_triggered),
        alerts=[pv.Alert(id=a.id, code=a.code, title=a.title, time=a.time,
                         severity=a.severity)  # type: ignore[arg-type]
                for a in s.alerts],
    )


def content(status: pv.VehicleStatus) -> dict[str, Any]:
    """What a status says, without its clock time and numbering: equal means nothing new."""
    data = status.model_dump()
    for key in ("seq", "time", "epoch"):
        data.pop(key)
    return data


def lookup(status: pv.VehicleStatus, path: str) -> Any:
    """The value at ``group.field`` of the status document; ``KeyError`` if there is none."""
    group, _, name = path.partition(".")
    data = status.model_dump()
    if group not in data or not isinstance(data[group], dict) or name not in data[group]:
        raise KeyError(path)
    return data[group][name]
