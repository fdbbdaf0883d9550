"""A QR code drawn crisp: whole pixels per module, nearest-neighbour scaling, quiet zone.

The pixels come from :class:`headunit.qrimage.QrEncoder` (error correction M, a 4-module quiet
zone as the QR standard asks, one byte per module): a tiny luminance texture, one texel per
module, drawn scaled by a whole number with ``mag_filter = 'nearest'``, so every module is a
sharp square a phone camera (or zxing-cpp, in the tests) reads from half a metre.
"""

from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from ..qrimage import QrEncoder, QrPixels

_encoder = QrEncoder()


def qr_texture(px: QrPixels) -> Texture:
    tex = Texture.create(size=(px.side, px.side), colorfmt="luminance")
    tex.blit_buffer(px.luminance, colorfmt="luminance", bufferfmt="ubyte")
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
            px = _encoder.encode(self.content)
            self._texture, self.modules = qr_texture(px), px.side
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
