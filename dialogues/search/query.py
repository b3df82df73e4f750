"""The query language: a user's text read once into a `ParsedQuery`, and said back in words.

    settlers talks        both words (in any field)
    "track two"           the words next to each other, in that order
    -fatah                leave out dialogues that have the word
    hamas or fatah        either word; `or` binds two neighbouring terms, so
                          `hamas or fatah talks` is (hamas or fatah) and talks

The user's text is never handed to either database's query parser: it is read here into terms
of letters and digits only, and each backend builds its query from those, so the two databases
agree and no input can raise a syntax error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .normalise import normalise, without_marks

# A query is cut to this many words, and each word to this many characters, so that a pasted
# essay costs no more than a sentence.
MAX_TERMS = 32
MAX_TERM_LENGTH = 64
# The longest `q` read, the same number the list page's form and the API's schema (maxLength)
# allow: a longer one is refused there with a message, so nothing accepted is cut here.
MAX_QUERY_LENGTH = 10_000

Phrase = tuple[str, ...]

# A word as both indexes split text: letters and digits.
WORD = re.compile(r"[^\W_]+")
# A quoted phrase (running to the end when the quote is never closed) or a bare chunk, each with
# any dashes in front of it.
_CHUNK = re.compile(r'(-*)"([^"]*)"?|(-*)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ParsedQuery:
    """A query reduced to what both databases can run: all groups, each any of its phrases."""

    groups: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


def parse(q: str) -> ParsedQuery:
    """Read a user's query into groups of phrases; never raise, whatever the text."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", str(q or "")[:MAX_QUERY_LENGTH]))
    # Niqqud, tashkeel and tatweel are not letters to the pattern of a word, and the indexes
    # never see them: gone before the text is split, "שָׁלוֹם" is one word, as indexed.
    text = without_marks(text)
    groups: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    budget = MAX_TERMS
    join_next = last_was_positive = False
    for match in _CHUNK.finditer(text):
        if budget <= 0:
            break
        quoted = match.group(2) is not None
        dashes = match.group(1) if quoted else match.group(3)
        body = match.group(2) if quoted else match.group(4)
        if not quoted and not dashes and body.casefold() == "or":
            # `or` only joins two positive terms that stand either side of it.
            join_next = join_next or last_was_positive
            last_was_positive = False
            continue
        # Punctuation inside a chunk ("Israeli/Palestinian", "title:foo", "NEAR(a") only splits
        # words, as it does in the indexed text, so the pieces must stand together.
        phrase = tuple(word[:MAX_TERM_LENGTH] for word in WORD.findall(body))[:budget]
        if not phrase:
            continue
        budget -= len(phrase)
        if dashes:
            excluded.append(phrase)
            join_next = last_was_positive = False
        elif join_next and groups:
            groups[-1].append(phrase)
            join_next, last_was_positive = False, True
        else:
            groups.append([phrase])
            join_next, last_was_positive = False, True
    return ParsedQuery(
        groups=_unique(tuple(_unique(group)) for group in groups),
        excluded=_unique(excluded),
    )


def parsed(query: ParsedQuery | str) -> ParsedQuery:
    """Return `query` if it was parsed already, else parse it (for callers holding raw text)."""
    return query if isinstance(query, ParsedQuery) else parse(query)


def _key(item):
    if isinstance(item, str):
        # Spellings the indexes take for one word ("أحمد", "احمد") are one term.
        return normalise(item).casefold()
    return tuple(_key(part) for part in item)


def _unique(items: Iterable) -> tuple:
    seen, kept = set(), []
    for item in items:
        key = _key(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return tuple(kept)


def describe(query: ParsedQuery | str) -> str:
    """Say in plain words what the query looks for; return "" when it has no usable terms.

    For example `matching “settlers”`, `matching the phrase “track two”` or
    `matching “hamas” but not “fatah”`. The result is plain text, for the template to escape.
    """
    query = parsed(query)
    if query.is_empty:
        return ""
    several_groups = len(query.groups) > 1
    groups = []
    for group in query.groups:
        words = _join([_say(phrase) for phrase in group], "or")
        groups.append(f"either {words}" if several_groups and len(group) > 1 else words)
    # A comma before the last "and" keeps "a or b, and c" from reading as "a or (b and c)".
    serial_comma = any(len(group) > 1 for group in query.groups)
    wanted = _join(groups, "and", serial_comma=serial_comma)
    unwanted = _join([_say(phrase) for phrase in query.excluded], "or")
    if wanted and unwanted:
        return f"matching {wanted} but not {unwanted}"
    if wanted:
        return f"matching {wanted}"
    return f"not matching {unwanted}"


def _say(phrase: Phrase) -> str:
    words = " ".join(phrase)
    return f"the phrase “{words}”" if len(phrase) > 1 else f"“{words}”"


def _join(parts: list[str], conjunction: str, *, serial_comma: bool = False) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    comma = "," if serial_comma else ""
    return f"{', '.join(parts[:-1])}{comma} {conjunction} {parts[-1]}"
