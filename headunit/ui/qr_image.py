"""A QR code drawn crisp: whole pixels per module, nearest-neighbour scaling, quiet zone.

The matrix comes from ``qrcode`` (error correction M, a 4-module quiet zone, as the QR
standard asks); it is uploaded as a tiny RGBA texture, one texel per module, and drawn
scaled by a whole number with ``mag_filter = 'nearest'``, so every module is a sharp square
a phone camera (or zxing-cpp, in the tests) reads from half a metre.
"""

from __future__ import annotations

import qrcode
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules


def qr_matrix(content: str) -> list[list[bool]]:
    """The modules of ``content``'s QR code, quiet zone included, top row first."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=1)
    code.add_data(content)
    code.make(fit=True)
    return code.get_matrix()


def qr_texture(matrix: list[list[bool]]) -> Texture:
    n = len(matrix)
    dark, light = b"\x00\x00\x00\xff", b"\xff\xff\xff\xff"
    # a texture's first row is the bottom one
    buf = b"".join(dark if cell else light for row in reversed(matrix) for cell in row)
    tex = Texture.create(size=(n, n), colorfmt="rgba")
    tex.blit_buffer(buf, colorfmt="rgba", bufferfmt="ubyte")
    tex.mag_filter = "nearest"
    tex.min_filter = "nearest"
    return tex


class QrImage(Widget):
    content = StringProperty("")
    rc_id = StringProperty("qr")
    modules = NumericProperty(0)     # modules per side, quiet zone included
    module_px = NumericProperty(0)   # pixels per module on screen

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._texture: Texture | None = None
        with self.canvas:
            self._color = Color(1, 1, 1, 0)
            self._rect = Rectangle()
        self.bind(content=self._remake, pos=self._place, size=self._place)

    def _remake(self, *_: object) -> None:
        if not self.content:
            self._texture, self.modules = None, 0
        else:
            matrix = qr_matrix(self.content)
            self._texture, self.modules = qr_texture(matrix), len(matrix)
        self._place()

    def _place(self, *_: object) -> None:
        if self._texture is None:
            self._color.a = 0
            self.module_px = 0
            return
        px = int(min(self.width, self.height) // self.modules)
        side = px * self.modules
        self.module_px = px
        self._color.a = 1 if px > 0 else 0
        self._rect.texture = self._texture
        self._rect.size = (side, side)
        self._rect.pos = (round(self.center_x - side / 2), round(self.center_y - side / 2))
