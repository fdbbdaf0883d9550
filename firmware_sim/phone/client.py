"""An HTTP client of the cloud's phone API, with the session kept in a profile directory."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from headunit.fsutil import atomic_write


class PhoneError(Exception):
    """A refusal or failure, with the cloud's error code and a one-line reason."""

    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        self.code, self.message, self.details = code, message, details
        super().__init__(f"{code}: {message}")


class PhoneClient:
    def __init__(self, cloud: str, profile: Path, *, timeout: float = 15.0) -> None:
        self.cloud = cloud.rstrip("/")
        self.profile = Path(profile)
        self.http = httpx.Client(base_url=self.cloud, timeout=timeout)

    # -------------------------------------------------------------- session file

    @property
    def _session_file(self) -> Path:
        return self.profile / "session.json"

    def saved_session(self) -> dict | None:
        try:
            data = json.loads(self._session_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return data if data.get("cloud") == self.cloud else None

    def _token(self) -> str:
        s = self.saved_session()
        if not s:
            raise PhoneError("not_authenticated", f"not logged in to {self.cloud}; run "
                             "'ismart-phone login IDENTIFIER --password ...' first")
        return s["token"]

    # -------------------------------------------------------------- calls

    def call(self, method: str, path: str, *, body: Any = None, auth: bool = False,
             params: dict | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._token()}"} if auth else {}
        try:
            r = self.http.request(method, path, json=body, headers=headers, params=params)
        except httpx.HTTPError as exc:
            raise PhoneError("offline", f"cannot reach the cloud at {self.cloud}: {exc}") from None
        if r.status_code == 204:
            return None
        try:
            data = r.json()
        except ValueError:
            raise PhoneError("internal", f"the cloud answered {r.status_code} without JSON") from None
        if r.is_error:
            err = data.get("error", {}) if isinstance(data, dict) else {}
            raise PhoneError(err.get("code", "internal"), err.get("message", r.reason_phrase),
                             err.get("details"))
        return data

    def send_code(self, identifier: str) -> dict:
        return self.call("POST", "/api/v1/verification-codes", body={"identifier": identifier})

    def inbox(self, identifier: str) -> list[dict]:
        return self.call("GET", "/api/v1/outbox", params={"to": identifier})["messages"]

    def latest_code(self, identifier: str) -> str:
        for message in self.inbox(identifier):
            found = re.search(r"\b(\d{6})\b", message["body"])
            if found:
                return found.group(1)
        raise PhoneError("code_invalid", f"no verification code in the inbox of {identifier}")

    def register(self, identifier: str, password: str, display_name: str = "",
                 code: str | None = None) -> dict:
        if code is None:
            self.send_code(identifier)
            code = self.latest_code(identifier)
        return self.call("POST", "/api/v1/accounts", body={
            "identifier": identifier, "code": code, "password": password,
            "display_name": display_name})

    def login(self, identifier: str, password: str, accept_terms: bool = True) -> dict:
        data = self.call("POST", "/api/v1/sessions", body={
            "identifier": identifier, "password": password,
            "accept_user_agreement": accept_terms, "accept_privacy_policy": accept_terms})
        self.profile.mkdir(parents=True, exist_ok=True)
        atomic_write(self._session_file, json.dumps(
            {"cloud": self.cloud, "token": data["token"], "account": data["account"]}).encode(),
            mode=0o600)
        return data["account"]

    def logout(self) -> None:
        try:
            self.call("DELETE", "/api/v1/sessions/current", auth=True)
        finally:
            self._session_file.unlink(missing_ok=True)

    def scan(self, content: str) -> dict:
        return self.call("POST", "/api/v1/scans", body={"content": content}, auth=True)

    def confirm(self, scan_id: str) -> dict:
        return self.call("POST", f"/api/v1/scans/{scan_id}/confirm", auth=True)

    def cancel(self, scan_id: str) -> dict:
        return self.call("POST", f"/api/v1/scans/{scan_id}/cancel", auth=True)

    def vehicles(self) -> list[dict]:
        return self.call("GET", "/api/v1/vehicles", auth=True)["vehicles"]

    # -------------------------------------------------------------- ownership changes

    def account(self) -> dict:
        """The logged-in account as saved at login (identifier, name)."""
        s = self.saved_session()
        if not s:
            self._token()  # raises not_authenticated with the hint
        assert s is not None
        return s["account"]

    def send_unbind_code(self, vin: str) -> dict:
        return self.call("POST", f"/api/v1/vehicles/{vin}/unbind-code", auth=True)

    def unbind(self, vin: str, code: str) -> dict:
        return self.call("POST", f"/api/v1/vehicles/{vin}/unbind", body={"code": code},
                         auth=True)

    def force_unbind(self, vin: str, confirm_push: bool) -> dict:
        return self.call("POST", f"/api/v1/vehicles/{vin}/force-unbind",
                         body={"confirm_push": confirm_push}, auth=True)

    def force_requests(self) -> list[dict]:
        return self.call("GET", "/api/v1/force-unbind-requests", auth=True)["requests"]

    def answer(self, request_id: str, agree: bool) -> dict:
        return self.call("POST", f"/api/v1/force-unbind-requests/{request_id}/answer",
                         body={"answer": "agree" if agree else "reject"}, auth=True)

    def notifications(self, unread_only: bool = False) -> dict:
        return self.call("GET", "/api/v1/notifications", auth=True,
                         params={"unread": "true"} if unread_only else None)

    def mark_read(self, ids: list[int] | None = None) -> dict:
        return self.call("POST", "/api/v1/notifications/mark-read", body={"ids": ids},
                         auth=True)

    def support(self) -> dict:
        return self.call("GET", "/api/v1/support")

    def feedback(self, text: str, vin: str | None = None) -> dict:
        return self.call("POST", "/api/v1/feedback", body={"text": text, "vin": vin}, auth=True)


def decode_qr_image(path: Path) -> str:
    """The content of the QR code in a picture (a screenshot of the head unit works)."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(path)
        image.load()
    except (OSError, UnidentifiedImageError) as exc:
        raise PhoneError("bad_token", f"cannot read the picture {path}: {exc}") from None
    found = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    if not found:
        raise PhoneError("bad_token", f"no QR code found in {path}")
    return found[0]
