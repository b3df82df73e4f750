"""Confidential participation: which participations readers may see by name, decided in one place.

A participation marked `withheld` is shown to readers as "a participant whose name is withheld"
until its `withheld_until` date (forever without one), and with its side only when `show_side`
allows. The decision is always taken against today's date when a query runs or a page renders,
never stored, so an embargo lifts on its date without anyone acting and no scheduled job exists
to forget.

- `withheld_q(today)`: the condition a participation is withheld under, for any ORM query.
- `withheld_sql(alias, today)`: the same condition in SQL, for the search index's raw queries.
- `ParticipationQuerySet.public()`: participations as readers see them; withheld rows come out
  with their participant replaced by a nameless placeholder, so a page, serializer, export or
  citation that reads them cannot show what it was never given.
- `ParticipationQuerySet.disclosed()` / `.shows_side()`: the rows whose name (or side) may count
  in filters, facets and counts.
- `is_withheld(withheld, until, day)`: the same rule over values already read (releases,
  exports).
- `as_drawn_today(rows)`: participations rebuilt from a past version, masked by the state of
  each participation *today*, not the state saved in that version: a name withheld today is
  hidden in every old version, and one whose withholding has lifted is shown in them.

Whatever draws a participation (page, version, JSON-LD, citation, feed, OAI-PMH, API, export,
release) reads it through one of these, so the name, its link, the note and (unless
`show_side`) the side never reach a reader while the name is withheld.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.query import ModelIterable
from django.utils import timezone

from .publishing import public_q
from .translations import TRANSLATION_LANGUAGES

WITHHELD_NAME = "A participant whose name is withheld"


def today() -> datetime.date:
    return timezone.localdate()


def withheld_q(day: datetime.date | None = None, prefix: str = "") -> Q:
    """Return the condition under which a participation is withheld on `day` (default today)."""
    day = day or today()
    return Q(**{f"{prefix}withheld": True}) & (
        Q(**{f"{prefix}withheld_until__isnull": True}) | Q(**{f"{prefix}withheld_until__gt": day})
    )


def withheld_sql(alias: str, day: datetime.date | None = None) -> str:
    """Return `withheld_q` as SQL over the participation table aliased `alias`.

    The date is written as an ISO literal made from a `date`, never from user input, so the
    raw index queries that embed it need no parameters; SQLite compares the stored ISO text and
    PostgreSQL casts the literal to a date.
    """
    day = (day or today()).isoformat()
    return (
        f"({alias}.withheld AND ({alias}.withheld_until IS NULL "
        f"OR {alias}.withheld_until > '{day}'))"
    )


def is_withheld(withheld: bool, until: datetime.date | None, day=None) -> bool:
    """`withheld_q` applied to a participation's values already read."""
    return bool(withheld) and (until is None or until > (day or today()))


def public_order(participation) -> tuple:
    """Where a participation comes in the list readers see: as `public()` orders it."""
    hidden = participation.is_withheld_now
    side = participation.participant.side or ""
    return (("~" if hidden and not side else side), hidden, participation.participant.name)


def as_drawn_today(participations: list, day: datetime.date | None = None) -> list:
    """Mask participations read from a past version by today's state of each, and order them
    as readers see them.

    Today's state is that of the same participant in the same dialogue (one row per pair), so a
    row deleted and added again is still found; a participation that no longer exists at all is
    judged by the flags it had in that version.
    """
    # Looked up by name: dialogue.py imports this module for its querysets.
    Participation = apps.get_model("dialogues", "Participation")
    pairs = {(p.dialogue_id, p.participant_id) for p in participations}
    rows = Participation.objects.filter(
        dialogue_id__in={d for d, _ in pairs}, participant_id__in={p for _, p in pairs}
    ).values_list("dialogue_id", "participant_id", "withheld", "withheld_until", "show_side")
    now = {(dialogue, person): rest for dialogue, person, *rest in rows}
    for participation in participations:
        state = now.get((participation.dialogue_id, participation.participant_id))
        if state is not None:
            (
                participation.withheld,
                participation.withheld_until,
                participation.show_side,
            ) = state
        if is_withheld(participation.withheld, participation.withheld_until, day):
            mask(participation)
        else:
            participation.is_withheld_now = False
    return sorted(participations, key=lambda p: (*public_order(p), p.pk or 0))


def mask(participation) -> None:
    """Replace a withheld participation's participant by a nameless, unsaved placeholder."""
    real = participation.participant
    # None, not "", for what is unknown to the reader, so that the API says null rather than
    # a value outside its vocabulary; the placeholder is never saved (it has no slug).
    placeholder = type(real)(
        name=WITHHELD_NAME,
        slug=None,
        kind=None,
        # The side shown is the one held at this meeting, as the side filter matches it.
        side=(participation.side_then or real.side) if participation.show_side else None,
        background="",
    )
    placeholder.is_placeholder = True
    participation.participant = placeholder
    participation.note = ""
    # The note's translations say what the note says: they go with it.
    for lang in TRANSLATION_LANGUAGES:
        setattr(participation, f"note_{lang}", None)
    participation.is_withheld_now = True


class PublicIterable(ModelIterable):
    """Yield participations with every withheld one masked (see `mask`)."""

    def __iter__(self):
        for participation in super().__iter__():
            if participation.hidden_now:
                mask(participation)
            else:
                participation.is_withheld_now = False
            yield participation


class ParticipationQuerySet(models.QuerySet):
    def disclosed(self, day: datetime.date | None = None):
        """The participations whose participant readers may see by name on `day`."""
        return self.exclude(withheld_q(day))

    def withheld(self, day: datetime.date | None = None):
        return self.filter(withheld_q(day))

    def in_public_dialogues(self):
        """The participations in dialogues readers may see (published, not embargoed today)."""
        return self.filter(public_q("dialogue__"))

    def visible(self, day: datetime.date | None = None):
        """The participations readers may see by name: disclosed, in a public dialogue. A
        participant's page and counts list these and no others."""
        return self.in_public_dialogues().disclosed(day)

    def shows_side(self, day: datetime.date | None = None):
        """The participations whose side readers may see: disclosed ones, and withheld ones
        whose editor allowed the side to be shown."""
        return self.filter(~withheld_q(day) | Q(show_side=True))

    def public(self, day: datetime.date | None = None):
        """Participations as readers see them, ordered by shown side, then shown name.

        Withheld rows are masked as they are read, and sort after the named ones of their
        side (or after every side when the side is withheld too) so that their place in the
        list says nothing about the hidden name.
        """
        hidden = withheld_q(day)
        queryset = (
            self.select_related("participant")
            .annotate(
                hidden_now=Case(When(hidden, then=Value(True)), default=Value(False)),
                shown_side=Case(
                    When(hidden & Q(show_side=False), then=Value("~")),
                    When(hidden & ~Q(side_then=""), then=models.F("side_then")),
                    default=models.F("participant__side"),
                    output_field=models.CharField(),
                ),
            )
            .order_by("shown_side", "hidden_now", "participant__name", "pk")
        )
        queryset._iterable_class = PublicIterable
        return queryset
