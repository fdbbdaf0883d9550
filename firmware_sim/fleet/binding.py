"""Binds each car of the fleet to an account of its own, as a phone would: through the
cloud's HTTP API (verification code from the demo inbox, register, log in, scan the head
unit's login QR and confirm, scan its bind QR and confirm).

A few threads share one HTTP connection pool; each waits on its car's head unit for the next
screen. The account id each car is bound to is kept in its data directory: a fleet started
again on it against the same cloud finds its cars bound and leaves them as they are (only
the account id tells this cloud's binding from a stale retained one of an earlier cloud). The cloud must run in demo mode (the simulated SMS inbox) and
trust this machine's address (``ismart-cloud serve --trust-source 127.0.0.1``), or its abuse
limits stop the registrations after a few.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from headunit.controller import View

from .car import FleetCar, identifier_of, name_of

log = logging.getLogger(__name__)

PASSWORD = "fleet car password"
RETRIES = 6
# refusals that another try fixes: the code on screen rotated, the cloud has not met the
# car yet (its hello is on the way), the head unit is still showing the previous step
AGAIN = {"expired_token", "token_used", "unknown_vehicle", "bad_signature", "scan_in_progress",
         "scan_not_found", "scan_expired", "wrong_purpose"}


KEPT_WAIT = 15.0  # seconds for the head unit to confirm a binding kept from an earlier run
KEPT_FILE = "fleet-account.json"


class BindError(Exception):
    """Binding a car failed; the text says which car and why."""


class Binder:
    def __init__(self, cloud: str, workers: int = 8, timeout: float = 60.0) -> None:
        self.cloud = cloud.rstrip("/")
        self.timeout = timeout
        self.http = httpx.Client(base_url=self.cloud, timeout=30.0,
                                 limits=httpx.Limits(max_connections=workers,
                                                     max_keepalive_connections=workers))
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="fleet-bind")
        self._closing = threading.Event()

    def close(self) -> None:
        self._closing.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.http.close()

    def submit(self, car: FleetCar) -> Future[None]:
        return self._pool.submit(self.bind, car)

    # -------------------------------------------------------------- HTTP

    def _call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            r = self.http.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            raise BindError(f"cannot reach the cloud at {self.cloud}: {exc}") from None
        data = r.json() if r.content else {}
        if r.is_error:
            err = data.get("error", {}) if isinstance(data, dict) else {}
            raise Refused(err.get("code", str(r.status_code)), err.get("message", r.text))
        return data

    def _account(self, car: FleetCar) -> tuple[str, str]:
        """Register the car's account (unless it exists) and log in: the session token and
        the account id."""
        ident = identifier_of(car.vin)
        try:
            self._call("POST", "/api/v1/verification-codes", json={"identifier": ident})
        except Refused as exc:
            if exc.code == "rate_limited":
                raise BindError("the cloud limits registrations from this address; start it "
                                "with 'ismart-cloud serve --trust-source 127.0.0.1' (the "
                                "fleet's address) for a load test") from None
            if exc.code != "account_exists":
                raise
        else:
            inbox = self._call("GET", "/api/v1/outbox", params={"to": ident})["messages"]
            codes = [m.group(1) for msg in inbox
                     if (m := re.search(r"\b(\d{6})\b", msg["body"]))]
            if not codes:
                raise BindError(f"{car.vin}: no verification code in the inbox of {ident}; "
                                "run the cloud with --demo")
            self._call("POST", "/api/v1/accounts", json={
                "identifier": ident, "code": codes[0], "password": PASSWORD,
                "display_name": name_of(car.index)})
        data = self._call("POST", "/api/v1/sessions", json={
            "identifier": ident, "password": PASSWORD, "accept_user_agreement": True,
            "accept_privacy_policy": True})
        return data["token"], data["account"]["account_id"]

    # -------------------------------------------------------------- kept accounts

    def _kept(self, car: FleetCar) -> str | None:
        """The account id this car was bound to by an earlier run on this cloud, if any."""
        try:
            data = json.loads((car.data_dir / KEPT_FILE).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("cloud") != self.cloud:
            return None
        account = data.get("account_id")
        return account if isinstance(account, str) else None

    def _keep(self, car: FleetCar, account_id: str) -> None:
        try:
            (car.data_dir / KEPT_FILE).write_text(json.dumps(
                {"cloud": self.cloud, "account_id": account_id,
                 "identifier": identifier_of(car.vin)}))
        except OSError as exc:  # only a later run is slower for it
            log.warning("%s: cannot keep its account id: %s", car.vin, exc)

    # -------------------------------------------------------------- the flow

    def bind(self, car: FleetCar) -> None:
        """Bind ``car`` to its own account; BindError says why not."""
        try:
            self._bind(car)
        except Refused as exc:
            raise BindError(f"{car.vin}: the cloud refused: {exc.code}: {exc.message}") from None

    def _bind(self, car: FleetCar) -> None:
        # only the account id tells this cloud's binding from a stale one (a retained
        # session of an earlier cloud): the one kept from an earlier run, else log in
        kept = self._kept(car)
        if kept is not None:
            car.adopt_account(kept)
            try:
                car.wait(lambda v: v.online and v.state == "bound" and v.binding is not None
                         and v.binding.account_id == kept, KEPT_WAIT, self._closing)
                return
            except TimeoutError:
                log.info("%s: not bound to its account any more; binding it again", car.vin)
        token, account_id = self._account(car)
        car.adopt_account(account_id)
        self._keep(car, account_id)

        def mine(v: View) -> bool:
            return v.state == "bound" and v.binding is not None \
                and v.binding.account_id == account_id

        def ready(v: View) -> bool:  # a QR code to scan, the cloud online
            return mine(v) or (v.online and v.qr is not None
                               and v.state in ("no_user", "logged_in"))

        for _ in range(RETRIES * 2):
            view = car.wait(ready, self.timeout, self._closing)
            if mine(view):
                return
            assert view.qr is not None
            purpose = view.qr.purpose
            try:
                scan = self._call("POST", "/api/v1/scans", token, json={
                    "content": view.qr.content})
                self._call("POST", f"/api/v1/scans/{scan['scan_id']}/confirm", token)
            except Refused as exc:
                if exc.code == "already_bound":  # it is, to this account: the screen follows
                    car.wait(mine, self.timeout, self._closing)
                    return
                if exc.code not in AGAIN:
                    raise
                log.info("%s: %s; trying again", car.vin, exc.code)
                time.sleep(0.2)
                continue
            # the head unit moves on: logged in (bind QR next) after the login scan
            nxt = "bound" if purpose == "bind" else "logged_in"
            car.wait(lambda v, nxt=nxt: v.state in (nxt, "bound"), self.timeout, self._closing)
        view = car.wait(lambda v: True, 0)
        if not mine(view):
            raise BindError(f"{car.vin}: not bound after {RETRIES * 2} scans "
                            f"(the head unit shows {view.state})")


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message

