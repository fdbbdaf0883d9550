"""An empty Kivy window with the head unit's window settings: the baseline of benchmark 4.

Prints ``{"event": "ready"}`` once the first frame is drawn, then idles until SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def main() -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.widget import Widget

    from headunit.ui.app import configure

    configure((int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (800, 480), False)

    class Empty(App):
        def build(self) -> Widget:
            Clock.schedule_once(lambda _dt: print(json.dumps({"event": "ready"}), flush=True), 0.5)
            return Widget()

    app = Empty()
    signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
