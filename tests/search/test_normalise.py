"""The search's normalisation of Arabic and Hebrew: the table, and that SQL applies the same one.

The table is tested rule by rule in Python; then the database's own `trackii_normalise` (the
Python function registered on SQLite, the migration's IMMUTABLE function on PostgreSQL) is
asked for every character of the table and for whole words, and must answer as Python does.
"""

from __future__ import annotations

import importlib
import unicodedata

import pytest
from django.db import connection

from dialogues.search import normalise as rules
from dialogues.search.normalise import (
    SQL_FUNCTION,
    normalise,
    sql_translate_arguments,
    with_offsets,
    without_marks,
)
from dialogues.search.query import parse

# (what is written, what the index and the query hold, the rule)
TABLE = [
    # Arabic
    ("مُفَاوَضَات", "مفاوضات", "tashkeel removed"),
    ("مـــفاوضات", "مفاوضات", "tatweel removed"),
    ("أحمد", "احمد", "alef with hamza above → alef"),
    ("إسرائيل", "اسراييل", "alef with hamza below → alef; yeh with hamza → yeh"),
    ("آمال", "امال", "alef with madda → alef"),
    ("ٱلقدس", "القدس", "alef wasla → alef"),
    ("مستشفى", "مستشفي", "alef maksura → yeh"),
    ("مدرسة", "مدرسه", "teh marbuta → heh"),
    ("مؤتمر", "موتمر", "waw with hamza → waw"),
    ("رئيس", "رييس", "yeh with hamza → yeh"),
    ("ر\u064a\u0654يس", "رييس", "yeh + combining hamza (decomposed ئ) → yeh, as ئ"),
    ("م\u0624\u0651تمر", "موتمر", "shadda removed after the fold"),
    ("\u0642\u064f\u0631\u0652\u0622\u0646\u06e1", "قران", "Quranic small high mark removed"),
    ("\u0645\u0670\u0630\u0627", "مذا", "superscript alef removed"),
    ("١٩٩٣", "1993", "Arabic-Indic digits → 0-9"),
    ("۱۹۹۳", "1993", "Eastern Arabic-Indic digits → 0-9"),
    ("مفاوضات، سلام؟", "مفاوضات  سلام ", "Arabic comma and question mark → space"),
    # Hebrew
    ("שָׁלוֹם", "שלומ", "niqqud removed; final mem → mem"),
    ("שלום", "שלומ", "final mem → mem"),
    ("בְּרֵאשִׁ֖ית", "בראשית", "niqqud and a cantillation mark (tipeha) removed"),
    ("דרך", "דרכ", "final kaf → kaf"),
    ("אמן", "אמנ", "final nun → nun"),
    ("כסף", "כספ", "final pe → pe"),
    ("ארץ", "ארצ", "final tsadi → tsadi"),
    ("מםה", "ממה", "a final letter in the middle of a word folds too"),
    ("תל־אביב", "תל אביב", "maqaf → space"),
    ("צה״ל", "צה ל", "gershayim → space"),
    ("ש׳", "ש ", "geresh → space"),
    # Latin: precomposed letters are left to the databases; a stray combining accent goes.
    ("René", "René", "precomposed Latin left to unicode61 / unaccent"),
    ("Rene\u0301", "Rene", "combining acute removed"),
    ("Abu Alaa", "Abu Alaa", "Latin without accents unchanged"),
]


@pytest.mark.parametrize(("written", "normalised", "rule"), TABLE, ids=[row[2] for row in TABLE])
def test_the_normalisation_table(written, normalised, rule):
    assert normalise(written) == normalised


def test_none_stays_none():
    assert normalise(None) is None


def test_every_rule_maps_one_character_to_at_most_one():
    source, target = sql_translate_arguments()
    assert len(set(source)) == len(source)
    assert len(target) <= len(source)
    for char in source:
        assert len(normalise(char)) <= 1, ascii(char)


def test_no_rule_touches_a_letter_it_should_keep():
    # Every Hebrew and Arabic letter that is not folded comes through as it is.
    for code in [*range(0x05D0, 0x05EB), *range(0x0621, 0x064B)]:
        char = chr(code)
        if char in rules.FOLDED or unicodedata.category(char) == "Lm":
            continue
        assert normalise(char) == char, ascii(char)


def test_the_removed_marks_are_marks_and_the_separators_punctuation():
    for chars in rules.REMOVED.values():
        for char in chars:
            if char == "\u0640":  # tatweel is a modifier letter that only stretches the line
                continue
            assert unicodedata.category(char) in {"Mn", "Lm"}, ascii(char)
    for char in rules.SEPARATORS:
        assert unicodedata.category(char)[0] in {"P", "S", "C"}, ascii(char)


@pytest.mark.parametrize("written", [row[0] for row in TABLE])
def test_offsets_lead_back_to_the_written_text(written):
    normal, offsets = with_offsets(written)
    assert normal == normalise(written)
    assert len(offsets) == len(normal)
    assert offsets == sorted(set(offsets))
    for char, offset in zip(normal, offsets, strict=True):
        assert normalise(written[offset]) == char


def test_a_query_drops_the_marks_before_it_is_split_into_words():
    assert without_marks("שָׁלוֹם") == "שלום"
    assert parse("שָׁלוֹם").groups == ((("שלום",),),)
    assert parse("مُفَاوَضَات").groups == ((("مفاوضات",),),)
    # Punctuation still splits a chunk into a phrase, as elsewhere.
    assert parse("תל־אביב").groups == ((("תל", "אביב"),),)
    # Two spellings of one word are one term.
    assert parse("أحمد or احمد").groups == ((("أحمد",),),)


@pytest.mark.django_db
@pytest.mark.parametrize(("written", "normalised", "rule"), TABLE, ids=[row[2] for row in TABLE])
def test_the_database_function_applies_the_same_table(written, normalised, rule):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {SQL_FUNCTION}(%s)", [written])
        assert cursor.fetchone()[0] == normalised


@pytest.mark.django_db
def test_the_database_function_agrees_on_every_character_of_the_table():
    source, _target = sql_translate_arguments()
    probe = "".join(f"a{char}" for char in source)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {SQL_FUNCTION}(%s), {SQL_FUNCTION}(NULL)", [probe])
        assert cursor.fetchone() == (normalise(probe), None)


def test_the_migration_s_frozen_function_is_the_table():
    migration = importlib.import_module("dialogues.migrations.0020_search_normalise")
    # A change to the table needs a migration that replaces the function, and a rebuild of
    # the index (manage.py rebuild_search_index): this fails until there is one.
    assert (migration.SOURCE, migration.TARGET) == sql_translate_arguments()
    assert migration.FUNCTION == SQL_FUNCTION
    assert migration.CREATE == rules.sql_function_definition(*sql_translate_arguments())


@pytest.mark.django_db
def test_postgresql_s_function_is_immutable():
    if connection.vendor != "postgresql":
        pytest.skip("an IMMUTABLE SQL function is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT provolatile FROM pg_proc WHERE proname = %s", [SQL_FUNCTION])
        assert cursor.fetchall() == [("i",)]
