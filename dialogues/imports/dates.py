"""An uncertain date's bounds and words, without the EDTF parser for the commonest forms.

The `edtf` package takes about 20 ms a string; ten thousand rows with their own dates would
spend minutes in it. A year, a month or a day, or a span of two of them, with no qualifier,
has exact bounds that need no parser, and `dates.plain_words` already says them in the
parser's words. Everything else (`1976~`, `2006?`, seasons, …) goes to `dates.parse`, whose
results are cached. The tests compare the two on every form.
"""

from __future__ import annotations

import calendar
import datetime
import re

from .. import dates

_POINT = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _point(text: str) -> tuple[datetime.date, datetime.date]:
    year, month, day = (int(part) if part else 0 for part in _POINT.fullmatch(text).groups())
    if day:
        first = last = datetime.date(year, month, day)
    elif month:
        first = datetime.date(year, month, 1)
        last = first.replace(day=calendar.monthrange(year, month)[1])
    else:
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return first, last


def bounds(value: str) -> dates.Bounds:
    """Parse an EDTF string into its bounds and words, or raise dates.InvalidDate."""
    text = (value or "").strip()
    words = dates.plain_words(text)
    if words is None or text.endswith(("~", "?", "%")):
        return dates.parse(text)
    start, _, end = text.partition("/")
    earliest = _point(start)[0]
    latest = _point(end or start)[1]
    return dates.Bounds(text, earliest, latest, words)
