"""The mobile web companion: the iSmart phone app's part, served by the cloud simulator.

A phone's camera opens the QR URL ``{public URL}/s/{token}``; these pages log the visitor
in (or register them), ask "Log in to <model>?" / "Bind this car?", and list their cars.
Server-rendered HTML (Jinja2) with a little optional JavaScript: no front-end framework, no
CDN, every asset served from here, every page usable with JavaScript off.

Mount it with ``app.include_router(web_router(service, relay=..., desk=...))``. Page modules:
:mod:`.pages_account` (log in, register, language, problems, static files),
:mod:`.pages_car` (scans, My car, Bind), :mod:`.pages_vehicle` (a bound car's page: status
and services, through the relay and command desk) and :mod:`.pages_ownership` (unbind with
the code, force unbinding with Agree / Reject, notifications, feedback); :mod:`.site` holds
what they share, :mod:`.security` the cookies and CSRF checks, :mod:`.words` the refusals
and messages in plain words. Live parts (``data-live-src`` / ``data-live-part``) are
redrawn by app.js from a ``.../live?v=`` route that answers 204 while nothing changed.

Adding a page: a module with ``add(router, site)`` whose handlers take ``v = await
site.visitor(request)``, read POSTs with ``await site.form(request)`` (CSRF checked), call
the service through ``await site.call(...)``, answer ``site.page(...)`` /
``site.redirect(...)`` / ``site.problem(...)``; words go into :mod:`.i18n` in both
languages. Register the module in :func:`web_router`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from ..service import CloudService
from . import pages_account, pages_car, pages_ownership, pages_vehicle
from .site import Site

if TYPE_CHECKING:
    from ..car_commands import CommandDesk
    from ..vehicles import VehicleRelay


def web_router(service: CloudService, *, relay: VehicleRelay | None = None,
               desk: CommandDesk | None = None) -> APIRouter:
    """The web companion's routes (HTML pages and static files) for ``service``; with
    ``relay`` and ``desk`` (a cloud on MQTT) also the car's status and services."""
    site = Site(service, relay, desk)
    router = APIRouter(include_in_schema=False)
    pages_account.add(router, site)
    pages_car.add(router, site)
    pages_vehicle.add(router, site)
    pages_ownership.add(router, site)
    return router
