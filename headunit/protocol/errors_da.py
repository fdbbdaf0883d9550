"""Danish texts of the error codes in :mod:`.errors`, for every side that speaks Danish
(the mobile web companion; the head unit's window may use them too).

Wording after MG's Danish iSmart guide: *Log på*, *Registrer*, *Bind*, *Afbind*,
*Bruger*, *verifikationskode*, *tilknytning*. A test checks that every code in
:data:`.errors.MESSAGES` has a Danish text here.
"""

from __future__ import annotations

from .errors import message_for

MESSAGES_DA: dict[str, str] = {
    # QR tokens
    "bad_token": "Dette er ikke en iSmart-bilkode. Scan QR-koden på bilens Bruger-skærm.",
    "unknown_vehicle": "Bilen er ikke kendt af iSmart. Bed forhandleren om at registrere den.",
    "bad_signature": "Koden er ikke lavet af den bil, den nævner. Scan koden på bilens skærm.",
    "wrong_vehicle": "Koden nævner en anden bil end den, der lavede den. Scan koden på bilens "
                     "skærm.",
    "expired_token": "Koden er udløbet. Scan den nye kode på bilens skærm.",
    "token_used": "Koden er allerede brugt. Scan den nye kode på bilens skærm.",
    "wrong_purpose": "Koden hører ikke til dette trin. Scan den kode, bilen viser nu.",
    "key_in_use": "Denne nøgle er allerede registreret til en anden bil. Hver bil skal have sin "
                  "egen nøgle.",
    "key_mismatch": "Bilen viser en anden nøgle end den registrerede. Bed forhandleren om at "
                    "registrere den igen.",
    # Ownership rules
    "bound_to_other_user": "Bilen er tilknyttet en anden bruger. Den nuværende bruger skal "
                           "først afbinde den.",
    "not_car_user": "En anden konto er logget på bilen. Log først på bilen, og scan derefter "
                    "for at binde.",
    "already_bound": "Bilen er allerede tilknyttet din konto.",
    # Scans
    "scan_not_found": "Scanningen er ukendt. Scan koden på bilens skærm igen.",
    "scan_expired": "Scanningen er udløbet. Scan den nye kode på bilens skærm.",
    "scan_closed": "Scanningen er allerede besvaret.",
    # Accounts
    "invalid_identifier": "Indtast et telefonnummer (+ og cifre) eller en e-mailadresse.",
    "account_exists": "Der findes allerede en konto med dette telefonnummer eller denne "
                      "e-mail. Log på i stedet.",
    "code_invalid": "Verifikationskoden er forkert. Tjek beskeden, og prøv igen.",
    "code_expired": "Verifikationskoden er udløbet. Bed om en ny.",
    "code_locked": "For mange forkerte koder. Bed om en ny kode.",
    "code_too_soon": "Der blev sendt en kode for under et minut siden. Vent lidt, før du beder "
                     "om en ny.",
    "weak_password": "Vælg en adgangskode på mindst 8 tegn.",
    "terms_not_accepted": "Acceptér brugeraftalen og fortrolighedspolitikken for at logge på.",
    "invalid_credentials": "Kontoen eller adgangskoden er forkert.",
    "not_authenticated": "Du er ikke logget på. Log på først.",
    "rate_limited": "For mange forsøg. Prøv igen senere.",
    # Ownership changes: unbind, force unbinding, dealer unbind (issue 4)
    "car_not_bound": "Bilen er ikke tilknyttet nogen konto. Log på bilen, og scan dens kode "
                     "igen for at binde den.",
    "not_bound_to_you": "Bilen er ikke tilknyttet din konto, så du kan ikke afbinde den. Tjek "
                        "bilens VIN.",
    "confirmation_required": "Bekræft, at der sendes en push-besked til den tidligere bruger.",
    "force_unbind_needs_scan": "Scan først QR-koden på bilens skærm: Force unbinding tilbydes "
                               "en telefon, der lige har scannet bilen (10 minutter).",
    "force_unbind_pending": "En anmodning om afbinding af bilen venter allerede på den "
                            "tidligere brugers svar. Vent, til den er afsluttet (højst 72 "
                            "timer).",
    "force_unbind_rejected": "Den tidligere bruger afviste afbindingen. Dokumentér ejerskab af "
                             "bilen hos en MG-forhandler, som kan afbinde den.",
    "force_unbind_not_found": "Der er ingen sådan anmodning om afbinding for din konto. Se "
                              "dine notifikationer.",
    "force_unbind_closed": "Anmodningen om afbinding er allerede afsluttet (besvaret eller "
                           "gennemført). Se dine notifikationer.",
    # Notices (head unit) and notifications (phone) about ownership changes
    "binding_removed": "Bilens tilknytning er fjernet. Scan koden på bilens skærm for at logge "
                       "på og binde den igen.",
    "force_unbind_requested": "Tilknyttet en anden bruger: afbinding er anmodet. Venter på, at "
                              "den tidligere ejer svarer Agree (højst 72 timer).",
    "force_unbind_request": "Nogen har bedt om at afbinde din bil fra din konto. Tryk Agree "
                            "eller Reject; uden svar afbindes bilen efter 72 timer.",
    "force_unbind_sent": "Anmodningen om afbinding er sendt til den tidligere bruger. Du får "
                         "besked, når der er svar; uden svar afbindes bilen efter 72 timer.",
    "unbind_completed": "Afbindingen er gennemført: bilen har ingen tilknyttet bruger. Scan "
                        "koden på bilens skærm for at logge på og binde den.",
    # Kiosk cars (issue 7)
    "not_kiosk_car": "Denne bil er ikke en kiosk- (demo-) bil, så den kan ikke nulstilles til "
                     "den næste besøgende. Markér den som en: ismart-cloud serve --kiosk-vin VIN.",
    "kiosk_reset": "Demobilen er nulstillet til den næste besøgende: den er ikke længere "
                   "tilknyttet din konto, og ingen er logget ind i den.",
    # Faults
    "storage_unavailable": "Skyen kan ikke gemme sine data (disken er fuld eller "
                           "skrivebeskyttet). Intet blev ændret; prøv igen senere.",
    # Generic
    "invalid_request": "Forespørgslen er ikke gyldig.",
    "not_found": "Ikke fundet.",
    "offline": "Skyen kan ikke nås. Prøv igen, når forbindelsen er tilbage.",
    "timeout": "Skyen svarede ikke i tide. Prøv igen.",
    "internal": "Noget gik galt i skyen. Prøv igen.",
    # The car and its services
    "not_bound": "Kun den konto, bilen er bundet til, kan gøre det. Bind først bilen til din konto.",
    "service_unavailable": "Denne bilmodel har ikke den tjeneste.",
    "unknown_model": "Bilens model er ikke på modellisten, så dens tjenester er ukendte.",
    "vehicle_offline": "Bilen kan ikke nås. Prøv igen, når den er online.",
    "vehicle_timeout": "Bilen svarede ikke i tide. Prøv igen med samme request id: den udføres aldrig to gange.",
    "request_id_reused": "Dette request id er allerede brugt til en anden kommando. Brug et nyt request id.",
    "invalid_command": "Kommandoen er ikke gyldig.",
    "door_open": "En dør er åben: bilen kan ikke låses. Luk alle døre, bagklappen og motorhjelmen, og lås så.",
    "cable_not_connected": "Ladekablet er ikke tilsluttet. Sæt det i, og start så opladningen.",
    "already_at_target": "Batteriet er allerede ved ladegrænsen. Hæv grænsen for at lade mere.",
    "not_charging": "Bilen lader ikke.",
    "battery_low": "Batteriet er for lavt til det. Oplad bilen først.",
    "car_moving": "Bilen er i bevægelse. Prøv igen, når den holder parkeret.",
}


def message_in(code: str, lang: str) -> str:
    """The text of ``code`` in ``lang`` (``en`` or ``da``); English when Danish lacks it."""
    if lang == "da" and code in MESSAGES_DA:
        return MESSAGES_DA[code]
    return message_for(code)
