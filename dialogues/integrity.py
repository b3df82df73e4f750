"""Find what is wrong in the archive: broken dates, eras that overlap or leave gaps, dialogues
outside their era or without a citation, overlong excerpts, and excerpts that are not verbatim
in the paragraph they cite.

Each check reads the whole archive in a fixed number of queries and returns `Problem`s; nothing
here changes a record. The `check_archive` command prints them and `load_initial_data` refuses
fixtures that add any.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.db.models import Count

from . import dates
from .models import EXCERPT_MAX_WORDS, Citation, Dialogue, Era, Source

# How far past EXCERPT_MAX_WORDS an excerpt may run: the limit is "about" 30 words.
EXCERPT_WORD_SLACK = 5

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record.

    `record` names the record as (model label, natural key) so that callers can tell which
    record it is without parsing the label; it takes no part in comparing problems.
    """

    code: str
    label: str
    message: str
    record: tuple[str, tuple] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"[{self.code}] {self.label}: {self.message}"


class SourceTextError(Exception):
    """The folder of source texts, or a file in it, cannot be read."""


# --- Labels -------------------------------------------------------------------------------


def _record(obj) -> tuple[str, tuple]:
    return (obj._meta.label_lower, tuple(obj.natural_key()))


def era_label(era: Era) -> str:
    return f"era {era.slug}"


def source_label(source: Source) -> str:
    return f"source {source.slug}"


def dialogue_label(dialogue: Dialogue) -> str:
    return f"dialogue {dialogue.slug}"


def citation_label(citation: Citation) -> str:
    return f"citation {citation.dialogue.slug} / {citation.source.slug} ¶{citation.paragraph}"


# --- Checks on the records ----------------------------------------------------------------


def find_problems(sources_dir: str | Path | None = None) -> list[Problem]:
    """Return every problem in the archive, checking excerpts against texts in `sources_dir`.

    The folder is read before the database, so an unreadable folder fails fast with
    SourceTextError instead of after the slower checks.
    """
    texts = read_source_texts(sources_dir) if sources_dir is not None else None
    problems = check_records()
    if texts is not None:
        problems += check_source_texts(texts)
    return problems


def check_records() -> list[Problem]:
    """Return the problems that the records alone reveal (everything but the source texts)."""
    eras = list(Era.objects.ordered())
    sources = list(Source.objects.order_by("slug"))
    dialogues = list(
        Dialogue.objects.select_related("era")
        .annotate(citation_count=Count("citations"))
        .order_by("slug")
    )
    citations = list(
        Citation.objects.select_related("dialogue", "source", "outcome").order_by(
            "dialogue__slug", "source__slug", "paragraph", "pk"
        )
    )
    return [
        *check_dates(eras, label=era_label),
        *check_dates(sources, label=source_label),
        *check_dates(dialogues, label=dialogue_label),
        *check_era_overlaps(eras),
        *check_era_sequence(eras),
        *check_dialogues(dialogues),
        *check_citations(citations),
    ]


def check_dates(records: Iterable, *, label) -> list[Problem]:
    """Flag dates that are not valid EDTF, and stored bounds that no longer match the date.

    Stale bounds happen when a row is changed by a bulk update, which skips the signal that
    fills them; every range filter and the era checks below would then read the wrong days.
    """
    problems = []
    for record in records:
        try:
            bounds = dates.parse(record.date)
        except dates.InvalidDate:
            problems.append(
                Problem(
                    "invalid-date",
                    label(record),
                    dates.invalid_message(record.date or ""),
                    _record(record),
                )
            )
            continue
        stored = (record.date_earliest, record.date_latest)
        if stored != (bounds.earliest, bounds.latest):
            problems.append(
                Problem(
                    "stale-date-bounds",
                    label(record),
                    f"The date “{record.date}” runs from {bounds.earliest} to {bounds.latest}, "
                    f"but the stored bounds say {stored[0]} to {stored[1]}. Save the record "
                    "again to recompute them.",
                    _record(record),
                )
            )
    return problems


def _has_bounds(record) -> bool:
    return record.date_earliest is not None and record.date_latest is not None


def check_era_overlaps(eras: list[Era]) -> list[Problem]:
    """Flag every pair of eras whose stored days overlap."""
    problems = []
    dated = [era for era in eras if _has_bounds(era)]
    for i, era in enumerate(dated):
        for other in dated[i + 1 :]:
            if era.overlaps(other):
                problems.append(
                    Problem(
                        "era-overlap",
                        era_label(era),
                        f"“{era.name}” ({era.date_earliest} to {era.date_latest}) overlaps "
                        f"“{other.name}” ({other.date_earliest} to {other.date_latest}). "
                        "Eras may not overlap.",
                        _record(era),
                    )
                )
    return problems


def check_era_sequence(eras: list[Era]) -> list[Problem]:
    """Walk the eras in position order and flag each one that does not start the next day.

    Overlaps are left to check_era_overlaps; here an era that starts before its predecessor
    ends is only flagged when the two do not overlap at all, that is, when it is out of order.
    An era with no bounds (an invalid date, flagged elsewhere) breaks the walk, since nothing
    can be said about what lies next to it.
    """
    problems = []
    previous = None
    for era in eras:
        if not _has_bounds(era):
            previous = None
            continue
        if previous is not None:
            expected = previous.date_latest + ONE_DAY
            if era.date_earliest > expected:
                problems.append(
                    Problem(
                        "era-gap",
                        era_label(era),
                        f"Nothing covers {expected} to {era.date_earliest - ONE_DAY}: "
                        f"“{previous.name}” (position {previous.position}) ends on "
                        f"{previous.date_latest}, but “{era.name}” (position {era.position}) "
                        f"starts on {era.date_earliest}. Each era must start the day after "
                        "the previous one ends.",
                        _record(era),
                    )
                )
            elif era.date_earliest < expected and not era.overlaps(previous):
                problems.append(
                    Problem(
                        "era-order",
                        era_label(era),
                        f"“{era.name}” (position {era.position}) ends on {era.date_latest}, "
                        f"before “{previous.name}” (position {previous.position}) starts on "
                        f"{previous.date_earliest}. Number the eras in date order.",
                        _record(era),
                    )
                )
        previous = era
    return problems


def check_dialogues(dialogues: list[Dialogue]) -> list[Problem]:
    """Flag dialogues dated outside their era and dialogues with no citation.

    Expects the dialogues with `era` selected and `citation_count` annotated.
    """
    problems = []
    for dialogue in dialogues:
        era = dialogue.era
        if (
            _has_bounds(dialogue)
            and _has_bounds(era)
            and not era.contains(dialogue.date_earliest, dialogue.date_latest)
        ):
            problems.append(
                Problem(
                    "dialogue-outside-era",
                    dialogue_label(dialogue),
                    f"The date “{dialogue.date}” ({dialogue.date_earliest} to "
                    f"{dialogue.date_latest}) lies outside its era “{era.name}” "
                    f"({era.date_earliest} to {era.date_latest}).",
                    _record(dialogue),
                )
            )
        if dialogue.citation_count == 0:
            problems.append(
                Problem(
                    "no-citation",
                    dialogue_label(dialogue),
                    "The dialogue cites no source. Every record must rest on at least one passage.",
                    _record(dialogue),
                )
            )
    return problems


def check_citations(citations: list[Citation]) -> list[Problem]:
    """Flag empty or overlong excerpts, and outcomes that belong to another dialogue.

    Expects the citations with `dialogue`, `source` and `outcome` selected.
    """
    problems = []
    limit = EXCERPT_MAX_WORDS + EXCERPT_WORD_SLACK
    for citation in citations:
        words = len(citation.excerpt.split())
        if words == 0:
            problems.append(
                Problem(
                    "excerpt-empty",
                    citation_label(citation),
                    "The excerpt is empty.",
                    _record(citation),
                )
            )
        elif words > limit:
            problems.append(
                Problem(
                    "excerpt-too-long",
                    citation_label(citation),
                    f"The excerpt has {words} words; quote at most about {EXCERPT_MAX_WORDS} "
                    f"(up to {limit}).",
                    _record(citation),
                )
            )
        if citation.outcome is not None and citation.outcome.dialogue_id != citation.dialogue_id:
            problems.append(
                Problem(
                    "citation-outcome",
                    citation_label(citation),
                    f"The outcome “{citation.outcome}” it supports belongs to another dialogue.",
                    _record(citation),
                )
            )
    return problems


# --- Checks against the source texts ------------------------------------------------------

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2026": "...",  # ellipsis
        "\u00ad": None,  # soft hyphen: invisible, only a line-break hint
    }
)

_BLANK_LINE = re.compile(r"\n[ \t\f\v\u00a0]*\n")


def normalise(text: str) -> str:
    """Fold typographic quotes, apostrophes and dashes to plain ones and collapse whitespace.

    Sources and editors type the same words with different quote marks and line breaks; those
    differences are not changes of wording, so excerpts are compared after this.
    """
    return " ".join(text.translate(_TYPOGRAPHY).split())


@dataclass(frozen=True)
class SourceText:
    """One text file from the sources folder, split into blank-line-separated blocks."""

    path: Path
    blocks: tuple[str, ...]  # normalised, in file order, empty blocks dropped

    @cached_property
    def folded(self) -> str:
        return " ".join(self.blocks).casefold()

    @cached_property
    def heading(self) -> str:
        return self.blocks[0].casefold() if self.blocks else ""

    def paragraphs(self, first_words: str) -> list[str] | None:
        """Return the paragraphs from the one that begins with `first_words`, or None.

        Whatever comes before it (headline, byline, page furniture) is not counted.
        """
        opening = normalise(first_words)
        if not opening:
            return None
        for index, block in enumerate(self.blocks):
            if block.startswith(opening):
                return list(self.blocks[index:])
        return None


def _split_blocks(text: str) -> tuple[str, ...]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (normalise(block) for block in _BLANK_LINE.split(text))
    return tuple(block for block in blocks if block)


def read_source_texts(folder: str | Path) -> list[SourceText]:
    """Read every .txt file in `folder`, or raise SourceTextError saying what is wrong."""
    if not str(folder).strip():
        raise SourceTextError("No folder was given; name the folder that holds the source texts.")
    folder = Path(folder)
    if not folder.exists():
        raise SourceTextError(f"The folder “{folder}” does not exist.")
    if not folder.is_dir():
        raise SourceTextError(f"“{folder}” is a file, not a folder.")
    try:
        # iterdir() raises on an unreadable folder where glob() would silently find nothing.
        paths = sorted(
            path for path in folder.iterdir() if path.suffix.lower() == ".txt" and path.is_file()
        )
    except OSError as exc:
        raise SourceTextError(f"The folder “{folder}” cannot be read: {exc.strerror}.") from exc
    if not paths:
        raise SourceTextError(
            f"The folder “{folder}” holds no .txt files; put each source text there as a "
            "plain UTF-8 text file."
        )
    texts = []
    for path in paths:
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceTextError(
                f"“{path}” is not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8."
            ) from exc
        except OSError as exc:
            raise SourceTextError(f"“{path}” cannot be read: {exc.strerror}.") from exc
        texts.append(SourceText(path, _split_blocks(raw)))
    return texts


def match_source_text(source: Source, texts: list[SourceText]) -> list[SourceText]:
    """Return the texts that could be `source`'s: those whose text contains its title.

    Essays may quote each other's titles, so when several contain it, those that carry it in
    their heading (the first block) win.
    """
    title = normalise(source.title).casefold()
    if not title:
        return []
    candidates = [text for text in texts if title in text.folded]
    if len(candidates) > 1:
        headed = [text for text in candidates if title in text.heading]
        candidates = headed or candidates
    return candidates


def check_source_texts(texts: list[SourceText]) -> list[Problem]:
    """Check every citation's excerpt against its source's cited paragraph in `texts`."""
    sources = list(Source.objects.order_by("slug"))
    citations = list(
        Citation.objects.select_related("dialogue", "source").order_by(
            "source__slug", "paragraph", "dialogue__slug", "pk"
        )
    )
    problems = []
    paragraphs_by_source: dict[int, list[str]] = {}
    for source in sources:
        candidates = match_source_text(source, texts)
        if not candidates:
            problems.append(
                Problem(
                    "source-text-missing",
                    source_label(source),
                    f"No text file contains the title “{source.title}”, so its excerpts "
                    "cannot be checked.",
                    _record(source),
                )
            )
            continue
        if len(candidates) > 1:
            names = ", ".join(text.path.name for text in candidates)
            problems.append(
                Problem(
                    "source-text-ambiguous",
                    source_label(source),
                    f"Several text files carry the title “{source.title}” in their heading "
                    f"({names}); keep only one.",
                    _record(source),
                )
            )
            continue
        text = candidates[0]
        paragraphs = text.paragraphs(source.first_words)
        if paragraphs is None:
            problems.append(
                Problem(
                    "first-words-missing",
                    source_label(source),
                    f"No paragraph of {text.path.name} begins with the first words "
                    f"“{source.first_words}”, so paragraphs cannot be counted.",
                    _record(source),
                )
            )
            continue
        paragraphs_by_source[source.pk] = paragraphs

    for citation in citations:
        paragraphs = paragraphs_by_source.get(citation.source_id)
        if paragraphs is None:
            continue  # the source's own problem is reported above
        problem = _check_excerpt(citation, paragraphs)
        if problem is not None:
            problems.append(problem)
    return problems


def _check_excerpt(citation: Citation, paragraphs: list[str]) -> Problem | None:
    excerpt = normalise(citation.excerpt)
    if not excerpt:
        return None  # check_citations reports empty excerpts
    number = citation.paragraph
    if 1 <= number <= len(paragraphs) and excerpt in paragraphs[number - 1]:
        return None
    found_in = [i for i, paragraph in enumerate(paragraphs, start=1) if excerpt in paragraph]
    if found_in:
        noun = "paragraph" if len(found_in) == 1 else "paragraphs"
        elsewhere = f"It is in {noun} {', '.join(map(str, found_in))}."
    else:
        elsewhere = "It is not in any paragraph of the source."
    if not 1 <= number <= len(paragraphs):
        return Problem(
            "paragraph-missing",
            citation_label(citation),
            f"The source has paragraphs 1 to {len(paragraphs)}; there is no paragraph {number}. "
            + elsewhere,
            _record(citation),
        )
    if found_in:
        return Problem(
            "excerpt-wrong-paragraph",
            citation_label(citation),
            f"The excerpt is not in paragraph {number}. " + elsewhere,
            _record(citation),
        )
    return Problem(
        "excerpt-not-verbatim",
        citation_label(citation),
        f"The excerpt “{_shorten(citation.excerpt)}” is not verbatim in paragraph {number}. "
        + elsewhere,
        _record(citation),
    )


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
