"""Error codes shared by the cloud, the head unit and the phone, with plain-English texts.

A code travels on the wire (MQTT responses and notices, HTTP error bodies); each side shows
the text in its own language. The texts say what was wrong and what to do.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # QR tokens
    "bad_token": "This is not an iSmart car code. Scan the QR code on the car's User screen.",
    "unknown_vehicle": "This car is not known to iSmart. Ask the dealer to register it.",
    "bad_signature": "This code was not made by the car it names. Scan the code on the car's screen.",
    "wrong_vehicle": "This code names another car than the one that made it. Scan the code on the car's screen.",
    "expired_token": "This code has expired. Scan the new code on the car's screen.",
    "token_used": "This code was already used. Scan the new code on the car's screen.",
    "wrong_purpose": "This code is not for this step. Scan the code the car shows now.",
    "key_in_use": "This key is already registered to another car. Each car needs its own key.",
    "key_mismatch": "This car presents another key than the one registered. Ask the dealer to re-register it.",
    # Ownership rules
    "bound_to_other_user": "This car is bound to another user. The current user must unbind it first.",
    "not_car_user": "Another account is logged into this car. Log in to the car first, then scan to bind.",
    "already_bound": "This car is already bound to your account.",
    # Scans
    "scan_not_found": "That scan is unknown. Scan the code on the car's screen again.",
    "scan_expired": "That scan has expired. Scan the new code on the car's screen.",
    "scan_closed": "That scan was already answered.",
    # Accounts
    "invalid_identifier": "Enter a phone number (+ and digits) or an e-mail address.",
    "account_exists": "An account with this phone number or e-mail already exists. Log in instead.",
    "code_invalid": "The verification code is wrong. Check the message and try again.",
    "code_expired": "The verification code has expired. Ask for a new one.",
    "code_locked": "Too many wrong codes. Ask for a new code.",
    "code_too_soon": "A code was sent less than a minute ago. Wait before asking again.",
    "weak_password": "Choose a password of at least 8 characters.",
    "terms_not_accepted": "Accept the user agreement and the privacy policy to log in.",
    "invalid_credentials": "The account or the password is wrong.",
    "not_authenticated": "You are not logged in. Log in first.",
    "rate_limited": "Too many attempts. Try again later.",
    # The car and its services (issue 5)
    "not_bound": "Only the account bound to this car can do that. Bind the car to your account first.",
    "service_unavailable": "This car model does not have that service.",
    "unknown_model": "This car's model is not in the model list, so its services are unknown.",
    "vehicle_offline": "The car cannot be reached. Try again when it is online.",
    "vehicle_timeout": "The car did not answer in time. Try again with the same request id: it never runs twice.",
    "request_id_reused": "This request id was already used for another command. Use a new request id.",
    "invalid_command": "The command is not valid.",
    "door_open": "A door is open: cannot lock. Close every door, the boot and the bonnet, then lock.",
    "cable_not_connected": "The charging cable is not connected. Plug it in, then start charging.",
    "already_at_target": "The battery is already at the charge target. Raise the target to charge more.",
    "not_charging": "The car is not charging.",
    "battery_low": "The battery is too low for that. Charge the car first.",
    "car_moving": "The car is being driven. Try again when it is parked.",
    # Ownership changes: unbind, force unbinding, dealer unbind (issue 4)
    "car_not_bound": "This car is not bound to any account. Log in to the car and scan its "
                     "code again to bind it.",
    "not_bound_to_you": "This car is not bound to your account, so you cannot unbind it. "
                        "Check the VIN with 'vehicles'.",
    "confirmation_required": "Confirm that a push message goes to the previous user "
                             "(ismart-phone force-unbind VIN --yes).",
    "force_unbind_needs_scan": "Scan the QR code on the car's screen first: force unbinding is "
                               "offered to a phone that has just scanned the car (10 minutes).",
    "force_unbind_pending": "A force unbind request for this car is already waiting for the "
                            "previous user's answer. Wait for it to finish (at most 72 hours).",
    "force_unbind_rejected": "The previous user rejected the unbind. Prove that you own the car "
                             "at an MG dealer, who can unbind it.",
    "force_unbind_not_found": "There is no such force unbind request for your account. "
                              "See your notifications.",
    "force_unbind_closed": "This force unbind request is already closed (answered or "
                           "completed). See your notifications.",
    # Notices (head unit) and notifications (phone) about ownership changes
    "binding_removed": "The car's binding was removed. Scan the code on the car's screen to "
                       "log in and bind it again.",
    "force_unbind_requested": "Bound to another user: force unbinding requested. Waiting for "
                              "the previous owner to agree (at most 72 hours).",
    "force_unbind_request": "Someone asked to unbind your car from your account. Agree or "
                            "Reject; with no answer the car is unbound after 72 hours.",
    "force_unbind_sent": "Unbind request sent to the previous user. You are told when they "
                         "answer; with no answer the car is unbound after 72 hours.",
    "unbind_completed": "The unbind is complete: the car has no bound user. Scan the code on "
                        "the car's screen to log in and bind it.",
    # Kiosk cars (issue 7)
    "not_kiosk_car": "This car is not a kiosk (demo) car, so it cannot be reset for the next "
                     "visitor. Mark it as one: ismart-cloud serve --kiosk-vin VIN.",
    "kiosk_reset": "The demo car was reset for the next visitor: it is no longer bound to your "
                   "account, and nobody is logged into it.",
    # Faults
    "storage_unavailable": "The cloud cannot write its data (disk full or read-only). Nothing was changed; try again later.",
    # Generic
    "invalid_request": "The request is not valid.",
    "not_found": "Not found.",
    "offline": "The cloud cannot be reached. Try again when the connection is back.",
    "timeout": "The cloud did not answer in time. Try again.",
    "internal": "Something went wrong in the cloud. Try again.",
}


def message_for(code: str) -> str:
    return MESSAGES.get(code, code.replace("_", " "))


class CloudError(Exception):
    """A refusal the user can act on: a code from :data:`MESSAGES` and its text."""

    def __init__(self, code: str, message: str | None = None, *, status: int = 400,
                 retry_after: float | None = None,
                 details: dict[str, str] | None = None) -> None:
        self.code = code
        self.message = message or message_for(code)
        self.status = status
        self.retry_after = retry_after
        self.details = details  # e.g. {"vin": ..., "force_unbind": "available"}
        super().__init__(f"{code}: {self.message}")
