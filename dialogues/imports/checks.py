"""Check one row of an import against the archive's rules, as the admin's forms do.

An EDTF date inside its era, at least one citation, excerpts no longer than the model allows,
known vocabularies and slugs. Each problem names its column, the value and what is accepted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.text import slugify

from .. import dates as archive_dates
from .. import xmltext
from ..models import (
    EXCERPT_MAX_WORDS,
    Dialogue,
    Level,
    OutcomeKind,
    PastSlug,
    Role,
    Status,
    TalksStatus,
    Track,
    VenueKind,
)
from ..models.evidence import excerpt_problem
from . import cells
from .archive import Existing, Lookups, unnamed_hidden
from .compare import diff
from .dates import bounds

DEFAULTS = {
    "date_note": "",
    "place": "",
    "venue": "",
    "venue_kind": VenueKind.NOT_STATED,
    "track": Track.TRACK_II,
    "talks": TalksStatus.HELD,
    "level": Level.NOT_STATED,
    "level_note": "",
    "embargo_until": None,
}


LIMITS = {"title": 300, "place": 200, "venue": 200, "slug": 120}


# A TextChoices' `values` is worked out afresh on each call; a row asks for it several times.
ROLES = frozenset(Role.values)
VOCABULARIES = {
    "venue_kind": frozenset(VenueKind.values),
    "track": frozenset(Track.values),
    "talks": frozenset(TalksStatus.values),
    "level": frozenset(Level.values),
}
OUTCOME_KINDS = frozenset(OutcomeKind.values)
# How a vocabulary's error names it, where its field's name is not a word.
WORDS = {"talks": "status of talks", "level": "level (track)"}


@dataclass
class Problem:
    column: str
    value: str
    message: str


@dataclass
class Target:
    """What a row asks the dialogue to be; a list left as None was not in the file."""

    fields: dict
    takings: dict | None = None  # participant slug -> Taking
    masked: int = 0
    outcomes: dict | None = None  # kind -> description
    citations: list = field(default_factory=list)  # (source slug, paragraph, excerpt)
    places: list | None = None  # place slugs, in order
    memberships: dict | None = None  # series slug -> cells.Membership


@dataclass
class RowPlan:
    number: int
    slug: str
    title: str
    action: str = "invalid"  # new, changed, unchanged or invalid
    problems: list[Problem] = field(default_factory=list)
    diff: list[tuple[str, str, str]] = field(default_factory=list)
    published: bool = False
    target: Target | None = None
    existing: Existing | None = None
    # citations of the existing record: target index -> existing pk kept or corrected
    citation_matches: dict = field(default_factory=dict)

    def problem(self, column: str, value, message: str) -> None:
        self.problems.append(Problem(column, str(value if value is not None else ""), message))


def _choices_text(vocabulary) -> str:
    return ", ".join(vocabulary.values)


def _listed(values, limit: int = 12) -> str:
    values = sorted(values)
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def check_row(number, row: dict, header: set, lookups: Lookups, seen: dict) -> RowPlan:
    slug = row.get("slug", "").strip()
    title = " ".join(row.get("title", "").split())
    plan = RowPlan(number, slug, title)
    for column, value in row.items():
        message = xmltext.refusal(value)
        if message:
            plan.problem(column, xmltext.visible(value), message)
    existing = lookups.existing.get(slug) if slug else None
    plan.existing = existing
    fields = _check_fields(plan, row, header, lookups, existing)
    target = Target(fields)
    if "participant_list" in header:
        target.takings, target.masked = _check_takings(plan, row["participant_list"], lookups)
    if "outcome_list" in header:
        target.outcomes = _check_outcomes(plan, row["outcome_list"])
    target.citations = _check_citations(plan, row["citation_list"], lookups)
    if "place_slugs" in header:
        target.places = _check_places(plan, row["place_slugs"], lookups)
    if "series_list" in header:
        target.memberships = _check_memberships(plan, row["series_list"], lookups)
    _check_slug(plan, lookups, seen)
    if existing is not None and target.masked:
        unnamed = len(unnamed_hidden(existing, target.takings))
        if target.masked != unnamed:
            plan.problem(
                "participant_list",
                f"{target.masked} masked",
                f"The record has {unnamed} participant(s) whose names are withheld today and "
                f"not named in the cell, which masks {target.masked} (“* | role | withheld”). "
                "Import the editors' export (from the admin), which names them, to change them.",
            )
    elif existing is None and target.masked:
        plan.problem(
            "participant_list",
            "*",
            "A new record cannot keep masked participants: name each by their slug, with the "
            "flag “withheld” if their name is to be withheld.",
        )
    plan.target = target
    if plan.problems:
        plan.action = "invalid"
        return plan
    if existing is None:
        plan.action = "new"
        return plan
    plan.diff = diff(existing, target, plan)
    plan.published = existing.status == Status.PUBLISHED
    if plan.diff and existing.status == Status.WITHDRAWN:
        plan.problem(
            "slug",
            slug,
            "This record is withdrawn; an import does not change withdrawn records. A publisher "
            "can reinstate it in the admin first, or leave this row as it is.",
        )
        plan.action = "invalid"
        return plan
    plan.action = "changed" if plan.diff else "unchanged"
    return plan


def _free(slug: str, base: str, lookups: Lookups, seen: dict) -> bool:
    """Whether a new record may take `slug`: no record has it now or had it before."""
    if slug in seen or slug in lookups.taken_slugs or slug in lookups.existing:
        return False
    if slug != base:
        # Every title's own slug was looked up in bulk; a numbered one is rare enough to ask.
        if (
            Dialogue.objects.filter(slug=slug).exists()
            or PastSlug.objects.filter(kind="dialogue", slug=slug).exists()
        ):
            lookups.taken_slugs.add(slug)
            return False
    return True


def _check_slug(plan: RowPlan, lookups: Lookups, seen: dict) -> None:
    slug = plan.slug
    if slug:
        if len(slug) > LIMITS["slug"]:
            plan.problem("slug", slug, f"A slug has at most {LIMITS['slug']} characters.")
            return
        try:
            validate_slug(slug)
        except ValidationError:
            plan.problem(
                "slug",
                slug,
                "A slug has only letters, digits, hyphens and underscores. Leave it empty for "
                "a new record: it is made from the title.",
            )
            return
        if slug in lookups.past_slugs:
            current = Dialogue.objects.filter(pk=lookups.past_slugs[slug]).first()
            plan.problem(
                "slug",
                slug,
                "This is the old address of “"
                + (current.title if current else "a record")
                + f"”, now {current.slug if current else 'removed'}: use its current slug, or "
                "leave the slug empty for a new record.",
            )
            return
    else:
        base = slugify(plan.title)[: LIMITS["slug"]].strip("-") or "dialogue"
        slug, n = base, 2
        while not _free(slug, base, lookups, seen):
            suffix = f"-{n}"
            slug, n = base[: LIMITS["slug"] - len(suffix)] + suffix, n + 1
        plan.slug = slug
    if slug in seen:
        plan.problem("slug", slug, f"Row {seen[slug]} has the same slug; each record once.")
    else:
        seen[slug] = plan.number


def _check_fields(plan, row, header, lookups: Lookups, existing) -> dict:
    fields = {}
    title = plan.title
    if not title:
        plan.problem("title", "", "A title is required.")
    elif len(title) > LIMITS["title"]:
        plan.problem(
            "title", title[:60] + "…", f"A title has at most {LIMITS['title']} characters."
        )
    fields["title"] = title
    summary = row.get("summary", "").strip()
    if not summary:
        plan.problem("summary", "", "A summary is required: what happened, in the archive's words.")
    fields["summary"] = summary
    text = row.get("date_edtf", "").strip()
    parsed = None
    try:
        parsed = bounds(text)
        fields["date"] = parsed.edtf
    except archive_dates.InvalidDate:
        plan.problem("date_edtf", text, archive_dates.invalid_message(text))
        fields["date"] = text
    fields["_bounds"] = parsed
    era_slug = row.get("era_slug", "").strip()
    era = lookups.eras.get(era_slug)
    if era is None:
        plan.problem(
            "era_slug", era_slug, f"No era has this slug. Accepted: {_listed(lookups.eras)}."
        )
    elif parsed is not None and not era.contains(*parsed.claimed):
        plan.problem(
            "date_edtf",
            text,
            f"The date {parsed.display} lies outside the era “{era.name}” ({era.date_display}). "
            "Choose the era that holds the whole date.",
        )
    fields["era"] = era_slug
    conflict = row.get("conflict_slug", "").strip()
    if conflict not in lookups.conflicts:
        plan.problem(
            "conflict_slug",
            conflict,
            f"No conflict has this slug. Accepted: {_listed(lookups.conflicts)}.",
        )
    fields["conflict"] = conflict
    for column, name in (
        ("date_note", "date_note"),
        ("place", "place"),
        ("venue", "venue"),
        ("level_note", "level_note"),
    ):
        if column in header:
            value = row[column].strip()
            if name in LIMITS and len(value) > LIMITS[name]:
                plan.problem(column, value[:60] + "…", f"At most {LIMITS[name]} characters.")
            fields[name] = value
    # The archive's translations (`title_he`, …): empty where there is none, and limited as
    # the English field is.
    for column in cells.TRANSLATION_COLUMNS:
        if column in header:
            value = row[column].strip()
            limit = LIMITS.get(column.rsplit("_", 1)[0])
            if limit and len(value) > limit:
                plan.problem(column, value[:60] + "…", f"At most {limit} characters.")
            fields[column] = value
    for column, name, vocabulary in (
        ("venue_kind_code", "venue_kind", VenueKind),
        ("track_code", "track", Track),
        ("talks_code", "talks", TalksStatus),
        ("level_code", "level", Level),
    ):
        if column in header:
            value = row[column].strip() or DEFAULTS[name]
            if value not in VOCABULARIES[name]:
                plan.problem(
                    column,
                    value,
                    f"Not a known {WORDS.get(name, name)}. Accepted: {_choices_text(vocabulary)}.",
                )
            fields[name] = value
    if "embargo_until" in header:
        value = row["embargo_until"].strip()
        try:
            fields["embargo_until"] = datetime.date.fromisoformat(value) if value else None
        except ValueError:
            plan.problem("embargo_until", value, "Write the day as YYYY-MM-DD, or leave it empty.")
    if existing is None:
        for name, default in DEFAULTS.items():
            fields.setdefault(name, default)
    return fields


def _check_places(plan, cell: str, lookups: Lookups) -> list[str]:
    places = []
    for line in cells.lines(cell):
        slug = line.strip()
        if slug not in lookups.places:
            plan.problem(
                "place_slugs",
                line,
                f"No place has the slug “{slug}”. Use the slug of a place in the archive, one "
                "a line (add new places in the admin first).",
            )
        elif slug in places:
            plan.problem("place_slugs", line, "This place is listed twice.")
        else:
            places.append(slug)
    return places


SERIES_ROW = (
    "Write each place in a series on its own line as “series-slug | position | stated | "
    "source-slug | paragraph | excerpt” or “series-slug | position | inferred | reason”."
)


def _check_memberships(plan, cell: str, lookups: Lookups) -> dict:
    memberships = {}
    for line in cells.lines(cell):
        membership = _membership(plan, line, lookups)
        if membership is None:
            continue
        if membership.series in memberships:
            plan.problem("series_list", line, "This series is listed twice.")
            continue
        memberships[membership.series] = membership
    return memberships


def _membership(plan, line: str, lookups: Lookups):
    """The membership a `series_list` row gives, or None after noting what is wrong with it."""
    parts = cells.split(line, 4)
    if len(parts) < 3 or not parts[2]:
        plan.problem(
            "series_list",
            line,
            "The evidence is missing: say whether the membership is stated in a source or "
            f"inferred. {SERIES_ROW}",
        )
        return None
    slug, position_text, basis = parts[0], parts[1], parts[2].lower()
    problems = []
    if slug not in lookups.series:
        problems.append(
            f"No published series has the slug “{slug}”. Use the slug of a published series "
            "(add or publish it in the admin first)."
        )
    position = int(position_text) if position_text.isascii() and position_text.isdigit() else 0
    if not 1 <= position <= 32767:
        problems.append(
            f"The position “{position_text}” must be a whole number from 1 to 32767: the "
            "dialogue's place in the series, 1 for the first."
        )
    if basis == cells.INFERRED:
        reason = cells.unescape(parts[3]) if len(parts) > 3 else ""
        if not reason.strip():
            problems.append("An inferred membership needs its reason: from what, and why.")
        membership = cells.Membership(slug, position, cells.INFERRED, reason=reason)
    elif basis == cells.STATED:
        rest = cells.split(parts[3], 3) if len(parts) > 3 else []
        source, paragraph_text, excerpt = (rest + ["", "", ""])[:3]
        excerpt = cells.unescape(excerpt)
        paragraph = cells.paragraph_number(paragraph_text)
        if not (source and paragraph_text and excerpt.strip()):
            problems.append(
                "A stated membership needs its source, paragraph and excerpt; or mark it "
                f"inferred and give the reason. {SERIES_ROW}"
            )
        else:
            if source not in lookups.sources:
                problems.append(
                    f"No source has the slug “{source}”. Use the slug of a source in the archive."
                )
            if paragraph is None:
                problems.append(cells.PARAGRAPH.format(paragraph_text))
            too_long = excerpt_problem(excerpt)
            if too_long:
                problems.append(too_long)
        membership = cells.Membership(slug, position, cells.STATED, source, paragraph, excerpt)
    else:
        problems.append(
            f"“{parts[2]}” is not a kind of evidence. Accepted: stated, inferred. {SERIES_ROW}"
        )
        membership = None
    for message in problems:
        plan.problem("series_list", line, message)
    return None if problems else membership


def check_series_positions(rows: list[RowPlan], lookups: Lookups) -> None:
    """Refuse two dialogues at one position of a series, as the file would leave them: each
    row's memberships replace its dialogue's, and the other dialogues keep theirs."""
    rewritten = {
        row.existing.pk if row.existing else None
        for row in rows
        if row.target is not None and row.target.memberships is not None
    }
    held = {
        place: dialogue
        for place, dialogue in lookups.series_positions.items()
        if dialogue not in rewritten
    }
    claimed: dict[tuple[str, int], RowPlan] = {}
    for row in rows:
        if row.target is None or not row.target.memberships:
            continue
        own = row.existing.pk if row.existing else None
        for membership in row.target.memberships.values():
            place = (membership.series, membership.position)
            other = claimed.get(place)
            if other is not None:
                message = (
                    f"Row {other.number} puts its dialogue at position {membership.position} "
                    f"of “{membership.series}” too: give each dialogue its own position."
                )
            elif place in held and held[place] != own:
                message = (
                    f"Another dialogue holds position {membership.position} of "
                    f"“{membership.series}”: give this one a free position, or move that one "
                    "first."
                )
            else:
                claimed[place] = row
                continue
            row.problem("series_list", membership.line(), message)
            row.action = "invalid"


def _check_takings(plan, cell: str, lookups: Lookups):
    takings, masked = {}, 0
    for line in cells.lines(cell):
        parts = cells.split(line, 3)
        if len(parts) < 2:
            plan.problem(
                "participant_list", line, "Write each participant as “slug | role”, one a line."
            )
            continue
        slug, role = parts[0], parts[1]
        try:
            withheld, until, show_side = cells.parse_flags(parts[2] if len(parts) > 2 else "")
        except ValueError as exc:
            plan.problem(
                "participant_list",
                line,
                f"{exc}. Accepted flags: withheld, until YYYY-MM-DD, side shown (comma-separated).",
            )
            continue
        if role not in ROLES:
            plan.problem(
                "participant_list", line, f"Unknown role “{role}”. Accepted: {_choices_text(Role)}."
            )
            continue
        if slug == cells.MASKED_SLUG:
            masked += 1
            continue
        if slug not in lookups.participants:
            plan.problem(
                "participant_list",
                line,
                f"No participant has the slug “{slug}”. Use the slug of a participant in the "
                "archive (add new people in the admin first).",
            )
            continue
        if until and not withheld:
            plan.problem(
                "participant_list", line, "A date only counts for a withheld name: add “withheld”."
            )
            continue
        if slug in takings:
            plan.problem("participant_list", line, "This participant is listed twice.")
            continue
        takings[slug] = cells.Taking(slug, role, withheld, until, show_side)
    return takings, masked


def _check_outcomes(plan, cell: str):
    outcomes = {}
    for line in cells.lines(cell):
        parts = cells.split(line, 2)
        kind = parts[0]
        description = cells.unescape(parts[1]).strip() if len(parts) > 1 else ""
        if kind not in OUTCOME_KINDS:
            plan.problem(
                "outcome_list",
                line,
                f"Unknown outcome kind “{kind}”. Accepted: {_choices_text(OutcomeKind)}.",
            )
        elif not description:
            plan.problem("outcome_list", line, "Write each outcome as “kind | description”.")
        elif kind in outcomes:
            plan.problem("outcome_list", line, "A dialogue has each kind of outcome once.")
        else:
            outcomes[kind] = description
    return outcomes


def _check_citations(plan, cell: str, lookups: Lookups):
    citations = []
    lines = cells.lines(cell)
    if not lines:
        plan.problem(
            "citation_list",
            "",
            "Missing citation: every dialogue rests on at least one cited passage, written "
            "“source-slug | paragraph | excerpt”.",
        )
    for line in lines:
        parts = cells.split(line, 3)
        if len(parts) < 3 or not parts[2].strip():
            plan.problem(
                "citation_list", line, "Write each citation as “source-slug | paragraph | excerpt”."
            )
            continue
        source, paragraph, excerpt = parts[0], parts[1], cells.unescape(parts[2]).strip()
        if source not in lookups.sources:
            plan.problem(
                "citation_list",
                line,
                f"No source has the slug “{source}”. Use the slug of a source in the archive "
                "(as in its address, /sources/<slug>/).",
            )
            continue
        if cells.paragraph_number(paragraph) is None:
            plan.problem("citation_list", line, cells.PARAGRAPH.format(paragraph))
            continue
        words = len(excerpt.split())
        if words > EXCERPT_MAX_WORDS + 5:
            plan.problem(
                "citation_list",
                line[:80] + "…",
                f"The excerpt has {words} words; quote at most about {EXCERPT_MAX_WORDS} "
                f"(no more than {EXCERPT_MAX_WORDS + 5}).",
            )
            continue
        item = (source, int(paragraph), excerpt)
        if item in citations:
            plan.problem("citation_list", line, "This passage is cited twice.")
            continue
        citations.append(item)
    return citations
