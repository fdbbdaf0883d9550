"""QR codes as pixels, fast enough to rotate often on a Raspberry Pi.

Most of the time ``qrcode`` spends on a code goes into choosing the best of eight masks. The
head unit's codes all have the same length, so :class:`QrEncoder` chooses the mask once per QR
version (the first time it sees that version) and reuses it: a rotation then costs about a
sixth of a plain ``qrcode`` build. The pixels are one byte per module (0 dark, 255 light) with a
quiet zone, bottom row first as an OpenGL texture wants them; the screen scales the texture up
with nearest-neighbour filtering, so modules stay sharp at any size.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


@dataclass(frozen=True)
class QrPixels:
    content: str
    version: int
    modules: int          # modules per side, without the quiet zone
    side: int             # pixels per side, with the quiet zone
    luminance: bytes      # side * side bytes, bottom row first

    def dark(self, x: int, y: int) -> bool:
        """Whether the module at column ``x``, row ``y`` (from the top, quiet zone included)
        is dark."""
        return self.luminance[(self.side - 1 - y) * self.side + x] == 0


class QrEncoder:
    def __init__(self, error_correction: int = ERROR_CORRECT_M) -> None:
        self.error_correction = error_correction
        self._masks: dict[int, int] = {}

    def encode(self, content: str) -> QrPixels:
        q = qrcode.QRCode(error_correction=self.error_correction, border=0)
        q.add_data(content)
        version = q.best_fit()
        q.version = version
        mask = self._masks.get(version)
        if mask is None:
            mask = self._masks[version] = q.best_mask_pattern()
        q.makeImpl(False, mask)
        return self._pixels(content, version, q.modules)

    @staticmethod
    def _pixels(content: str, version: int, modules: list[list[bool | None]]) -> QrPixels:
        n = len(modules)
        side = n + 2 * QUIET_ZONE
        light = b"\xff" * side
        margin = b"\xff" * QUIET_ZONE
        rows = [light] * QUIET_ZONE
        for row in modules:
            rows.append(margin + bytes(0 if m else 255 for m in row) + margin)
        rows += [light] * QUIET_ZONE
        rows.reverse()  # OpenGL textures start at the bottom row
        return QrPixels(content, version, n, side, b"".join(rows))
