"""The Kivy touchscreen of the head unit (the only package that imports Kivy).

Importing it sets Kivy's environment defaults before Kivy loads: Kivy must not parse the
program's command line (``KIVY_NO_ARGS``) and logs through Python's logging.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")


class _MissingMtdevInOneLine(logging.Filter):
    """Kivy imports its mtdev input on every Linux start and logs a traceback at ERROR when
    libmtdev is not installed, which reads like a crash. Only ``--touch mtdev`` needs it, so
    this says so in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Input: MTDev"):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = ("Input: no libmtdev here; only '--touch mtdev' needs it "
                          "(apt-get install libmtdev1)")
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


logging.getLogger("kivy").addFilter(_MissingMtdevInOneLine())
