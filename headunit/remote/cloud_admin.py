"""A small client of the cloud's admin (and dealer) API for test rigs (stdlib only)::

    cloud = CloudAdmin("http://127.0.0.1:8080", admin_token)
    cloud.advance_time(72 * 3600)                  # the 72-hour rule falls due
    cloud.refuse_next("internal", scope="http", path="/api/v1/scans")
    cloud.reset_vehicle(vin)                        # nobody logged in, no binding

The clock and the refusals are the cloud's, so a rig asks the cloud for them directly rather
than through the head unit (which never holds the cloud's admin token). A refusal raises
:class:`CloudAdminError` with the cloud's error code and message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class CloudAdminError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


class CloudAdmin:
    def __init__(self, url: str, token: str | None, *, dealer_token: str | None = None,
                 timeout: float = 15.0) -> None:
        self.url, self.token, self.dealer_token = url.rstrip("/"), token, dealer_token
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, *,
             token: str | None = None) -> Any:
        token = token if token is not None else self.token
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            try:
                err = json.loads(exc.read()).get("error", {})
            except (ValueError, AttributeError):
                err = {}
            raise CloudAdminError(exc.code, err.get("code", "internal"),
                                  err.get("message", f"HTTP {exc.code}")) from None
        except urllib.error.URLError as exc:
            raise CloudAdminError(0, "offline", f"cannot reach the cloud at {self.url}: "
                                                f"{exc.reason}") from None
        return json.loads(raw) if raw else None

    # ------------------------------------------------------------ the clock

    def time(self) -> dict[str, Any]:
        return self.call("GET", "/api/v1/admin/time")

    def advance_time(self, seconds: float) -> dict[str, Any]:
        return self.call("POST", "/api/v1/admin/time/advance", {"seconds": seconds})

    # ------------------------------------------------------------ refusals

    def refuse_next(self, code: str, *, scope: str = "any", path: str | None = None,
                    request: str | None = None, count: int = 1,
                    status: int | None = None) -> dict[str, Any]:
        body = {"code": code, "scope": scope, "count": count}
        body.update({k: v for k, v in (("path", path), ("request", request),
                                       ("status", status)) if v is not None})
        return self.call("POST", "/api/v1/admin/faults/refuse-next", body)["armed"]

    def faults(self) -> dict[str, Any]:
        return self.call("GET", "/api/v1/admin/faults")

    def clear_faults(self) -> int:
        return self.call("DELETE", "/api/v1/admin/faults")["cleared"]

    def reset_limits(self) -> None:
        """Start the cloud's abuse limits (per account, per source) afresh."""
        self.call("POST", "/api/v1/admin/limits/reset")

    # ------------------------------------------------------------ cars

    def vehicle(self, vin: str) -> dict[str, Any]:
        """The cloud's session state of the car (user, binding, force_unbind, seq)."""
        return self.call("GET", f"/api/v1/admin/vehicles/{vin}")

    def reset_vehicle(self, vin: str) -> str:
        """Nobody logged in, no binding, no waiting scan; ``reset`` or ``clean``."""
        return self.call("POST", f"/api/v1/admin/vehicles/{vin}/reset")["result"]

    def mark_kiosk(self, vin: str, kiosk: bool = True) -> dict[str, Any]:
        return self.call("PUT", f"/api/v1/admin/vehicles/{vin}/kiosk", {"kiosk": kiosk})

    def dealer_unbind(self, vin: str, case: str, dealer: str = "MG dealer",
                      reason: str = "") -> dict[str, Any]:
        if not self.dealer_token:
            raise CloudAdminError(0, "not_authenticated", "a dealer unbind needs the cloud's "
                                  "dealer token (ismart-cloud serve --dealer-token)")
        return self.call("POST", f"/api/v1/dealer/vehicles/{vin}/unbind",
                         {"case": case, "dealer": dealer, "reason": reason},
                         token=self.dealer_token)
