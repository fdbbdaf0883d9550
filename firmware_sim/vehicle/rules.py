"""What follows from a change of the car's state: the alarm, and the alerts the Notifications
service shows. Pure: :func:`settle` compares the state before and after any change (time,
a command, a property set by a rig) and returns the settled state.

Alerts fire on an edge (a tyre *becomes* low), so a rig that sets a pressure twice, or a
minute of ticking, does not repeat them. The car keeps its last :data:`MAX_ALERTS`.
"""

from __future__ import annotations

from dataclasses import replace

from headunit.protocol.vehicle import MAX_ALERTS

from .energy import flows
from .state import Alert, Doors, VehicleState

LOW_TYRE_FRACTION = 0.8  # of the model's nominal pressure
LOW_AUX_VOLTS = 11.8
LOW_SOC = 15.0
TYRE_NAMES = {"front_left": "front left", "front_right": "front right",
              "rear_left": "rear left", "rear_right": "rear right"}


def _opened(before: Doors, after: Doors) -> list[str]:
    was, now = set(before.open_ones()), after.open_ones()
    return [name for name in now if name not in was]


def settle(before: VehicleState, after: VehicleState) -> VehicleState:
    s = after
    new: list[tuple[str, str, str]] = []  # (code, title, severity)

    # the alarm is armed while the car is locked; opening anything then sets it off
    if not s.doors.locked:
        s = replace(s, alarm_triggered=False)
    elif before.doors.locked:
        opened = _opened(before.doors, s.doors)
        if opened and not s.alarm_triggered:
            s = replace(s, alarm_triggered=True)
            new.append(("alarm_triggered",
                        f"Alarm: {opened[0]} was opened while the car was locked.", "critical"))

    was, now = flows(before), flows(s)
    if was.charging and not now.charging:
        if s.soc >= s.charging.target - 0.05:
            new.append(("charging_complete",
                        f"Charging complete: the battery is at {s.charging.target} %.", "info"))
        elif not s.charging.cable_connected:
            new.append(("charging_interrupted",
                        f"Charging stopped at {s.soc:.0f} %: the cable was unplugged.", "warning"))
    if before.soc >= LOW_SOC > s.soc:
        new.append(("battery_low",
                    f"Battery low: {s.soc:.0f} %, about {s.range_km:.0f} km left.", "warning"))

    nominal = s.model.tyre_bar * LOW_TYRE_FRACTION
    for attr, name in TYRE_NAMES.items():
        if getattr(before.tyres, attr) >= nominal > getattr(s.tyres, attr):
            new.append(("tyre_pressure_low",
                        f"Tyre pressure low: {name} tyre at {getattr(s.tyres, attr):.1f} bar.",
                        "warning"))
    if before.aux_rest_voltage >= LOW_AUX_VOLTS > s.aux_rest_voltage:
        new.append(("aux_battery_low",
                    f"12 V battery low: {s.aux_rest_voltage:.1f} V. Drive or charge the car.",
                    "warning"))
    if s.destination is not None and s.destination != before.destination:
        new.append(("destination_received",
                    f"Destination received: {s.destination.name}.", "info"))
    if before.driving and not s.driving and s.soc > 0:
        new.append(("arrived", "Arrived: the car is parked.", "info"))
    return add_alerts(s, new)


def add_alerts(s: VehicleState, new: list[tuple[str, str, str]]) -> VehicleState:
    if not new:
        return s
    alerts = list(s.alerts)
    next_id = s.next_alert_id
    for code, title, severity in new:
        alerts.append(Alert(next_id, code, title, s.time, severity))
        next_id += 1
    return replace(s, alerts=tuple(alerts[-MAX_ALERTS:]), next_alert_id=next_id)
