"""The web companion's words in English and Danish, and the choice between them.

The language comes from the ``ismart_lang`` cookie (the visible switch), else from the
browser's ``Accept-Language``, else English. Error codes are worded in
:mod:`headunit.protocol.errors` (English) and :mod:`headunit.protocol.errors_da` (Danish);
the few refusals only the web layer makes are worded here. Danish wording after MG's Danish
iSmart guide: *Log på*, *Registrer*, *Bind*, *Afbind*, *Bruger*, *tilknytning*.
"""

from __future__ import annotations

from headunit.protocol.errors_da import message_in

from .texts_services import TEXTS as SERVICE_TEXTS

LANGS = ("en", "da")
DEFAULT_LANG = "en"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "lang_name": "English",
        "skip": "Skip to content",
        "nav_car": "My car",
        "nav_bind": "Bind",
        "log_out": "Log out",
        "signed_in_as": "Logged in as {name}",
        "login_title": "Log in",
        "login_lead": "Log in with your iSmart account.",
        "identifier": "Phone or e-mail",
        "identifier_hint": "e.g. ann@example.com",
        "password": "Password",
        "accept_terms": "I accept the user agreement and the privacy policy",
        "login_button": "Log in",
        "no_account": "No account yet?",
        "register_link": "Register",
        "register_title": "Create an account",
        "register_lead": "Enter your phone or e-mail and tap Send: a 6-digit code arrives.",
        "send": "Send",
        "send_again": "Send a new code",
        "code": "Verification code",
        "code_hint": "6 digits",
        "new_password": "Choose a password",
        "password_hint": "At least 8 characters",
        "name": "Your name (the car shows it)",
        "register_button": "Register",
        "have_account": "Already have an account?",
        "code_sent_sms": "Code sent by SMS to {to}.",
        "code_sent_email": "Code sent by e-mail to {to}.",
        "sim_sms": "Simulated SMS",
        "sim_email": "Simulated e-mail",
        "sim_note": "Demo mode: on a real system this message arrives on your phone.",
        "registered": "Account created. Log in to continue.",
        "pending_scan": "You scanned a car's code. Log in or register: you come straight back "
                        "to it.",
        "q_login": "Log in to {model}, VIN ending …{suffix}?",
        "q_bind": "Bind this car to your account?",
        "car_line": "{model} · VIN …{suffix}",
        "step_login": "Step 1 of 2 · Log into the car",
        "step_bind": "Step 2 of 2 · Bind the car",
        "confirm": "Confirm",
        "cancel": "Cancel",
        "scan_wait": "The car shows “Confirm on your phone” until you answer.",
        "answer_within": "Answer within",
        "scan_timed_out": "Time is up. Scan the new code on the car's screen.",
        "done_logged_in": "You are logged into the car. Scan the code on the car's screen "
                          "again to bind it.",
        "done_bound": "The car is bound to your account.",
        "done_cancelled": "Cancelled. The car shows its code again.",
        "cars_title": "My car",
        "no_cars": "No car yet",
        "no_cars_hint": "Tap Bind, then scan the QR code on the car's User screen.",
        "badge_bound": "Bound",
        "badge_logged_in": "Logged into the car",
        "bound_since": "Bound since {date}",
        "not_bound_yet": "Not bound yet: scan the car's code again to bind it.",
        "bind_title": "Bind a car",
        "bind_step1": "On the car, open the main menu and tap User.",
        "bind_step2": "Point your phone's camera at the QR code on the car's screen and open "
                      "the link.",
        "bind_step3": "Scan twice: first to log into the car, then to bind it.",
        "paste_label": "Or paste the code's link",
        "open": "Open",
        "problem_title": "That did not work",
        "problem_qr_title": "This code cannot be used",
        "go_car": "Go to My car",
        "go_login": "Log in",
        "contact": "Contact us",
        "footer_note": "iSmart cloud simulator",
        "language": "Language",
        "vin": "VIN",
    },
    "da": {
        "lang_name": "Dansk",
        "skip": "Gå til indhold",
        "nav_car": "Min bil",
        "nav_bind": "Bind",
        "log_out": "Log ud",
        "signed_in_as": "Logget på som {name}",
        "login_title": "Log på",
        "login_lead": "Log på med din iSmart-konto.",
        "identifier": "Telefon eller e-mail",
        "identifier_hint": "fx ann@example.dk",
        "password": "Adgangskode",
        "accept_terms": "Jeg accepterer brugeraftalen og fortrolighedspolitikken",
        "login_button": "Log på",
        "no_account": "Ingen konto endnu?",
        "register_link": "Registrer",
        "register_title": "Opret konto",
        "register_lead": "Indtast telefon eller e-mail, og tryk Send: en 6-cifret kode kommer.",
        "send": "Send",
        "send_again": "Send en ny kode",
        "code": "Verifikationskode",
        "code_hint": "6 cifre",
        "new_password": "Vælg en adgangskode",
        "password_hint": "Mindst 8 tegn",
        "name": "Dit navn (vises i bilen)",
        "register_button": "Registrer",
        "have_account": "Har du allerede en konto?",
        "code_sent_sms": "Koden er sendt på SMS til {to}.",
        "code_sent_email": "Koden er sendt på e-mail til {to}.",
        "sim_sms": "Simuleret SMS",
        "sim_email": "Simuleret e-mail",
        "sim_note": "Demotilstand: på et rigtigt system kommer beskeden på din telefon.",
        "registered": "Kontoen er oprettet. Log på for at fortsætte.",
        "pending_scan": "Du har scannet en bils kode. Log på eller registrer dig: du kommer "
                        "direkte tilbage til den.",
        "q_login": "Log på {model}, VIN der slutter på …{suffix}?",
        "q_bind": "Bind denne bil til din konto?",
        "car_line": "{model} · VIN …{suffix}",
        "step_login": "Trin 1 af 2 · Log på bilen",
        "step_bind": "Trin 2 af 2 · Bind bilen",
        "confirm": "Bekræft",
        "cancel": "Annuller",
        "scan_wait": "Bilen viser “Bekræft på din telefon”, indtil du svarer.",
        "answer_within": "Svar inden for",
        "scan_timed_out": "Tiden er gået. Scan den nye kode på bilens skærm.",
        "done_logged_in": "Du er logget på bilen. Scan koden på bilens skærm igen for at binde "
                          "den.",
        "done_bound": "Bilen er nu tilknyttet din konto.",
        "done_cancelled": "Annulleret. Bilen viser sin kode igen.",
        "cars_title": "Min bil",
        "no_cars": "Ingen bil endnu",
        "no_cars_hint": "Tryk Bind, og scan QR-koden på bilens Bruger-skærm.",
        "badge_bound": "Tilknyttet",
        "badge_logged_in": "Logget på bilen",
        "bound_since": "Tilknyttet siden {date}",
        "not_bound_yet": "Ikke tilknyttet endnu: scan bilens kode igen for at binde den.",
        "bind_title": "Bind en bil",
        "bind_step1": "Gå til hovedmenuen i bilen, og tryk på Bruger / User.",
        "bind_step2": "Ret telefonens kamera mod QR-koden på bilens skærm, og åbn linket.",
        "bind_step3": "Scan to gange: første gang for at logge på bilen, anden gang for at "
                      "binde den.",
        "paste_label": "Eller indsæt kodens link",
        "open": "Åbn",
        "problem_title": "Det lykkedes ikke",
        "problem_qr_title": "Koden kan ikke bruges",
        "go_car": "Gå til Min bil",
        "go_login": "Log på",
        "contact": "Kontakt os",
        "footer_note": "iSmart cloud-simulator",
        "language": "Sprog",
        "vin": "VIN",
    },
}

# Refusals only the web layer makes (not wire codes).
WEB_ERRORS: dict[str, dict[str, str]] = {
    "en": {
        "csrf_failed": "This page has expired. Go back, reload the page and try again (this "
                       "site needs cookies).",
        "cross_site": "This form was sent from another site, so it was refused. Use the "
                      "iSmart pages directly.",
        "form_too_large": "The form is too large. Shorten what you typed and try again.",
        "form_invalid": "The form could not be read. Reload the page and try again.",
        # wire codes whose generic text names a command-line step: worded for the pages
        "confirmation_required": "Confirm that a push message goes to the previous user: tap "
                                 "Send the push message.",
        "not_bound_to_you": "This car is not bound to your account, so you cannot unbind it.",
        "vehicle_timeout": "The car did not answer in time. Try again: a command never runs "
                           "twice.",
    },
    "da": {
        "csrf_failed": "Siden er udløbet. Gå tilbage, genindlæs siden, og prøv igen (siden "
                       "kræver cookies).",
        "cross_site": "Formularen blev sendt fra et andet websted og blev afvist. Brug "
                      "iSmart-siderne direkte.",
        "form_too_large": "Formularen er for stor. Forkort det, du skrev, og prøv igen.",
        "form_invalid": "Formularen kunne ikke læses. Genindlæs siden, og prøv igen.",
        "confirmation_required": "Bekræft, at der sendes en push-besked til den tidligere "
                                 "bruger: tryk Send push-beskeden.",
        "not_bound_to_you": "Bilen er ikke tilknyttet din konto, så du kan ikke afbinde den.",
        "vehicle_timeout": "Bilen svarede ikke i tide. Prøv igen: en kommando udføres aldrig to "
                           "gange.",
    },
}

# the phase-2 pages' words (a bound car, unbind, force unbinding, notifications, feedback)
for _lang, _words in SERVICE_TEXTS.items():
    TEXTS[_lang].update(_words)


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The page language: the switch's cookie, else the browser's best match, else English."""
    if cookie in LANGS:
        return cookie  # type: ignore[return-value]
    best, best_q = DEFAULT_LANG, 0.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def text(lang: str, key: str, **params: object) -> str:
    words = TEXTS[lang].get(key) or TEXTS[DEFAULT_LANG][key]
    return words.format(**params) if params else words


def error_text(lang: str, code: str) -> str:
    """Plain words for an error code, in ``lang``."""
    web = WEB_ERRORS[lang].get(code)
    return web if web is not None else message_in(code, lang)
