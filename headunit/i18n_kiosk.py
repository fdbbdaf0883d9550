"""The kiosk's texts (attract screen, PIN pad, admin menu), merged into :data:`headunit.i18n.TEXTS`.

Kept apart so the kiosk's strings live beside each other; the same rules hold as for every
text: ``key: (English, Danish)``, checked by ``tests/test_i18n.py``.
"""

from __future__ import annotations

KIOSK_TEXTS: dict[str, tuple[str, str]] = {
    # ---- attract screen
    "attract.title": ("Try iSmart in this MG", "Prøv iSmart i denne MG"),
    "attract.scan": ("Scan the code with the MG iSmart app to log into the car.",
                     "Scan koden med MG iSmart appen for at logge ind i bilen."),
    "attract.start": ("Tap to start", "Tryk for at starte"),
    "attract.fresh": ("Every visitor starts fresh: your account is logged out and unbound "
                      "when you leave.",
                      "Alle besøgende starter forfra: din konto logges ud og afbindes, når "
                      "du går."),
    # ---- admin PIN pad and menu
    "pin.title": ("Admin PIN", "Admin-PIN"),
    "pin.ok": ("OK", "OK"),
    "pin.cancel": ("Cancel", "Annuller"),
    "pin.wrong_pin": ("Wrong PIN. Try again.", "Forkert PIN. Prøv igen."),
    "pin.locked": ("Too many wrong PINs. Wait a minute, then try again.",
                   "For mange forkerte PIN-koder. Vent et minut, og prøv igen."),
    "admin.title": ("Kiosk admin", "Kiosk-administration"),
    "admin.reset": ("Reset for the next visitor", "Nulstil til den næste besøgende"),
    "admin.exit": ("Exit kiosk mode", "Afslut kiosktilstand"),
    "admin.close": ("Back to the demo", "Tilbage til demoen"),
    "admin.info": ("Idle timeout {seconds} s. {reset}", "Inaktivitet {seconds} s. {reset}"),
    "admin.reset_on": ("Visitors are logged out and unbound when idle.",
                       "Besøgende logges ud og afbindes ved inaktivitet."),
    "admin.reset_off": ("Visitors stay logged in when idle.",
                        "Besøgende forbliver logget ind ved inaktivitet."),
    # ---- notices
    "notice.kiosk_reset": ("Ready for the next visitor.", "Klar til den næste besøgende."),
}
