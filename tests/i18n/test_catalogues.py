"""The Hebrew and Arabic catalogues: every message translated, none fuzzy, Arabic's six plural
forms, the same placeholders as the English, and committed .mo files that say what the .po
files say (compiled with Babel, so no step needs GNU gettext)."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from scripts import catalogues

PO = {lang: catalogues.LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("he", "ar")}
PLURALS = {"he": 4, "ar": 6}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _catalog(lang):
    with PO[lang].open("rb") as handle:
        return read_po(handle, locale=lang)


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("lang", PO)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    catalog = _catalog(lang)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 300
    assert not catalog.fuzzy
    assert [m.id for m in messages if m.fuzzy] == []
    untranslated = [
        m.id
        for m in messages
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ]
    assert untranslated == []


@pytest.mark.parametrize("lang", PO)
def test_plural_messages_have_every_form_of_the_language(lang):
    catalog = _catalog(lang)
    assert catalog.num_plurals == PLURALS[lang]
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals
    assert [m.id for m in plurals if len(m.string) != PLURALS[lang]] == []


@pytest.mark.parametrize("lang", PO)
def test_translations_keep_the_placeholders(lang):
    """A singular keeps exactly the English placeholders; each plural form uses only the
    English ones (a form for one may say "one" instead of the number), and together they use
    them all."""
    wrong = []
    for m in _catalog(lang):
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            english = _placeholders(m.id[0]) | _placeholders(m.id[1])
            forms = [_placeholders(form) for form in m.string]
            if any(not form <= english for form in forms) or set().union(*forms) != english:
                wrong.append(m.id)
        elif _placeholders(m.string) != _placeholders(m.id):
            wrong.append(m.id)
    assert wrong == []


def test_the_placeholder_check_can_fail():
    assert _placeholders("%(count)s dialogues in {kind}") == {"count", "kind"}
    assert _placeholders("%(cout)s حوار") != _placeholders("%(count)s dialogue")


@pytest.mark.parametrize("lang", PO)
def test_each_committed_mo_says_what_its_po_says(lang):
    assert catalogues.stale(PO[lang]) == []


def test_a_stale_mo_is_found(tmp_path):
    po = tmp_path / "django.po"
    po.write_bytes(PO["ar"].read_bytes())
    po.with_suffix(".mo").write_bytes(catalogues.compiled(po))
    assert catalogues.stale(po) == []
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "الحقب"', 'msgstr "العصور"', 1), encoding="utf-8")
    assert any("translated differently" in problem for problem in catalogues.stale(po))
    po.with_suffix(".mo").unlink()
    assert catalogues.stale(po) == [f"{po.with_suffix('.mo')} is missing"]
