"""The car as the head unit shows it, as a pure state machine.

:class:`CarPanel` holds the newest status the cloud relayed, whether the car is online,
which services its model has (from the model catalogue: a service the model lacks is
unavailable, its tile hidden) and the driver's recent commands with their outcome.
``step(panel, event) -> Transition(panel, effects)``: no I/O; the controller carries out
:class:`SendCarCommand`. An older status (lower ``seq`` in the same epoch) never replaces a
newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Union

from .protocol import vehicle as pv
from .vehicle_models import load_catalogue

COMMAND_TIMEOUT = 15.0  # seconds (monotonic): the cloud waits 10 s for the car
KEEP_COMMANDS = 10
SOC_SAMPLE_SECONDS = 900.0  # the SOC plot: one point per 15 simulated minutes ...
SOC_HISTORY_SECONDS = 12 * 3600.0  # ... over the last 12 hours
LOW_TYRE_FRACTION = 0.8  # of the model's nominal pressure, as the car's own alert


@dataclass(frozen=True)
class CommandState:
    request_id: str
    name: str
    service: str
    status: str  # pending | ok | error
    sent: float
    code: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "name": self.name, "service": self.service,
                "status": self.status, "code": self.code, "message": self.message,
                "data": self.data}


@dataclass(frozen=True)
class CarPanel:
    model: str
    model_known: bool
    services: tuple[tuple[str, bool], ...]
    status: pv.VehicleStatus | None = None
    car_online: bool = False
    commands: tuple[CommandState, ...] = ()
    tyre_nominal_bar: float | None = None
    soc_history: tuple[tuple[float, float], ...] = ()  # (simulated time, SOC %), oldest first

    @property
    def tyres_low(self) -> dict[str, bool]:
        """Which tyres to mark low on the car drawing."""
        if self.status is None or self.tyre_nominal_bar is None:
            return {}
        limit = self.tyre_nominal_bar * LOW_TYRE_FRACTION
        return {name: value < limit for name, value in self.status.tyres.model_dump().items()}

    def has(self, service: str) -> bool:
        return dict(self.services).get(service, False)

    @property
    def last_command(self) -> CommandState | None:
        return self.commands[-1] if self.commands else None

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model, "model_known": self.model_known,
            "services": dict(self.services),
            "available": [s for s, ok in self.services if ok],
            "car_online": self.car_online,
            "seq": self.status.seq if self.status else None,
            "status": self.status.model_dump() if self.status else None,
            "commands": [c.to_json() for c in self.commands],
            "last_command": self.last_command.to_json() if self.last_command else None,
            "tyres_low": self.tyres_low,
            "soc_history": [list(point) for point in self.soc_history],
        }


def new_panel(model: str) -> CarPanel:
    """The panel of a car of ``model``: every service off for a model not in the catalogue."""
    spec = load_catalogue().get(model)
    services = spec.service_map() if spec else {s: False for s in pv.SERVICES}
    return CarPanel(model=spec.name if spec else model, model_known=spec is not None,
                    services=tuple(services.items()),
                    tyre_nominal_bar=spec.tyre_bar if spec else None)


# ---------------------------------------------------------------- events and effects


@dataclass(frozen=True)
class StatusReceived:
    status: pv.VehicleStatus


@dataclass(frozen=True)
class CarAvailability:
    online: bool


@dataclass(frozen=True)
class CommandRequested:
    request_id: str
    command: Any  # a headunit.protocol.vehicle command model
    now: float  # monotonic


@dataclass(frozen=True)
class CommandAnswered:
    result: pv.CarResult


@dataclass(frozen=True)
class Expire:
    now: float  # monotonic


CarEvent = Union[StatusReceived, CarAvailability, CommandRequested, CommandAnswered, Expire]


@dataclass(frozen=True)
class SendCarCommand:
    message: pv.CarCommand


@dataclass(frozen=True)
class Transition:
    panel: CarPanel
    effects: tuple[SendCarCommand, ...] = field(default_factory=tuple)


def _sampled(history: tuple[tuple[float, float], ...],
             st: pv.VehicleStatus) -> tuple[tuple[float, float], ...]:
    """The SOC plot's points with ``st`` in it: fixed points 15 simulated minutes apart over
    the last 12 hours, and a live newest point that follows the SOC in between; a jump back in
    time (a new cloud clock) starts the plot again."""
    point = (st.time, st.drivetrain.soc)
    if history and st.time < history[-1][0]:
        return (point,)
    if len(history) >= 2 and history[-1][0] - history[-2][0] < SOC_SAMPLE_SECONDS:
        history = history[:-1]  # the newest point was a live one: it moves
    cutoff = st.time - SOC_HISTORY_SECONDS
    if history and history[0][0] < cutoff:  # oldest first: only then is anything too old
        history = tuple(p for p in history if p[0] >= cutoff)
    return history + (point,)


def _with(panel: CarPanel, cmd: CommandState) -> CarPanel:
    kept = tuple(c for c in panel.commands if c.request_id != cmd.request_id)
    return replace(panel, commands=(kept + (cmd,))[-KEEP_COMMANDS:])


def step(panel: CarPanel, event: CarEvent) -> Transition:
    if isinstance(event, StatusReceived):
        if not pv.is_newer(event.status, panel.status):
            return Transition(panel)  # a late copy of something older
        return Transition(replace(panel, status=event.status,
                                  soc_history=_sampled(panel.soc_history, event.status)))
    if isinstance(event, CarAvailability):
        return Transition(replace(panel, car_online=event.online))
    if isinstance(event, CommandRequested):
        return _requested(panel, event)
    if isinstance(event, CommandAnswered):
        r = event.result
        mine = next((c for c in panel.commands if c.request_id == r.request_id), None)
        if mine is None or mine.status != "pending":
            return Transition(panel)
        done = replace(mine, status=r.status, data=r.data,
                       code=r.error.code if r.error else None,
                       message=r.error.message if r.error else None)
        return Transition(_with(panel, done))
    if isinstance(event, Expire):
        late = [c for c in panel.commands
                if c.status == "pending" and event.now - c.sent >= COMMAND_TIMEOUT]
        for c in late:
            panel = _with(panel, replace(c, status="error", code="timeout",
                                         message="The car did not answer in time."))
        return Transition(panel)
    raise TypeError(f"unknown event {event!r}")


def _requested(panel: CarPanel, e: CommandRequested) -> Transition:
    name = e.command.name
    service = pv.SERVICE_OF[name]
    cmd = CommandState(e.request_id, name, service, "pending", e.now)
    if not panel.has(service):
        refused = replace(cmd, status="error", code="service_unavailable",
                          message=f"The {panel.model} has no {pv.SERVICE_TITLES[service]} "
                                  "service.")
        return Transition(_with(panel, refused))
    message = pv.CarCommand(request_id=e.request_id, origin="headunit", command=e.command)
    return Transition(_with(panel, cmd), (SendCarCommand(message),))
