"""The mobile web companion: the iSmart phone app's part, served by the cloud simulator.

A phone's camera opens the QR URL ``{public URL}/s/{token}``; these pages log the visitor
in (or register them), ask "Log in to <model>?" / "Bind this car?", and list their cars.
Server-rendered HTML (Jinja2) with a little optional JavaScript: no front-end framework, no
CDN, every asset served from here, every page usable with JavaScript off.

Mount it with ``app.include_router(web_router(service))``. Page modules:
:mod:`.pages_account` (log in, register, language, problems, static files) and
:mod:`.pages_car` (scans, My car, Bind); :mod:`.site` holds what they share and
:mod:`.security` the cookies and CSRF checks.

Adding a page: a module with ``add(router, site)`` whose handlers take ``v = await
site.visitor(request)``, read POSTs with ``await site.form(request)`` (CSRF checked), call
the service through ``await site.call(...)``, answer ``site.page(...)`` /
``site.redirect(...)`` / ``site.problem(...)``; words go into :mod:`.i18n` in both
languages. Register the module in :func:`web_router`.
"""

from __future__ import annotations

from fastapi import APIRouter

from ..service import CloudService
from . import pages_account, pages_car
from .site import Site


def web_router(service: CloudService) -> APIRouter:
    """The web companion's routes (HTML pages and static files) for ``service``."""
    site = Site(service)
    router = APIRouter(include_in_schema=False)
    pages_account.add(router, site)
    pages_car.add(router, site)
    return router
