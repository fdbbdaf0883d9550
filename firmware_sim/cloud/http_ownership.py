"""HTTP routes for ownership changes, notifications, contact and feedback, the dealer role
and the admin clock. Added to the app by :func:`add_routes` from :mod:`.http_api`.

Phones authenticate as in :mod:`.http_api`; dealer calls carry ``Authorization: Bearer
<dealer token>`` (``ismart-cloud serve --dealer-token``), admin calls the admin token.
"""

import hmac
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from headunit.protocol.errors import CloudError

from .accounts import Account
from .service import CloudService


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnbindRequest(Body):
    code: Annotated[str, Field(pattern=r"^\s*[0-9]{6}\s*$",
                               description="the 6-digit code sent by SMS or e-mail")]


class ForceUnbindRequest(Body):
    confirm_push: bool = Field(False, description="the user confirmed that a push message "
                                                  "goes to the previous user")


class AnswerRequest(Body):
    answer: Literal["agree", "reject"]


class MarkReadRequest(Body):
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        None, max_length=1000, description="the notifications to mark read; all when absent")


class FeedbackRequest(Body):
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    vin: Annotated[str | None, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")] = None


class DealerUnbindRequest(Body):
    case: Annotated[str, Field(min_length=1, max_length=64, examples=["MG-2024-0042"],
                               description="the dealer's case number: why the car is unbound")]
    dealer: Annotated[str, Field(min_length=1, max_length=64)] = "MG dealer"
    reason: Annotated[str, Field(max_length=500)] = ""


class AdvanceRequest(Body):
    seconds: Annotated[float, Field(gt=0, le=10 * 365 * 86400,
                                    description="simulated seconds to jump forward")]


class ScaleRequest(Body):
    scale: Annotated[float, Field(gt=0, le=1_000_000)]


Vin = Annotated[str, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")]
RequestId = Annotated[str, Field(pattern=r"^[a-f0-9]{16}$")]


def add_routes(app: FastAPI, service: CloudService, *, phone: Callable[..., Account],
               bearer: Callable[..., str], admin: Callable[..., None],
               dealer_token: str | None, admin_token: str | None) -> None:
    own = service.ownership
    Phone = Annotated[Account, Depends(phone)]

    def dealer(token: Annotated[str, Depends(bearer)]) -> None:
        if not dealer_token:
            raise CloudError("not_authenticated", "Dealer calls are off: start the cloud with "
                             "--dealer-token to use them.", status=403)
        if not hmac.compare_digest(token, dealer_token):
            raise CloudError("not_authenticated", "Wrong dealer token.", status=403)

    def dealer_or_admin(token: Annotated[str, Depends(bearer)]) -> None:
        for known in (dealer_token, admin_token):
            if known and hmac.compare_digest(token, known):
                return
        raise CloudError("not_authenticated", "The audit log needs the dealer or admin token.",
                         status=403)

    # ---------------------------------------------------------------- unbind (phone)

    @app.post("/api/v1/vehicles/{vin}/unbind-code", status_code=202, tags=["ownership"])
    def unbind_code(vin: Vin, account: Phone) -> dict:
        """Send a 6-digit code (SMS or e-mail) that confirms unbinding the car. 5 minutes,
        single use, 5 wrong tries, at most one a minute."""
        return own.request_unbind_code(account, vin)

    @app.post("/api/v1/vehicles/{vin}/unbind", tags=["ownership"])
    def unbind(vin: Vin, body: UnbindRequest, account: Phone) -> dict:
        """Unbind the car from this account with the code; the car shows the login QR."""
        return own.unbind(account, vin, body.code.strip())

    # ---------------------------------------------------------------- force unbinding

    @app.post("/api/v1/vehicles/{vin}/force-unbind", status_code=201, tags=["ownership"])
    def force_unbind(vin: Vin, body: ForceUnbindRequest, account: Phone) -> dict:
        """Ask the previous user to agree to unbinding the car (after a refused scan of it).
        With no answer the car is unbound 72 hours later."""
        return own.request_force_unbind(account, vin, body.confirm_push)

    @app.get("/api/v1/force-unbind-requests", tags=["ownership"])
    def force_requests(account: Phone) -> dict:
        return {"requests": own.force_requests(account)}

    @app.post("/api/v1/force-unbind-requests/{request_id}/answer", tags=["ownership"])
    def answer(request_id: RequestId, body: AnswerRequest, account: Phone) -> dict:
        """The previous user answers: agree (unbound at once) or reject (a dealer must do it)."""
        return own.answer_force_unbind(account, request_id, body.answer == "agree")

    # ---------------------------------------------------------------- notifications

    @app.get("/api/v1/notifications", tags=["notifications"])
    def notifications(account: Phone, unread: bool = False) -> dict:
        """The account's push messages, newest first, with the unread count."""
        return own.notifications(account, unread_only=unread)

    @app.post("/api/v1/notifications/mark-read", tags=["notifications"])
    def mark_read(body: MarkReadRequest, account: Phone) -> dict:
        return own.mark_read(account, body.ids)

    # ---------------------------------------------------------------- contact and feedback

    @app.get("/api/v1/support", tags=["support"])
    def support() -> dict:
        """Contact us: the support address and a mailto: link."""
        return own.support()

    @app.post("/api/v1/feedback", status_code=201, tags=["support"])
    def feedback(body: FeedbackRequest, account: Phone) -> dict:
        return own.feedback(account, body.text, body.vin)

    @app.get("/api/v1/admin/feedback", tags=["admin"], dependencies=[Depends(admin)])
    def feedback_list() -> dict:
        return {"feedback": own.feedback_list()}

    # ---------------------------------------------------------------- dealer

    @app.post("/api/v1/dealer/vehicles/{vin}/unbind", tags=["dealer"],
              dependencies=[Depends(dealer)])
    def dealer_unbind(vin: Vin, body: DealerUnbindRequest) -> dict:
        """Unbind a car whose ownership the dealer has checked; written to the audit log."""
        return own.dealer_unbind(vin, body.case, body.dealer, body.reason)

    @app.get("/api/v1/dealer/audit", tags=["dealer"], dependencies=[Depends(dealer_or_admin)])
    def audit(vin: Annotated[str | None, Query(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")] = None
              ) -> dict:
        """Ownership changes (who, when, why), newest first."""
        return {"entries": own.audit_log(vin)}

    # ---------------------------------------------------------------- the clock (admin)

    @app.get("/api/v1/admin/time", tags=["admin"], dependencies=[Depends(admin)])
    def time_info() -> dict:
        return own.time_info()

    @app.post("/api/v1/admin/time/advance", tags=["admin"], dependencies=[Depends(admin)])
    def advance(body: AdvanceRequest) -> dict:
        """Jump the simulated clock forward; what fell due (the 72-hour rule) completes."""
        return own.advance_time(body.seconds)

    @app.post("/api/v1/admin/time/scale", tags=["admin"], dependencies=[Depends(admin)])
    def scale(body: ScaleRequest) -> dict:
        return own.set_scale(body.scale)
