"""Who sat at the table in what capacity, and the track level that follows.

A participation records the capacity in which a person attended (serving official, official
in a personal capacity, former official, non-official), on whose behalf, and the side and
background at the time; each stated with a citation or inferred with a reason. A dialogue
records whether talks were held and at which level; the level the capacities imply is
computed beside it, and a recorded level that differs needs a note.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from .evidence import Basis
from .vocabulary import Background, Role, Side


class Capacity(models.TextChoices):
    SERVING = "serving", _("Serving official")
    PERSONAL = "personal", _("Official in a personal capacity")
    FORMER = "former", _("Former official")
    NON_OFFICIAL = "non_official", _("Non-official")
    NOT_STATED = "not_stated", _("Not stated")


class TalksStatus(models.TextChoices):
    HELD = "held", _("Held")
    PROPOSED = "proposed", _("Proposed")
    SUGGESTED = "suggested", _("Suggested")
    CONSIDERED = "considered", _("Only considered")
    NOT_STATED = "not_stated", _("Not stated")


class Level(models.TextChoices):
    TRACK_I = "track_i", _("Track I")
    TRACK_1_5 = "track_1_5", _("Track 1.5")
    TRACK_II = "track_ii", _("Track II")
    TRACK_III = "track_iii", _("Track III")
    NOT_STATED = "not_stated", _("Not stated")


# Today's `track` values, read as (status of talks, level). Migration 0014 applies this.
FROM_TRACK = {
    "track_ii": (TalksStatus.HELD, Level.TRACK_II),
    "track_ii_to_i": (TalksStatus.HELD, Level.TRACK_II),
    "proposed": (TalksStatus.PROPOSED, Level.TRACK_II),
    "considered": (TalksStatus.CONSIDERED, Level.NOT_STATED),
    "not_stated": (TalksStatus.NOT_STATED, Level.NOT_STATED),
}

# Those who would sit at the table; proposers, authors and the merely interested do not.
AT_THE_TABLE = (Role.ORGANISER, Role.PARTICIPANT, Role.OBSERVER, Role.PROPOSED, Role.POSSIBLE)
OFFICIAL = {Capacity.SERVING, Capacity.PERSONAL}


def implied_level(capacities) -> str | None:
    """The level the capacities at the table imply, or None when none is stated.

    Only serving officials: Track I. Officials (serving, or in a personal capacity) with
    others, or officials in a personal capacity alone: Track 1.5. No officials: Track II
    (Track III, among the wider public, cannot be told from capacities alone).
    """
    known = {capacity for capacity in capacities if capacity and capacity != Capacity.NOT_STATED}
    if not known:
        return None
    if known == {Capacity.SERVING}:
        return Level.TRACK_I
    if known & OFFICIAL:
        return Level.TRACK_1_5
    return Level.TRACK_II


def agrees(recorded: str, implied: str | None) -> bool:
    """Whether a recorded level fits the implied one (Track III fits capacities of Track II)."""
    if implied is None or recorded in ("", Level.NOT_STATED):
        return True
    if implied == Level.TRACK_II:
        return recorded in (Level.TRACK_II, Level.TRACK_III)
    return recorded == implied


class TrackLevel(models.Model):
    """The status of the talks and their level, on a dialogue."""

    talks = models.CharField(
        "status of talks", max_length=12, choices=TalksStatus.choices, default=TalksStatus.HELD
    )
    level = models.CharField(
        max_length=12, choices=Level.choices, default=Level.NOT_STATED, db_index=True
    )
    level_note = models.TextField(
        "evidence for the level",
        blank=True,
        help_text=(
            "How the level is known (a paragraph and its words) or inferred; required when it "
            "differs from the level the capacities imply."
        ),
    )

    class Meta:
        abstract = True

    def implied_level(self, participations=None) -> str | None:
        rows = self.participations.all() if participations is None else participations
        return implied_level(row.capacity for row in rows if row.role in AT_THE_TABLE)

    @property
    def implied_level_display(self) -> str:
        implied = self.implied_level()
        return Level(implied).label if implied else _("None: no capacity is stated")

    def level_contradiction(self, participations=None) -> str | None:
        implied = self.implied_level(participations)
        if agrees(self.level, implied) or (self.level_note or "").strip():
            return None
        return (
            f"The recorded level ({Level(self.level).label}) differs from the level the "
            f"capacities imply ({Level(implied).label}): say why in the evidence for the level."
        )


# The side and background held at the meeting: the participation's own value where recorded,
# else the participant's. Filters, facets, the facet index and the pictures all read these.
SIDE_AT_MEETING = Coalesce(NullIf(F("side_then"), Value("")), F("participant__side"))
BACKGROUND_AT_MEETING = Coalesce(
    NullIf(F("background_then"), Value("")), F("participant__background")
)


def side_at_meeting_q(side: str) -> Q:
    """Participations whose side at the meeting is `side`."""
    return Q(side_then=side) | Q(side_then="", participant__side=side)


def background_at_meeting_q(background: str) -> Q:
    """Participations whose background at the meeting is `background`."""
    return Q(background_then=background) | Q(background_then="", participant__background=background)


class AtTheTable(models.Model):
    """A participation's capacity, on whose behalf, and the side and background at the time."""

    capacity = models.CharField(
        max_length=12, choices=Capacity.choices, default=Capacity.NOT_STATED, db_index=True
    )
    capacity_basis = models.CharField(
        "capacity is", max_length=10, choices=Basis.choices, blank=True
    )
    capacity_citation = models.ForeignKey(
        "dialogues.Citation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a stated capacity: the dialogue's citation that states it.",
    )
    capacity_note = models.TextField(
        blank=True, help_text="For an inferred capacity: from what, and why."
    )
    on_behalf_of = models.ForeignKey(
        "dialogues.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    side_then = models.CharField(
        "side at the time",
        max_length=16,
        choices=Side.choices,
        blank=True,
        help_text="Leave empty to use the participant's own side.",
    )
    background_then = models.CharField(
        "background at the time",
        max_length=20,
        choices=Background.choices,
        blank=True,
        help_text="Leave empty to use the participant's own background.",
    )
    then_note = models.TextField(
        "evidence for side and background at the time",
        blank=True,
        help_text="Stated (give the paragraph) or inferred (say from what).",
    )

    class Meta:
        abstract = True

    @property
    def side_at_meeting(self) -> str:
        return self.side_then or getattr(self.participant, "side", "") or ""

    @property
    def background_at_meeting(self) -> str:
        return self.background_then or getattr(self.participant, "background", "") or ""

    def capacity_problems(self) -> dict[str, str]:
        errors = {}
        if (self.side_then or self.background_then) and not (self.then_note or "").strip():
            errors["then_note"] = "Say how the side or background at the time is known."
        if self.capacity == Capacity.NOT_STATED:
            return errors
        if not self.capacity_basis:
            errors["capacity_basis"] = "Say whether the capacity is stated or inferred."
        elif self.capacity_basis == Basis.STATED and not self.capacity_citation_id:
            errors["capacity_citation"] = (
                "A stated capacity needs the dialogue's citation that states it."
            )
        elif self.capacity_basis == Basis.INFERRED and not (self.capacity_note or "").strip():
            errors["capacity_note"] = "An inferred capacity needs its reason."
        if (
            self.capacity_citation_id
            and self.dialogue_id
            and self.capacity_citation.dialogue_id != self.dialogue_id
        ):
            errors["capacity_citation"] = "The citation belongs to another dialogue."
        return errors

    def clean(self):
        super().clean()
        errors = self.capacity_problems()
        if errors:
            raise ValidationError(errors)
