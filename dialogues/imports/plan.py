"""Check every row of an import and compare it with the archive: the dry run.

Nothing here writes. `make_plan` reads the archive's eras, conflicts, sources, participants and
the dialogues the file names in a few queries per thousand rows (never one per row), checks
each row against the same rules as the admin (an EDTF date inside its era, at least one
citation, excerpts no longer than the model allows, known vocabularies and slugs), and gives
each row its action: new, changed (with a diff), unchanged or invalid.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.text import slugify

from .. import dates as archive_dates
from ..models import (
    EXCERPT_MAX_WORDS,
    Citation,
    Conflict,
    Dialogue,
    Era,
    Outcome,
    OutcomeKind,
    Participant,
    Participation,
    PastSlug,
    Role,
    Source,
    Status,
    Track,
    VenueKind,
)
from ..models.disclosure import today
from . import cells
from .dates import bounds
from .reading import Table, read

CHUNK = 900  # below SQLite's default limit of variables in one query

# Dialogue fields an import sets, by the column that holds them.
SCALAR_COLUMNS = {
    "title": "title",
    "date_edtf": "date",
    "date_note": "date_note",
    "era_slug": "era",
    "conflict_slug": "conflict",
    "place": "place",
    "venue": "venue",
    "venue_kind_code": "venue_kind",
    "track_code": "track",
    "summary": "summary",
    "embargo_until": "embargo_until",
}
DEFAULTS = {
    "date_note": "",
    "place": "",
    "venue": "",
    "venue_kind": VenueKind.NOT_STATED,
    "track": Track.TRACK_II,
    "embargo_until": None,
}
LIMITS = {"title": 300, "place": 200, "venue": 200, "slug": 120}
# A TextChoices' `values` is worked out afresh on each call; a row asks for it several times.
ROLES = frozenset(Role.values)
OUTCOME_KINDS = frozenset(OutcomeKind.values)
VOCABULARIES = {"venue_kind": frozenset(VenueKind.values), "track": frozenset(Track.values)}


@dataclass
class Problem:
    column: str
    value: str
    message: str


@dataclass
class Existing:
    """A dialogue of the archive as the import compares it, with its rows' keys."""

    pk: int
    version: int
    status: str
    fields: dict
    takings: dict  # participant slug -> (pk, Taking)
    hidden: list  # pks of participations withheld today (what the public export masks)
    outcomes: dict  # kind -> (pk, description)
    citations: list  # (pk, source slug, paragraph, excerpt)
    outcome_keys: dict = field(default_factory=dict)  # pk -> key
    citation_keys: dict = field(default_factory=dict)  # pk -> key


@dataclass
class Target:
    """What a row asks the dialogue to be; a list left as None was not in the file."""

    fields: dict
    takings: dict | None = None  # participant slug -> Taking
    masked: int = 0
    outcomes: dict | None = None  # kind -> description
    citations: list = field(default_factory=list)  # (source slug, paragraph, excerpt)


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


@dataclass
class Plan:
    file_name: str
    sha256: str
    rows: list[RowPlan]
    ignored_columns: list[str]
    lookups: Lookups | None = None

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "changed", "unchanged", "invalid")}

    @property
    def is_clean(self) -> bool:
        return not self.count("invalid")

    @property
    def has_changes(self) -> bool:
        return bool(self.count("new") or self.count("changed"))


@dataclass
class Lookups:
    """The archive's records a file may name, read once for the whole file."""

    eras: dict[str, Era]
    conflicts: dict[str, int]
    sources: dict[str, int]
    participants: dict[str, int]
    existing: dict[str, Existing]
    past_slugs: dict[str, int]
    taken_slugs: set[str]


def make_plan(name: str, content: bytes, *, progress=None) -> Plan:
    """Read and check the file; raise reading.UnreadableFile if it cannot be read at all."""
    table = read(name, content)
    lookups = _lookups(table)
    plan = Plan(
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=[],
        ignored_columns=table.ignored_columns,
        lookups=lookups,
    )
    for number, message in table.misfits:
        row = RowPlan(number, "", "")
        row.problem("(row)", "", message + ": check for a stray delimiter or a missing quote")
        plan.rows.append(row)
    seen: dict[str, int] = {}
    header = set(table.header)
    for done, (number, cells_by_column) in enumerate(table.rows, start=1):
        plan.rows.append(_check_row(number, cells_by_column, header, lookups, seen))
        if progress is not None:
            progress(done, len(table.rows))
    plan.rows.sort(key=lambda row: row.number)
    if not table.rows and not table.misfits:
        row = RowPlan(1, "", "")
        row.problem("(file)", "", "The file has a header but no rows to import.")
        plan.rows.append(row)
    return plan


# --- Reading the archive once -------------------------------------------------------------


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _slugs_in(table: Table, column: str, fields: int, position: int = 0) -> set[str]:
    found = set()
    for _, row in table.rows:
        for line in cells.lines(row.get(column, "")):
            parts = cells.split(line, fields)
            if len(parts) > position:
                found.add(parts[position])
    return found


def _by_slug(model, slugs) -> dict[str, int]:
    found = {}
    for chunk in _chunks(slugs):
        found.update(model.objects.filter(slug__in=chunk).values_list("slug", "pk"))
    return found


def _lookups(table: Table) -> Lookups:
    row_slugs = {row.get("slug", "").strip() for _, row in table.rows} - {""}
    existing = _existing(row_slugs)
    missing = row_slugs - set(existing)
    past = {}
    for chunk in _chunks(missing):
        past.update(
            PastSlug.objects.filter(kind="dialogue", slug__in=chunk).values_list(
                "slug", "object_id"
            )
        )
    # Slugs new rows without one would take: taken already, or an old address of a record.
    wanted = {slugify(row.get("title", ""))[: LIMITS["slug"]] for _, row in table.rows}
    taken = set()
    for chunk in _chunks(wanted - {""}):
        taken.update(Dialogue.objects.filter(slug__in=chunk).values_list("slug", flat=True))
        taken.update(
            PastSlug.objects.filter(kind="dialogue", slug__in=chunk).values_list("slug", flat=True)
        )
    return Lookups(
        eras={era.slug: era for era in Era.objects.all()},
        conflicts=dict(Conflict.objects.values_list("slug", "pk")),
        sources=_by_slug(Source, _slugs_in(table, "citation_list", 3)),
        participants=_by_slug(Participant, _slugs_in(table, "participant_list", 3) - {"*"}),
        existing=existing,
        past_slugs=past,
        taken_slugs=taken,
    )


def _existing(slugs: set[str]) -> dict[str, Existing]:
    found: dict[str, Existing] = {}
    day = today()
    for chunk in _chunks(slugs):
        by_pk = {}
        for values in Dialogue.objects.filter(slug__in=chunk).values(
            "pk",
            "version",
            "status",
            "slug",
            "title",
            "date",
            "date_note",
            "era__slug",
            "conflict__slug",
            "place",
            "venue",
            "venue_kind",
            "track",
            "summary",
            "embargo_until",
        ):
            fields = {
                "title": values["title"],
                "date": values["date"],
                "date_note": values["date_note"],
                "era": values["era__slug"],
                "conflict": values["conflict__slug"],
                "place": values["place"],
                "venue": values["venue"],
                "venue_kind": values["venue_kind"],
                "track": values["track"],
                "summary": values["summary"],
                "embargo_until": values["embargo_until"],
            }
            record = Existing(
                values["pk"], values["version"], values["status"], fields, {}, [], {}, []
            )
            found[values["slug"]] = by_pk[values["pk"]] = record
        ids = list(by_pk)
        for dialogue_id, pk, slug, role, withheld, until, show_side in Participation.objects.filter(
            dialogue_id__in=ids
        ).values_list(
            "dialogue_id",
            "pk",
            "participant__slug",
            "role",
            "withheld",
            "withheld_until",
            "show_side",
        ):
            record = by_pk[dialogue_id]
            record.takings[slug] = (pk, cells.Taking(slug, role, withheld, until, show_side))
            if withheld and (until is None or until > day):
                record.hidden.append(pk)
        for dialogue_id, pk, kind, description, key in Outcome.objects.filter(
            dialogue_id__in=ids
        ).values_list("dialogue_id", "pk", "kind", "description", "key"):
            by_pk[dialogue_id].outcomes[kind] = (pk, description)
            by_pk[dialogue_id].outcome_keys[pk] = key
        for dialogue_id, pk, source, paragraph, excerpt, key in (
            Citation.objects.filter(dialogue_id__in=ids)
            .order_by("pk")
            .values_list("dialogue_id", "pk", "source__slug", "paragraph", "excerpt", "key")
        ):
            by_pk[dialogue_id].citations.append((pk, source, paragraph, excerpt))
            by_pk[dialogue_id].citation_keys[pk] = key
    return found


# --- One row ------------------------------------------------------------------------------


def _choices_text(vocabulary) -> str:
    return ", ".join(vocabulary.values)


def _listed(values, limit: int = 12) -> str:
    values = sorted(values)
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def _check_row(number, row: dict, header: set, lookups: Lookups, seen: dict) -> RowPlan:
    slug = row.get("slug", "").strip()
    title = " ".join(row.get("title", "").split())
    plan = RowPlan(number, slug, title)
    existing = lookups.existing.get(slug) if slug else None
    plan.existing = existing
    fields = _check_fields(plan, row, header, lookups, existing)
    target = Target(fields)
    if "participant_list" in header:
        target.takings, target.masked = _check_takings(plan, row["participant_list"], lookups)
    if "outcome_list" in header:
        target.outcomes = _check_outcomes(plan, row["outcome_list"])
    target.citations = _check_citations(plan, row["citation_list"], lookups)
    _check_slug(plan, lookups, seen)
    if existing is not None and target.masked:
        unnamed = len(_unnamed_hidden(existing, target.takings))
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
    plan.diff = _diff(existing, target, plan)
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


def _unnamed_hidden(existing: Existing, takings: dict) -> set[int]:
    """The participations withheld today that a list of named participants leaves out."""
    hidden = set(existing.hidden)
    return {
        pk for slug, (pk, _) in existing.takings.items() if pk in hidden and slug not in takings
    }


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
    elif parsed is not None and not era.contains(parsed.earliest, parsed.latest):
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
    for column, name in (("date_note", "date_note"), ("place", "place"), ("venue", "venue")):
        if column in header:
            value = row[column].strip()
            if name in LIMITS and len(value) > LIMITS[name]:
                plan.problem(column, value[:60] + "…", f"At most {LIMITS[name]} characters.")
            fields[name] = value
    for column, name, vocabulary in (
        ("venue_kind_code", "venue_kind", VenueKind),
        ("track_code", "track", Track),
    ):
        if column in header:
            value = row[column].strip() or DEFAULTS[name]
            if value not in VOCABULARIES[name]:
                plan.problem(
                    column, value, f"Not a known {name}. Accepted: {_choices_text(vocabulary)}."
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
        if not paragraph.isdigit() or int(paragraph) < 1:
            plan.problem(
                "citation_list", line, f"The paragraph “{paragraph}” must be a number from 1."
            )
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


# --- Comparing with the archive -------------------------------------------------------------


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def match_citations(existing: Existing, wanted: list) -> tuple[dict, list, list]:
    """Pair wanted citations with existing ones: the same passage, or the same paragraph of the
    same source with a corrected excerpt. Return (wanted index -> existing pk, unmatched wanted
    indexes, unmatched existing pks)."""
    remaining = {
        pk: (source, paragraph, excerpt) for pk, source, paragraph, excerpt in existing.citations
    }
    matches = {}
    exact = {value: pk for pk, value in remaining.items()}
    for index, item in enumerate(wanted):
        pk = exact.get(item)
        if pk is not None and pk in remaining:
            matches[index] = pk
            del remaining[pk]
    for index, (source, paragraph, _) in enumerate(wanted):
        if index in matches:
            continue
        for pk, (s, p, _) in remaining.items():
            if (s, p) == (source, paragraph):
                matches[index] = pk
                del remaining[pk]
                break
    unmatched = [i for i in range(len(wanted)) if i not in matches]
    return matches, unmatched, list(remaining)


def _diff(existing: Existing, target: Target, plan: RowPlan) -> list[tuple[str, str, str]]:
    diff = []
    columns = {name: column for column, name in SCALAR_COLUMNS.items()}
    for name, value in target.fields.items():
        if name.startswith("_"):
            continue
        before = existing.fields[name]
        if before != value:
            diff.append((columns[name], _shown(name, before), _shown(name, value)))
    if target.takings is not None:
        # Masked rows keep the withheld participations the cell does not name; the named rows
        # are the rest of the list.
        kept = _unnamed_hidden(existing, target.takings) if target.masked else set()
        before_map = {
            slug: taking for slug, (pk, taking) in existing.takings.items() if pk not in kept
        }
        for slug in sorted(set(before_map) | set(target.takings)):
            old, new = before_map.get(slug), target.takings.get(slug)
            if old != new:
                diff.append(
                    ("participant_list", old.line() if old else "—", new.line() if new else "—")
                )
    if target.outcomes is not None:
        for kind in sorted(set(existing.outcomes) | set(target.outcomes)):
            old = existing.outcomes.get(kind)
            new = target.outcomes.get(kind)
            if (old and old[1]) != new:
                diff.append(
                    (
                        "outcome_list",
                        cells.outcome_line(kind, old[1]) if old else "—",
                        cells.outcome_line(kind, new) if new is not None else "—",
                    )
                )
    matches, added, removed = match_citations(existing, target.citations)
    plan.citation_matches = matches
    by_pk = {pk: (s, p, e) for pk, s, p, e in existing.citations}
    for index, pk in sorted(matches.items()):
        if by_pk[pk] != target.citations[index]:
            diff.append(
                (
                    "citation_list",
                    cells.citation_line(*by_pk[pk]),
                    cells.citation_line(*target.citations[index]),
                )
            )
    for index in added:
        diff.append(("citation_list", "—", cells.citation_line(*target.citations[index])))
    for pk in removed:
        diff.append(("citation_list", cells.citation_line(*by_pk[pk]), "—"))
    return diff


def group_by(items, key):
    grouped = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped
