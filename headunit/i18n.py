"""The head unit's one string catalogue: every text on screen, in English and Danish.

No Kivy here: the catalogue is plain data, tested without a window. Danish follows the
words of MG's Danish iSmart guide (Bruger, Log på, Registrer, Afbind, Klimaanlæg, Køretøj
status, Notifikationer, ...).

- :func:`text` looks a key up (``text("home.user", "da") == "Bruger"``), filling ``{params}``.
- :func:`error_text` gives an error code of :mod:`headunit.protocol.errors` in a language:
  English and Danish come from the protocol package (``errors.py``, ``errors_da.py``: the one
  source of those texts, shared with the web companion); the head unit's own codes are in
  :data:`LOCAL_ERRORS`.
- :func:`notice_text` turns a notice code from the session (``View.notice``) into words.

To add a text: add one line to :data:`TEXTS` with both languages. To add an error or notice
code: add it to ``errors.MESSAGES`` and ``errors_da.MESSAGES_DA`` (a refusal, shown as an
error), or to :data:`TEXTS` as ``notice.<code>`` (information); ``tests/test_i18n.py`` fails
while a language is missing.
"""

from __future__ import annotations

from .i18n_car import CAR_TEXTS
from .i18n_kiosk import KIOSK_TEXTS
from .protocol.errors import MESSAGES as ERRORS_EN
from .protocol.errors_da import MESSAGES_DA as ERRORS_DA

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
    "force_unbind.pending": ("Bound to another user: force unbinding requested. Waiting for the "
                             "previous owner to agree, at most until {deadline}.",
                             "Tilknyttet en anden bruger: afbinding (force unbinding) er "
                             "anmodet. Venter på den tidligere ejers svar, højst til {deadline}."),
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

# the car's screens (issue 5): their own module, one catalogue
# screens with catalogues of their own: the car's (issue 5), the kiosk's attract screen, PIN
# pad and admin menu (issue 7); still one catalogue, and no key may be defined twice
for _part in (CAR_TEXTS, KIOSK_TEXTS):
    _clash = set(TEXTS) & set(_part)
    assert not _clash, f"text keys defined twice: {sorted(_clash)}"
    TEXTS.update(_part)

# the head unit's own error codes, never on the wire (a form submitted with an empty field)
LOCAL_ERRORS: dict[str, tuple[str, str]] = {
    "missing_credentials": ("Enter both the account and the password.",
                            "Indtast både konto og adgangskode."),
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
    """An error code in words; an unknown code reads as its words (``some_code`` → Some code.)."""
    i = _check_language(lang)
    if code in LOCAL_ERRORS:
        return LOCAL_ERRORS[code][i]
    if lang == "da" and code in ERRORS_DA:
        return ERRORS_DA[code]
    if code in ERRORS_EN:
        return ERRORS_EN[code]
    return code.replace("_", " ").capitalize() + "."


# notices whose text lives with the errors (shared with the phone) but that inform
INFO_CODES = frozenset({"binding_removed", "unbind_completed", "force_unbind_requested",
                        "force_unbind_sent"})


def is_notice(code: str) -> bool:
    """True for a notice that informs (logged out, ...), False for a refusal (an error code)."""
    return f"notice.{code}" in TEXTS or code in INFO_CODES


def notice_text(code: str, lang: str, params: dict[str, str] | None = None) -> str:
    """A notice code (``View.notice``) in words: a notice text, else an error text."""
    key = f"notice.{code}"
    if key in TEXTS:
        return text(key, lang, **(params or {}))
    return error_text(code, lang)
