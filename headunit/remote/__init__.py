"""The head unit's remote-control interface for test rigs: JSON-RPC 2.0 over HTTP.

Off by default; ``ismart-headunit --remote-control HOST:PORT --remote-token TOKEN`` turns it
on. :mod:`.server` is the HTTP side (no Kivy), :mod:`headunit.ui.remote_control` the
methods (run on the Kivy thread), :mod:`.client` a small Python client. See
``docs/remote-control.md``.
"""
