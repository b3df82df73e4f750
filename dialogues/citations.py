"""Ways to cite a dialogue record: plain text, BibTeX, CSL-JSON and schema.org JSON-LD.

Every function reads a dialogue fetched with `Dialogue.objects.with_relations()` and only walks
the prefetched relations, so building a citation never costs a query of its own.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.parser_classes import (
    Date,
    Interval,
    Level1Interval,
    Season,
    UncertainOrApproximate,
    Unspecified,
)

from . import dates
from .models import ParticipantKind, Role, Track

ARCHIVE_NAME = "Track II Dialogue Archive"
RECORD_KIND = "dialogue record"

# The characters EDTF uses to say a date is approximate (~), uncertain (?) or both (%).
QUALIFIERS = frozenset("~?%")

# One pass of str.translate, so the backslashes this adds are never escaped a second time.
# Braces become text commands rather than \{ and \}: BibTeX counts every brace, escaped or not,
# so a lone \{ would unbalance the field.
_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)

_SCHEMA_TYPES = {ParticipantKind.PERSON: "Person", ParticipantKind.GROUP: "Organization"}

# Proposers and proposed participants belong to talks that, as far as the sources say, were never
# held, so calling them attendees would claim more than the record does.
_NOT_ATTENDING = frozenset({Role.ORGANISER, Role.PROPOSER, Role.PROPOSED})


# --- Shared pieces ------------------------------------------------------------------------


@dataclass(frozen=True)
class CitedVersion:
    """The version of a record a citation names: its number, the day it was saved, its address.

    A citation that names its version keeps pointing at what the reader read after the record
    is corrected; the plain record address would show the corrected text.
    """

    number: int
    day: datetime.date
    url: str

    @property
    def words(self) -> str:
        return f"version {self.number}, {_day_words(self.day)}"


def _day_words(day: datetime.date) -> str:
    return f"{day.day} {dates.MONTHS[day.month - 1]} {day.year}"


def _cited_sources(dialogue) -> list[tuple[object, list[int]]]:
    """Return each distinct cited source once, in citation order, with its sorted paragraphs."""
    paragraphs: dict[int, tuple[object, set[int]]] = {}
    for citation in dialogue.citations.all():
        entry = paragraphs.setdefault(citation.source_id, (citation.source, set()))
        entry[1].add(citation.paragraph)
    return [(source, sorted(numbers)) for source, numbers in paragraphs.values()]


def _locator(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"¶ {numbers[0]}"
    return "¶¶ " + ", ".join(str(n) for n in numbers)


def _source_words(source, numbers: list[int]) -> str:
    parts = [source.author, f"“{source.title}”"]
    if source.publication:
        parts.append(source.publication)
    parts += [source.date_display, _locator(numbers)]
    return ", ".join(part for part in parts if part)


def _based_on(dialogue) -> str:
    """Say which sources the record rests on, or return "" when it cites none."""
    sources = _cited_sources(dialogue)
    if not sources:
        return ""
    return "Based on: " + "; ".join(_source_words(s, n) for s, n in sources) + "."


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# --- Plain text ---------------------------------------------------------------------------


def cite_text(
    dialogue, url: str, accessed: datetime.date, version: CitedVersion | None = None
) -> str:
    """Return a ready citation of the record in plain text, naming the sources it rests on.

    With `version`, the citation names that version and gives its own address.
    """
    kind = f"{RECORD_KIND}, {version.words}" if version else RECORD_KIND
    url = version.url if version else url
    text = (
        f"“{dialogue.title}” ({dialogue.date_display}). {ARCHIVE_NAME}, {kind}. "
        f"{url} (accessed {_day_words(accessed)})."
    )
    based_on = _based_on(dialogue)
    return f"{text} {based_on}" if based_on else text


# --- BibTeX -------------------------------------------------------------------------------


def bibtex_escape(text: str) -> str:
    """Escape the characters that mean something to BibTeX or LaTeX; keep other Unicode as is."""
    return _one_line(text).translate(_BIBTEX_ESCAPES)


def _bibtex_title(title: str) -> str:
    """Escape a title and brace each word with a capital, so styles that lower-case keep it."""
    words = []
    for word in _one_line(title).split(" "):
        escaped = word.translate(_BIBTEX_ESCAPES)
        if any(char.isupper() for char in word):
            # BibTeX reads a group that opens with a backslash as one "special character" and
            # still changes the case of its letters; a second brace makes it a plain group.
            escaped = f"{{{{{escaped}}}}}" if escaped.startswith("\\") else f"{{{escaped}}}"
        words.append(escaped)
    return " ".join(words)


def _bibtex_url(url: str) -> str:
    # biblatex and the url package read this field verbatim, so LaTeX escapes would end up in
    # the address. Only what could break the entry itself is percent-encoded.
    return quote(url.strip(), safe="".join(chr(c) for c in range(33, 127) if chr(c) not in "{}\\"))


def _record_year(dialogue, accessed: datetime.date, version=None) -> int:
    """Return the year of the version of the record being cited."""
    if version is not None:
        return version.day.year
    updated = getattr(dialogue, "updated", None)
    if updated is None:
        return accessed.year
    if timezone.is_aware(updated):
        updated = timezone.localtime(updated)
    return updated.year


def _date_note(dialogue) -> str:
    return f"Dialogue dated {dialogue.date_display} (EDTF: {dialogue.date})."


def bibtex(dialogue, url: str, accessed: datetime.date, version: CitedVersion | None = None) -> str:
    """Return a BibTeX `@misc` entry for the record.

    `year` is the year of the archive record, since that is what is being cited; the dialogue's
    own date goes in `note`, in words and in EDTF.
    """
    note = _date_note(dialogue)
    based_on = _based_on(dialogue)
    if based_on:
        note = f"{note} {based_on}"
    fields = [
        ("title", _bibtex_title(dialogue.title)),
        ("howpublished", bibtex_escape(ARCHIVE_NAME)),
        ("publisher", bibtex_escape(ARCHIVE_NAME)),
        ("year", str(_record_year(dialogue, accessed, version))),
        ("url", _bibtex_url(version.url if version else url)),
        ("urldate", accessed.isoformat()),
        ("note", bibtex_escape(note)),
    ]
    if version:
        fields[3:3] = [("version", f"{version.number}"), ("date", version.day.isoformat())]
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(dialogue)},\n{body}\n}}\n"


def bibtex_key(dialogue) -> str:
    """Return the entry's citation key: `trackii-` and the slug, with anything unsafe dropped."""
    return "trackii-" + re.sub(r"[^A-Za-z0-9_-]", "", dialogue.slug)


# --- CSL-JSON -----------------------------------------------------------------------------


def _point_parts(point) -> tuple[list[list[int]], int | None]:
    """Return the date-parts one EDTF point stands for (two when it is a range) and its season."""
    if isinstance(point, UncertainOrApproximate):
        return _point_parts(point.date)
    if isinstance(point, Season):
        # CSL numbers the seasons 1–4 from spring; EDTF numbers them 21–24.
        season = int(point.season) - 20
        return [[int(point.year)]], season if 1 <= season <= 4 else None
    if isinstance(point, Date) and not isinstance(point, Unspecified):
        parts = [int(point.year)]
        if point.month:
            parts.append(int(point.month))
            if point.day:
                parts.append(int(point.day))
        return [parts], None
    # Unspecified digits (198X) and the rarer EDTF forms: give the plain, unfuzzed day range.
    low = struct_time_to_date(point.lower_strict())
    high = struct_time_to_date(point.upper_strict())
    low_parts, high_parts = [low.year, low.month, low.day], [high.year, high.month, high.day]
    return ([low_parts] if low == high else [low_parts, high_parts]), None


@lru_cache(maxsize=1024)
def csl_date(edtf: str) -> dict:
    """Turn an EDTF string into a CSL-JSON date: date-parts, `circa` when qualified, and words.

    The parts keep the precision the editor wrote (`1976~` is the year 1976, circa) instead of
    the fuzzy day bounds stored for sorting, which would turn "about 1976" into 1975–1977.
    """
    try:
        parsed = parse_edtf(edtf)
    except Exception:  # the parser raises several kinds of error, not all of them its own
        return {"literal": edtf}
    if isinstance(parsed, (Interval, Level1Interval)):
        try:
            lower, _ = _point_parts(parsed.lower)
            upper, _ = _point_parts(parsed.upper)
        except (AttributeError, TypeError, ValueError):
            return {"literal": dates.display(edtf)}
        parts, season = [lower[0], upper[-1]], None
    else:
        parts, season = _point_parts(parsed)
    result: dict = {"date-parts": parts}
    if season:
        result["season"] = season
    if QUALIFIERS & set(edtf):
        result["circa"] = True
    result["literal"] = dates.display(edtf)
    return result


def csl_json(
    dialogue, url: str, accessed: datetime.date, version: CitedVersion | None = None
) -> list[dict]:
    """Return a CSL-JSON array holding one item for the record (and the version cited)."""
    item = {
        "id": bibtex_key(dialogue),
        "type": "entry",
        "title": dialogue.title,
        "container-title": ARCHIVE_NAME,
        "publisher": ARCHIVE_NAME,
        "genre": RECORD_KIND,
        "URL": url,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "issued": dict(csl_date(dialogue.date)),
    }
    if version:
        item["URL"] = version.url
        item["version"] = str(version.number)
    based_on = _based_on(dialogue)
    if based_on:
        item["note"] = based_on
    return [item]


# --- schema.org JSON-LD -------------------------------------------------------------------


def _agent(participant) -> dict:
    return {
        "@type": _SCHEMA_TYPES.get(participant.kind, "Thing"),
        "name": participant.name,
    }


def _creative_work(source) -> dict:
    work = {
        "@type": "CreativeWork",
        "name": source.title,
        "author": {"@type": "Person", "name": source.author},
    }
    if source.url:
        work["url"] = source.url
    return work


def event_json_ld(dialogue, url: str) -> dict:
    """Return schema.org `Event` JSON-LD for the record.

    The start and end are the stored earliest and latest possible days, so an uncertain date
    reads as the whole span it may fall in. Talks that were only proposed get no `eventStatus`.
    """
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": dialogue.title,
        "description": _one_line(dialogue.summary),
        "url": url,
    }
    if dialogue.date_earliest and dialogue.date_latest:
        data["startDate"] = dialogue.date_earliest.isoformat()
        data["endDate"] = dialogue.date_latest.isoformat()
    if dialogue.track != Track.PROPOSED:
        data["eventStatus"] = "https://schema.org/EventScheduled"
    if dialogue.place:
        data["location"] = {"@type": "Place", "name": dialogue.place}
    participations = list(dialogue.participations.all())
    organisers = [p.participant for p in participations if p.role == Role.ORGANISER]
    attendees = [p.participant for p in participations if p.role not in _NOT_ATTENDING]
    if organisers:
        data["organizer"] = [_agent(p) for p in organisers]
    if attendees:
        data["attendee"] = [_agent(p) for p in attendees]
    sources = _cited_sources(dialogue)
    if sources:
        data["isBasedOn"] = [_creative_work(source) for source, _ in sources]
    return data


# `<`, `>` and `&` are what could end the script element or open a comment inside it; the
# line and paragraph separators are escaped too, as Django's json_script does.
_SCRIPT_ESCAPES = str.maketrans(
    {
        "<": "\\u003C",
        ">": "\\u003E",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def json_ld_script(data, nonce: str = "") -> SafeString:
    """Return `data` inside a `<script type="application/ld+json">` element, safe to embed.

    `nonce` is the request's Content-Security-Policy nonce, the only way an inline script is
    let through.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    attributes = f' nonce="{escape(nonce)}"' if nonce else ""
    return mark_safe(
        f'<script type="application/ld+json"{attributes}>'
        + text.translate(_SCRIPT_ESCAPES)
        + "</script>"
    )
