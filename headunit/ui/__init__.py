"""The Kivy touchscreen of the head unit (the only package that imports Kivy).

Importing it sets Kivy's environment defaults before Kivy loads: Kivy must not parse the
program's command line (``KIVY_NO_ARGS``) and logs through Python's logging.
"""

from __future__ import annotations

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
