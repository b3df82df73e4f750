"""Uncertain dates, written in EDTF (the Library of Congress Extended Date/Time Format).

The archive keeps the EDTF string as the editor wrote it and stores the earliest and latest
possible day beside it, so that sorting and range filters use plain indexed date columns.
Parsing is left to the `edtf` package; it is slow (milliseconds a string), so results are cached.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils import dates as django_dates
from django.utils.translation import gettext, pgettext
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.parser_classes import (
    Date,
    Interval,
    Level1Interval,
    Season,
    UncertainOrApproximate,
    Unspecified,
)

EXAMPLES = (
    ("1976~", "about 1976"),
    ("1992/1993", "some time from 1992 to 1993"),
    ("2000-07", "July 2000"),
    ("2025-03-18", "18 March 2025"),
    ("2006?", "2006, but uncertain"),
)
EXAMPLES_TEXT = ", ".join(f"{code} ({meaning})" for code, meaning in EXAMPLES)
HELP_TEXT = (
    "An EDTF date. Examples: "
    + EXAMPLES_TEXT
    + ". Add ~ for an approximate date and ? for an uncertain one; write a span as start/end."
)

MONTHS = (
    "January February March April May June July August September October November December"
).split()


class InvalidDate(ValueError):
    """An EDTF string that cannot be read, or whose end comes before its start."""


@dataclass(frozen=True)
class Bounds:
    """The parsed facts about one EDTF string."""

    edtf: str
    earliest: datetime.date
    latest: datetime.date
    display: str
    # The span the date claims, for choosing its era: an approximate date's neighbouring years
    # belong to it ("about 1990" may be 1989), an uncertain date's do not ("2006?" says 2006,
    # with doubt). None where it is the same as the bounds above.
    claimed_earliest: datetime.date | None = None
    claimed_latest: datetime.date | None = None

    @property
    def claimed(self) -> tuple[datetime.date, datetime.date]:
        return (self.claimed_earliest or self.earliest, self.claimed_latest or self.latest)


def invalid_message(value: str, label: str | None = None) -> str:
    shown = value if len(value) <= 60 else value[:57] + "…"
    return gettext(
        "%(label)s: “%(value)s” is not a valid EDTF date. Valid examples: %(examples)s."
    ) % {"label": label or gettext("Date"), "value": shown, "examples": _examples_text()}


def _examples_text() -> str:
    # The codes stay EDTF; their meanings are said in the page's language.
    meanings = (
        gettext("about 1976"),
        gettext("some time from 1992 to 1993"),
        gettext("July 2000"),
        gettext("18 March 2025"),
        gettext("2006, but uncertain"),
    )
    return ", ".join(
        f"{code} ({meaning})" for (code, _meaning), meaning in zip(EXAMPLES, meanings, strict=True)
    )


@lru_cache(maxsize=4096)
def parse(value: str) -> Bounds:
    """Parse an EDTF string into its bounds and words, or raise InvalidDate.

    The bounds are the *fuzzy* ones: `1976~` may be any day of 1975–1977, because "about 1976"
    admits the neighbouring years. Anything the parser cannot handle (it raises several kinds of
    error, not all of them its own) is an InvalidDate.
    """
    text = (value or "").strip()
    if not text or len(text) > 64:
        raise InvalidDate(text)
    try:
        parsed = parse_edtf(text)
        earliest = struct_time_to_date(parsed.lower_fuzzy())
        latest = struct_time_to_date(parsed.upper_fuzzy())
    except Exception as exc:  # the parser raises ParseException, TypeError, ValueError…
        raise InvalidDate(text) from exc
    if earliest > latest:
        raise InvalidDate(text)
    claimed = (None, None)
    if any(mark in text for mark in UNCERTAIN):
        claimed = _without_uncertainty(text) or claimed
    return Bounds(text, earliest, latest, _words(parsed), *claimed)


UNCERTAIN = ("?", "%")


def _without_uncertainty(text: str) -> tuple[datetime.date, datetime.date] | None:
    """The bounds of the date with its uncertainty taken out and its approximation kept."""
    try:
        sure = parse(text.replace("?", "").replace("%", "~"))
    except InvalidDate:
        return None
    return sure.earliest, sure.latest


def claimed_bounds(value: str, earliest, latest) -> tuple:
    """Return the span a date claims (see `Bounds.claimed`), given its stored bounds.

    Only an uncertain date claims less than its bounds, so only such a date is parsed again.
    """
    if not value or not any(mark in value for mark in UNCERTAIN):
        return earliest, latest
    try:
        return parse(value).claimed
    except InvalidDate:
        return earliest, latest


def _words(parsed) -> str:
    """Say an EDTF value in plain words: "c. 1976", "1992–1993", "July 2000"."""
    if isinstance(parsed, (Interval, Level1Interval)):
        return _span_words(parsed.lower, parsed.upper)
    return _point_words(parsed)


def _point_words(parsed) -> str:
    if isinstance(parsed, UncertainOrApproximate):
        inner = _point_words(parsed.date)
        if parsed.ua is None:
            return inner
        both = parsed.ua.is_uncertain_and_approximate
        approximate = parsed.ua.is_approximate or both
        uncertain = parsed.ua.is_uncertain or both
        if approximate and uncertain:
            return f"c. {inner}?"
        if approximate:
            return f"c. {inner}"
        if uncertain:
            return f"{inner}?"
        return inner
    if isinstance(parsed, Season):
        return f"{_season_name(parsed)} {parsed.year}"
    if isinstance(parsed, Unspecified):
        return _unspecified_words(str(parsed))
    if isinstance(parsed, Date):
        year = parsed.year
        month = int(parsed.month) if parsed.month else None
        if parsed.day:
            return f"{int(parsed.day)} {MONTHS[month - 1]} {_year(year)}"
        if parsed.month:
            return f"{MONTHS[month - 1]} {_year(year)}"
        return _year(year)
    return str(parsed)


def _span_words(lower, upper) -> str:
    start, end = _point_words(lower), _point_words(upper)
    # "18–20 March 2025" and "July–September 2000" read better than repeating the shared part.
    if isinstance(lower, Date) and isinstance(upper, Date) and type(lower) is type(upper) is Date:
        if lower.year == upper.year and lower.month and upper.month:
            if lower.day and upper.day and lower.month == upper.month:
                return f"{int(lower.day)}–{end}"
            if not lower.day and not upper.day:
                return f"{MONTHS[int(lower.month) - 1]}–{end}"
    # Spaces around the dash only when a side is several words ("July 2000 – 2002").
    several_words = any(" " in side.removeprefix("c. ") for side in (start, end))
    joiner = " – " if several_words else "–"
    return f"{start}{joiner}{end}"


def _year(year) -> str:
    number = int(year)
    return f"{-number} BCE" if number < 0 else str(number)


def _season_name(parsed) -> str:
    names = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
    return names.get(int(parsed.season), "Season")


def _unspecified_words(text: str) -> str:
    if len(text) == 4 and text.endswith("XX"):
        return f"{text[:2]}00s"
    if len(text) == 4 and text.endswith("X"):
        return f"{text[:3]}0s"
    return text


def display(value: str) -> str:
    """The words for an EDTF string, or the string itself when it cannot be read."""
    words = plain_words(value)
    if words is not None:
        return words
    try:
        return parse(value).display
    except InvalidDate:
        return value


_PLAIN_POINT = r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
_PLAIN_DATE = re.compile(rf"{_PLAIN_POINT}([~?%]?)")
_PLAIN_SPAN = re.compile(rf"{_PLAIN_POINT}/{_PLAIN_POINT}")
_QUALIFIER_WORDS = {"": "{}", "~": "c. {}", "?": "{}?", "%": "c. {}?"}


def plain_words(value: str) -> str | None:
    """Say the commonest EDTF forms in words without the parser, or return None.

    A year, month or day, optionally `~`, `?` or `%`, and a span of two plain dates: the forms
    generated archives are made of, where the parser's milliseconds a date add up to minutes.
    The words are exactly the parser's (the tests compare them); anything else returns None.
    """
    text = (value or "").strip()
    if match := _PLAIN_DATE.fullmatch(text):
        point = _plain_point(*match.groups()[:3])
        return None if point is None else _QUALIFIER_WORDS[match[4]].format(point[0])
    if match := _PLAIN_SPAN.fullmatch(text):
        lower, upper = _plain_point(*match.groups()[:3]), _plain_point(*match.groups()[3:])
        if lower is None or upper is None or lower[1] > upper[2]:
            return None
        (start, _, _, low), (end, _, _, high) = lower, upper
        if low[0] == high[0] and low[1] and high[1]:
            if low[2] and high[2] and low[1] == high[1]:
                return f"{low[2]}–{end}"
            if not low[2] and not high[2]:
                return f"{MONTHS[low[1] - 1]}–{end}"
        joiner = " – " if " " in start or " " in end else "–"
        return f"{start}{joiner}{end}"
    return None


def _plain_point(year, month, day):
    """Return (words, earliest, latest, (year, month, day)) of a plain date, or None."""
    y, m, d = int(year), int(month or 0), int(day or 0)
    try:
        if d:
            first = last = datetime.date(y, m, d)
            return f"{d} {MONTHS[m - 1]} {_year(y)}", first, last, (y, m, d)
        if m:
            first = datetime.date(y, m, 1)
            last = (first + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(1)
            return f"{MONTHS[m - 1]} {_year(y)}", first, last, (y, m, 0)
        if y == 0:
            return None
        return _year(y), datetime.date(y, 1, 1), datetime.date(y, 12, 31), (y, 0, 0)
    except (ValueError, IndexError, OverflowError):
        return None


def parse_bound(value: str, *, end: bool) -> datetime.date:
    """Read a filter bound: a year (`1995`) or an ISO date (`1995-06-01`).

    A year means its first day as a start and its last day as an end.
    """
    text = (value or "").strip()
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDate(text) from exc


def display_localized(value: str) -> str:
    """The words for an EDTF string in the active language, or the string itself when it cannot
    be read. `display` stays English: its words are stored with each record."""
    from django.utils.translation import get_language

    return _localized(value or "", get_language() or "")


@lru_cache(maxsize=4096)
def _localized(value: str, language: str) -> str:
    text = value.strip()
    if not text or len(text) > 64:
        return value
    try:
        parsed = parse_edtf(text)
    except Exception:  # the parser raises ParseException, TypeError, ValueError…
        return value
    try:
        if isinstance(parsed, (Interval, Level1Interval)):
            return _local_span(parsed.lower, parsed.upper)
        return _local_point(parsed)
    except Exception:  # a form the words below do not cover: say the code itself
        return value


def _local_month(month: int) -> str:
    return str(django_dates.MONTHS[month])


def _local_year(year) -> str:
    number = int(year)
    if number < 0:
        return pgettext("date", "%(year)s BCE") % {"year": -number}
    return str(number)


def _local_point(parsed) -> str:
    if isinstance(parsed, UncertainOrApproximate):
        inner = _local_point(parsed.date)
        if parsed.ua is None:
            return inner
        both = parsed.ua.is_uncertain_and_approximate
        approximate = parsed.ua.is_approximate or both
        uncertain = parsed.ua.is_uncertain or both
        if approximate and uncertain:
            return pgettext("date", "around %(date)s, uncertain") % {"date": inner}
        if approximate:
            return pgettext("date", "around %(date)s") % {"date": inner}
        if uncertain:
            return pgettext("date", "%(date)s, uncertain") % {"date": inner}
        return inner
    if isinstance(parsed, Season):
        seasons = {
            21: pgettext("season", "Spring"),
            22: pgettext("season", "Summer"),
            23: pgettext("season", "Autumn"),
            24: pgettext("season", "Winter"),
        }
        season = seasons.get(int(parsed.season), pgettext("date", "Season"))
        return pgettext("date", "%(season)s %(year)s") % {"season": season, "year": parsed.year}
    if isinstance(parsed, Unspecified):
        code = str(parsed)
        if len(code) == 4 and code.endswith("XX"):
            return pgettext("date", "the %(century)s00s") % {"century": code[:2]}
        if len(code) == 4 and code.endswith("X"):
            return pgettext("date", "the %(decade)s0s") % {"decade": code[:3]}
        return code
    if isinstance(parsed, Date):
        year = _local_year(parsed.year)
        if parsed.day:
            return pgettext("date", "%(day)s %(month)s %(year)s") % {
                "day": int(parsed.day),
                "month": _local_month(int(parsed.month)),
                "year": year,
            }
        if parsed.month:
            return pgettext("date", "%(month)s %(year)s") % {
                "month": _local_month(int(parsed.month)),
                "year": year,
            }
        return year
    return str(parsed)


def _local_span(lower, upper) -> str:
    start, end = _local_point(lower), _local_point(upper)
    if isinstance(lower, Date) and isinstance(upper, Date) and type(lower) is type(upper) is Date:
        if lower.year == upper.year and lower.month and upper.month:
            if lower.day and upper.day and lower.month == upper.month:
                return f"{int(lower.day)}–{end}"
            if not lower.day and not upper.day:
                return f"{_local_month(int(lower.month))}–{end}"
    return pgettext("date span", "%(start)s – %(end)s") % {"start": start, "end": end}
