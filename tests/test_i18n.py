"""The string catalogue: both languages complete, Danish in the seed's words."""

from __future__ import annotations

import string

import pytest

from headunit import i18n
from headunit.protocol.errors import MESSAGES
from headunit.protocol.errors_da import MESSAGES_DA


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_english_and_danish_with_the_same_placeholders():
    for key, (en, da) in i18n.TEXTS.items():
        assert en.strip() and da.strip(), key
        assert fields(en) == fields(da), f"{key}: {fields(en)} vs {fields(da)}"


def test_every_error_code_of_the_protocol_reads_in_both_languages():
    missing = sorted(set(MESSAGES) - set(MESSAGES_DA))
    assert not missing, f"add Danish for {missing} to headunit/protocol/errors_da.py"
    for code in MESSAGES:
        assert i18n.error_text(code, "en") == MESSAGES[code]
        assert i18n.error_text(code, "da") == MESSAGES_DA[code]


@pytest.mark.parametrize("key,danish", [
    ("home.user", "Bruger"), ("password.submit", "Log på"), ("service.climate", "Klimaanlæg"),
    ("service.vehicle_status", "Køretøj status"), ("service.notifications", "Notifikationer"),
    ("service.map_poi", "MAP og POI"), ("home.settings", "Indstillinger"),
])
def test_danish_follows_the_seed_guides_words(key, danish):
    assert i18n.text(key, "da") == danish


def test_the_unbind_hint_uses_the_guides_word_afbind():
    assert "Afbind" in i18n.text("bound.unbind_hint", "da")


def test_texts_fill_their_parameters():
    assert i18n.text("qr.countdown", "da", seconds=7) == "Ny kode om 7 s"
    assert i18n.text("logged_in.hello", "en", name="Ann") == "Hello, Ann"


def test_notices_read_as_notices_or_as_the_refusal_they_carry():
    assert i18n.notice_text("logged_out", "da") == "Du er logget ud af bilen."
    assert i18n.is_notice("scan_expired")
    assert i18n.notice_text("bound_to_other_user", "en") == MESSAGES["bound_to_other_user"]
    assert not i18n.is_notice("bound_to_other_user")
    assert i18n.notice_text("bound_to_other_user", "da") == MESSAGES_DA["bound_to_other_user"]


def test_the_head_units_own_login_errors_have_both_languages():
    assert i18n.error_text("missing_credentials", "en") == "Enter both the account and the password."
    assert i18n.error_text("missing_credentials", "da") == "Indtast både konto og adgangskode."


def test_an_unknown_code_reads_as_words_and_an_unknown_language_is_refused():
    assert i18n.error_text("some_new_code", "da") == "Some new code."
    with pytest.raises(ValueError, match="unknown language 'sv'"):
        i18n.text("home.user", "sv")
    with pytest.raises(KeyError):
        i18n.text("no.such.key", "en")


def test_the_catalogue_imports_no_kivy():
    import subprocess
    import sys
    code = "import sys, headunit.i18n, headunit.ui.theme, headunit.ui.bridge, headunit.remote.client, headunit.remote.server; print('kivy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
