"""Benchmark 3: the cost of one QR rotation (sign a token + build the QR + make the texture),
median, beside plain ``qrcode`` and ``segno`` building the same content.

Needs a display for the Kivy texture (``make bench`` runs it under Xvfb).
"""

from __future__ import annotations

import os
import statistics
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from headunit.clock import ManualClock
from headunit.qr import QrRotator
from headunit.qrimage import QrEncoder

from .common import save

URL = "http://192.168.100.200:8080"
VIN = "LSJA24U66PS000001"


def median_ms(fn, n: int = 300) -> float:  # noqa: ANN001
    for _ in range(10):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> dict:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    import qrcode
    import segno
    from kivy.core.window import Window  # noqa: F401  (a GL context for textures)
    from kivy.graphics.texture import Texture

    clock = ManualClock()
    rotator = QrRotator(Ed25519PrivateKey.generate(), VIN, clock, lambda: URL)
    encoder = QrEncoder()
    content = rotator.current("login").content

    def rotation() -> None:
        rotator.invalidate()
        qr = rotator.current("login")
        px = encoder.encode(qr.content)
        tex = Texture.create(size=(px.side, px.side), colorfmt="luminance")
        tex.mag_filter = "nearest"
        tex.blit_buffer(px.luminance, colorfmt="luminance", bufferfmt="ubyte")

    def plain_qrcode() -> None:
        q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        q.add_data(content)
        q.make(fit=True)
        q.get_matrix()

    def plain_segno() -> None:
        _ = segno.make_qr(content, error="m", boost_error=False).matrix

    ours, base_qrcode, base_segno = median_ms(rotation), median_ms(plain_qrcode), \
        median_ms(plain_segno)
    result = {"rotation_ms": ours, "qrcode_ms": base_qrcode, "segno_ms": base_segno,
              "ratio_to_qrcode": ours / base_qrcode,
              "targets": {"at_most_half_of_qrcode": ours <= base_qrcode / 2}}
    save("qr_rotation", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
