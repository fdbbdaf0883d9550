"""The kiosk's attract screen: "Try iSmart in this MG", the login QR code to scan with the
app, and Tap to start. A kiosk returns here when nobody has touched it for a while (see
:mod:`headunit.ui.kiosk`, which also turns any touch here into the start of a visit)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from .. import qr_image  # noqa: F401  (QrImage, used in attract.kv)
from . import BaseScreen, register


class AttractScreen(BaseScreen):
    pass


register("attract", AttractScreen)
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
