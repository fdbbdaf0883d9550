"""QR pixels: readable by a real decoder, and the same code whichever mask path built it."""

from __future__ import annotations

import zxingcpp
from PIL import Image

from headunit.qrimage import QUIET_ZONE, QrEncoder

URL = "http://192.168.100.200:8080/s/" + "AZgjo12FwIN7TFNKQTI0VTY2UFMxMjM0NTYBXDEhQnrU3H2mIyu" * 3


def decode(px) -> str:
    img = Image.frombytes("L", (px.side, px.side), px.luminance).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM).resize((px.side * 8, px.side * 8), Image.NEAREST)
    found = zxingcpp.read_barcodes(img)
    assert found, "no QR code found"
    return found[0].text


def test_pixels_decode_to_the_content_with_a_quiet_zone():
    px = QrEncoder().encode(URL)
    assert decode(px) == URL
    assert px.side == px.modules + 2 * QUIET_ZONE
    assert not any(px.dark(x, 0) for x in range(px.side))  # quiet zone
    assert px.dark(QUIET_ZONE, QUIET_ZONE)  # finder pattern corner


def test_the_cached_mask_still_gives_readable_codes_for_new_content():
    enc = QrEncoder()
    first = enc.encode(URL)
    second = enc.encode(URL.replace("A", "B"))
    assert first.version == second.version
    assert decode(second) == URL.replace("A", "B")
