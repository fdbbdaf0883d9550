"""The head unit's one string catalogue: every text on screen, in English and Danish.

No Kivy here: the catalogue is plain data, tested without a window. Danish follows the
words of MG's Danish iSmart guide (Bruger, Log på, Registrer, Afbind, Klimaanlæg, Køretøj
status, Notifikationer, ...).

- :func:`text` looks a key up (``text("home.user", "da") == "Bruger"``), filling ``{params}``.
- :func:`error_text` gives an error code of :mod:`headunit.protocol.errors` in a language:
  English comes from that module (the one source of the protocol's texts), Danish from
  :data:`ERRORS_DA`.
- :func:`notice_text` turns a notice code from the session (``View.notice``) into words.

To add a text: add one line to :data:`TEXTS` with both languages. To add an error or notice
code: add its English to ``errors.MESSAGES`` (or :data:`TEXTS` as ``notice.<code>``) and its
Danish to :data:`ERRORS_DA`; ``tests/test_i18n.py`` fails while a language is missing.
"""

from __future__ import annotations

from .protocol.errors import MESSAGES as ERRORS_EN

LANGUAGES = ("en", "da")
LANGUAGE_NAMES = {"en": "English", "da": "Dansk"}

# key: (English, Danish)
TEXTS: dict[str, tuple[str, str]] = {
    # ---- status bar and banners
    "app.title": ("iSmart", "iSmart"),
    "status.online": ("Cloud online", "Sky online"),
    "status.offline": ("Cloud offline", "Sky offline"),
    "banner.offline": ("No connection to the iSmart cloud. Reconnecting…",
                       "Ingen forbindelse til iSmart-skyen. Forbinder igen…"),
    "nav.back": ("Back", "Tilbage"),
    # ---- home: the main menu
    "home.navigation": ("Navigation", "Navigation"),
    "home.media": ("Media", "Medier"),
    "home.phone": ("Phone", "Telefon"),
    "home.vehicle": ("Vehicle", "Køretøj"),
    "home.apps": ("Apps", "Apps"),
    "home.settings": ("Settings", "Indstillinger"),
    "home.user": ("User", "Bruger"),
    "home.guest": ("Not logged in", "Ikke logget ind"),
    "home.not_here": ("{title} is not part of this emulator.",
                      "{title} er ikke en del af denne emulator."),
    # ---- user menu
    "user.title": ("User", "Bruger"),
    "qr.login.title": ("Log into the car", "Log ind i bilen"),
    "qr.login.hint": ("In the MG iSmart app, tap Bind and scan this code.",
                      "Tryk på Bind i MG iSmart appen, og scan denne kode."),
    "qr.bind.title": ("Bind the car to your app", "Tilknyt bilen til din app"),
    "qr.bind.hint": ("Scan this second code with the same app: the second scan binds the car "
                     "to your account.",
                     "Scan denne anden kode med samme app: anden scanning tilknytter bilen "
                     "til din konto."),
    "qr.countdown": ("New code in {seconds} s", "Ny kode om {seconds} s"),
    "qr.offline": ("Offline: this code cannot be confirmed until the connection is back.",
                   "Offline: koden kan ikke bekræftes, før forbindelsen er tilbage."),
    "qr.waiting": ("Waiting for the iSmart cloud…", "Venter på iSmart-skyen…"),
    "qr.password_login": ("Log in with account", "Log på med konto"),
    "scanned.title": ("Scanned — confirm on your phone", "Scannet — bekræft på din telefon"),
    "scanned.login": ("Confirm the login in the MG iSmart app.",
                      "Bekræft login i MG iSmart appen."),
    "scanned.bind": ("Confirm the binding in the MG iSmart app.",
                     "Bekræft tilknytningen i MG iSmart appen."),
    "scanned.waiting": ("Waiting for your phone: {seconds} s", "Venter på din telefon: {seconds} s"),
    "password.title": ("Log in with account", "Log på med konto"),
    "password.identifier": ("E-mail or phone", "E-mail eller telefon"),
    "password.password": ("Password", "Adgangskode"),
    "password.submit": ("Log in", "Log på"),
    "password.cancel": ("Cancel", "Annuller"),
    "password.busy": ("Logging in…", "Logger på…"),
    "logged_in.hello": ("Hello, {name}", "Hej, {name}"),
    "logged_in.status": ("You are logged into the car.", "Du er logget ind i bilen."),
    "bound.status": ("The car is bound to your iSmart account.",
                     "Bilen er tilknyttet din iSmart-konto."),
    "bound.unbind_hint": ("To remove the binding, use Unbind in the app.",
                          "Brug Afbind i appen for at fjerne tilknytningen."),
    "bound.model": ("Model", "Model"),
    "bound.vin": ("VIN", "Stelnummer (VIN)"),
    "user.logout": ("Log out", "Log ud"),
    # ---- services (the phone app's services, per model)
    "service.climate": ("Climate", "Klimaanlæg"),
    "service.ev": ("EV management", "EV Management"),
    "service.digital_key": ("Digital key", "Digital Key"),
    "service.find_my_car": ("Find my car", "Find my car"),
    "service.map_poi": ("Map & POI", "MAP og POI"),
    "service.vehicle_status": ("Vehicle status", "Køretøj status"),
    "service.notifications": ("Notifications", "Notifikationer"),
    "service.placeholder": ("{title} comes with the vehicle services.",
                            "{title} kommer med bilens tjenester."),
    # ---- settings
    "settings.title": ("Settings", "Indstillinger"),
    "settings.language": ("Language", "Sprog"),
    "settings.theme": ("Theme", "Tema"),
    "settings.day": ("Day", "Dag"),
    "settings.night": ("Night", "Nat"),
    "settings.cloud": ("iSmart cloud", "iSmart-sky"),
    "settings.cloud_unknown": ("not announced yet", "endnu ikke oplyst"),
    "settings.car": ("Car", "Bil"),
    # ---- keyboard
    "keyboard.space": ("space", "mellemrum"),
    # ---- notices from the session (View.notice)
    "notice.logged_out": ("You are logged out of the car.", "Du er logget ud af bilen."),
    "notice.logged_out_by_cloud": ("You were logged out of the car from the iSmart app.",
                                   "Du er blevet logget ud af bilen fra iSmart appen."),
    "notice.scan_expired": ("The scan was not confirmed in time. Scan the new code.",
                            "Scanningen blev ikke bekræftet i tide. Scan den nye kode."),
    "notice.scan_cancelled": ("The scan was cancelled on the phone.",
                              "Scanningen blev annulleret på telefonen."),
}

# Danish for every error code of headunit.protocol.errors.MESSAGES
ERRORS_DA: dict[str, str] = {
    "bad_token": "Dette er ikke en iSmart-kode fra en bil. Scan QR-koden på bilens Bruger-skærm.",
    "unknown_vehicle": "Bilen er ukendt for iSmart. Bed forhandleren om at registrere den.",
    "bad_signature": "Koden er ikke lavet af den bil, den nævner. Scan koden på bilens skærm.",
    "wrong_vehicle": "Koden nævner en anden bil end den, der lavede den. Scan koden på bilens skærm.",
    "expired_token": "Koden er udløbet. Scan den nye kode på bilens skærm.",
    "token_used": "Koden er allerede brugt. Scan den nye kode på bilens skærm.",
    "wrong_purpose": "Koden passer ikke til dette trin. Scan den kode, bilen viser nu.",
    "key_mismatch": "Bilen viser en anden nøgle end den registrerede. Bed forhandleren om at "
                    "registrere den igen.",
    "bound_to_other_user": "Bilen er tilknyttet en anden bruger. Den nuværende bruger skal "
                           "afbinde den først.",
    "not_car_user": "En anden konto er logget ind i bilen. Log først ind i bilen, og scan så "
                    "for at tilknytte.",
    "already_bound": "Bilen er allerede tilknyttet din konto.",
    "scan_not_found": "Scanningen er ukendt. Scan koden på bilens skærm igen.",
    "scan_expired": "Scanningen er udløbet. Scan den nye kode på bilens skærm.",
    "scan_closed": "Scanningen er allerede besvaret.",
    "invalid_identifier": "Indtast et telefonnummer (+ og cifre) eller en e-mailadresse.",
    "account_exists": "Der findes allerede en konto med dette telefonnummer eller denne e-mail. "
                      "Log på i stedet.",
    "code_invalid": "Verifikationskoden er forkert. Tjek beskeden, og prøv igen.",
    "code_expired": "Verifikationskoden er udløbet. Bed om en ny.",
    "code_locked": "For mange forkerte koder. Bed om en ny kode.",
    "code_too_soon": "Der blev sendt en kode for under et minut siden. Vent, før du beder igen.",
    "weak_password": "Vælg en adgangskode på mindst 8 tegn.",
    "terms_not_accepted": "Acceptér brugeraftalen og fortrolighedspolitikken for at logge på.",
    "invalid_credentials": "Kontoen eller adgangskoden er forkert.",
    "not_authenticated": "Du er ikke logget på. Log på først.",
    "rate_limited": "For mange forsøg. Prøv igen senere.",
    "invalid_request": "Forespørgslen er ikke gyldig.",
    "not_found": "Ikke fundet.",
    "offline": "iSmart-skyen kan ikke nås. Prøv igen, når forbindelsen er tilbage.",
    "timeout": "iSmart-skyen svarede ikke i tide. Prøv igen.",
    "internal": "Der gik noget galt i iSmart-skyen. Prøv igen.",
    # the head unit's own: a form submitted with an empty field
    "missing_credentials": "Indtast både konto og adgangskode.",
}

# head-unit error codes that are not on the wire (English; Danish is in ERRORS_DA)
LOCAL_ERRORS_EN: dict[str, str] = {
    "missing_credentials": "Enter both the account and the password.",
}


def _check_language(lang: str) -> int:
    try:
        return LANGUAGES.index(lang)
    except ValueError:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}") \
            from None


def catalogue(lang: str) -> dict[str, str]:
    """Every key of :data:`TEXTS` in ``lang`` (the screens bind to this dict)."""
    i = _check_language(lang)
    return {key: pair[i] for key, pair in TEXTS.items()}


def text(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``{params}`` filled in; KeyError if unknown."""
    s = TEXTS[key][_check_language(lang)]
    return s.format(**params) if params else s


def error_text(code: str, lang: str) -> str:
    """An error code in words; an unknown code reads as its words (``some_code`` → some code)."""
    _check_language(lang)
    if lang == "da" and code in ERRORS_DA:
        return ERRORS_DA[code]
    if code in ERRORS_EN:
        return ERRORS_EN[code]
    return LOCAL_ERRORS_EN.get(code, code.replace("_", " ").capitalize() + ".")


def is_notice(code: str) -> bool:
    """True for a notice that informs (logged out, ...), False for a refusal (an error code)."""
    return f"notice.{code}" in TEXTS


def notice_text(code: str, lang: str, params: dict[str, str] | None = None) -> str:
    """A notice code (``View.notice``) in words: a notice text, else an error text."""
    key = f"notice.{code}"
    if key in TEXTS:
        return text(key, lang, **(params or {}))
    return error_text(code, lang)
