"""The search's one normalisation of Arabic and Hebrew script, at index time and at query time.

A word is found however it is written: with or without tashkeel or niqqud, with tatweel, with
any form of alef, with a Hebrew final letter where the regular one stands or the reverse. The
rules are the data below, and every side applies the same data:

- the index on SQLite: `normalise()` registered on each connection as the SQL function
  `SQL_FUNCTION` (`sqlite.register_functions`) and applied to each column's text before FTS5's
  tokenizer sees it (unicode61 reads a combining mark as a break between words, so marks must
  be gone before it splits);
- the index on PostgreSQL: the IMMUTABLE SQL function `SQL_FUNCTION`, a `translate()` over
  `sql_translate_arguments()`, created by migration 0020 (whose frozen copy a test compares
  with this table);
- the query: `parse()` drops the marks before splitting the text into words as the indexes do
  (`without_marks`, which a word pattern would otherwise split at), and each backend folds
  every word with `normalise()`.

Every rule maps one character to one character or to none, so a position in the normalised
text leads back to the original (`with_offsets`): snippets are cut from the normalised text,
where the matches are, and shown in the original with every mark it was written with.

Latin diacritics are folded as before by the databases themselves (unicode61's
remove_diacritics, PostgreSQL's unaccent); only a stray combining accent is dropped here.
"""

from __future__ import annotations


def _chars(first: int, last: int) -> str:
    return "".join(chr(code) for code in range(first, last + 1))


# Marks removed outright: each belongs to the letter before it and is not a letter itself.
REMOVED = {
    # Arabic tashkeel: fathatan … sukun, maddah, hamza above and below, and the rest of the
    # block's combining marks; the superscript alef.
    "Arabic tashkeel": _chars(0x064B, 0x065F) + "\u0670",
    # The Quranic annotation marks (small high letters, small waw and yeh, sajdah aside).
    "Arabic Quranic marks": _chars(0x06D6, 0x06DC)
    + _chars(0x06DF, 0x06E8)
    + _chars(0x06EA, 0x06ED),
    "Arabic tatweel": "\u0640",
    # Hebrew cantillation (U+0591–U+05AF) and niqqud, meteg, rafe, dots (U+05B0–U+05C7),
    # without the punctuation among them (maqaf, paseq, sof pasuq, nun hafukha: SEPARATORS).
    "Hebrew cantillation and niqqud": "".join(
        char for char in _chars(0x0591, 0x05C7) if char not in "\u05be\u05c0\u05c3\u05c6"
    ),
    # A combining accent typed apart from its letter (decomposed text).
    "combining diacritics": _chars(0x0300, 0x036F),
}

# Letters folded to one form. ؤ and ئ are a hamza seated on waw and yeh: the seat is kept and the
# hamza dropped (ؤ → و, ئ → ي), which is also what removing the combining hamza (U+0654) does to
# the same letters typed decomposed, so both spellings meet.
FOLDED = {
    # Alef with hamza above, hamza below, madda; alef wasla.
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0622": "\u0627",
    "\u0671": "\u0627",
    "\u0649": "\u064a",  # alef maksura → yeh
    "\u0629": "\u0647",  # teh marbuta → heh
    "\u0624": "\u0648",  # waw with hamza → waw
    "\u0626": "\u064a",  # yeh with hamza → yeh
    # Hebrew final letters → their regular forms.
    "\u05da": "\u05db",  # ך → כ
    "\u05dd": "\u05de",  # ם → מ
    "\u05df": "\u05e0",  # ן → נ
    "\u05e3": "\u05e4",  # ף → פ
    "\u05e5": "\u05e6",  # ץ → צ
    # Arabic-Indic and Eastern Arabic-Indic digits → 0-9, so "1993" finds "١٩٩٣".
    **{chr(0x0660 + digit): str(digit) for digit in range(10)},
    **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
}

# Punctuation of the two scripts, made a space: SQLite's tokenizer splits on it already, but
# PostgreSQL's parser, under a C locale, takes any character outside ASCII for a letter and would
# read "مفاوضات،" or "צה״ל" as one word.
SEPARATORS = (
    "\u05be"  # maqaf (the Hebrew hyphen)
    "\u05c0\u05c3\u05c6"  # paseq, sof pasuq, nun hafukha
    "\u05f3\u05f4"  # geresh, gershayim
    "\u060c\u060d\u061b\u061e\u061f"  # Arabic comma, date separator, semicolon, ..., question mark
    "\u066a\u066b\u066c\u066d"  # Arabic percent, decimal and thousands separators, star
    "\u06d4"  # Arabic full stop
    "\u06dd\u06de\u06e9"  # end of ayah, rub el hizb, place of sajdah
)

SQL_FUNCTION = "trackii_normalise"

_TABLE: dict[int, str | None] = {
    **{ord(char): None for chars in REMOVED.values() for char in chars},
    **{ord(char): " " for char in SEPARATORS},
    **{ord(char): folded for char, folded in FOLDED.items()},
}
# Only the marks: what `parse()` removes before splitting a query into words (the separators
# split words there already, and a chunk's pieces must stay one phrase).
_MARKS: dict[int, str | None] = {code: None for code, value in _TABLE.items() if value is None}


def normalise(text: str | None) -> str | None:
    """Return `text` with marks removed, letters folded and punctuation spaced; None stays None."""
    if text is None:
        return None
    return str(text).translate(_TABLE)


def without_marks(text: str) -> str:
    """Return `text` with the marks removed, its letters and punctuation as written."""
    return text.translate(_MARKS)


def with_offsets(text: str) -> tuple[str, list[int]]:
    """Return `normalise(text)` and, for each of its characters, its index in `text`."""
    characters, offsets = [], []
    for index, char in enumerate(text):
        replacement = _TABLE.get(ord(char), char)
        if replacement is not None:
            characters.append(replacement)
            offsets.append(index)
    return "".join(characters), offsets


def sql_translate_arguments() -> tuple[str, str]:
    """The two strings of `translate(text, from, to)` that apply the table in SQL.

    The characters that fold or become a space come first, with what they become; the marks
    follow with nothing beside them, which `translate()` deletes.
    """
    mapped = {chr(code): value for code, value in _TABLE.items() if value is not None}
    removed = [chr(code) for code, value in _TABLE.items() if value is None]
    return "".join(mapped) + "".join(removed), "".join(mapped.values())


def sql_function_definition(source: str, target: str) -> str:
    """The PostgreSQL statement that creates the function for these `translate()` arguments."""

    def literal(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    return (
        f"CREATE OR REPLACE FUNCTION {SQL_FUNCTION}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"AS $$SELECT translate($1, {literal(source)}, {literal(target)})$$"
    )
