"""Facet counts: how many dialogues each value of a filter would leave, under the other filters.

A facet leaves out its own filter, so that choosing one era still shows every other era's
count. Pages count with the facet index (`facet_index`): `len(value & rest)` for each value,
`rest` being the other active filters' bitmaps intersected, so a combination nobody asked for
before costs no query. Each facet also keeps the plain SQL way (`sql_counts`, grouped queries
over `DialogueFilterSet.filter_queryset`), which the tests hold the index to.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, F, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from .. import caching
from ..models import (
    Background,
    Capacity,
    Dialogue,
    DialoguePlace,
    Level,
    Organisation,
    OutcomeKind,
    Participation,
    Place,
    Series,
    SeriesMembership,
    Side,
    public_q,
)
from ..models.table import BACKGROUND_AT_MEETING, SIDE_AT_MEETING
from . import facet_index
from .filters import DialogueFilterSet


class Facet:
    """Counts of dialogues per value of one filter, under every other active filter."""

    name: str
    label: str
    # Whether the values' labels are records' own names (held in English), not vocabulary.
    recorded = False
    # The name of the page that lists every record this facet counts, if there is one.
    list_page = ""

    def __init__(self, filterset: DialogueFilterSet):
        self.filterset = filterset

    def counts(self) -> list[tuple[str, str, int]]:
        """Return (value, label, count) for every value with at least one dialogue (the index)."""
        selection = facet_index.selection(self.filterset)
        rest = selection.rest(without=self.name)
        found = {
            key: selection.count_within(bitmap, rest)
            for key, bitmap in selection.index.bitmaps(self.name)
        }
        return self.labelled({key: n for key, n in found.items() if n}, selection.index)

    def labelled(self, found: dict, index) -> list[tuple[str, str, int]]:
        """Return `found` ({value: count}) as (value, label, count) in the facet's order."""
        return [(v, label, found[v]) for v, label in self.choices.choices if v in found]

    # --- the plain SQL way ------------------------------------------------------------------

    def base(self) -> QuerySet:
        ids = self.filterset.filter_queryset(Dialogue.objects.public(), without=self.name)
        return Dialogue.objects.filter(pk__in=ids.values("pk"))

    def sql_counts(self) -> list[tuple[str, str, int]]:
        """The same as `counts()`, by grouped queries: the reference the index is tested to."""
        raise NotImplementedError


class EraFacet(Facet):
    recorded = True
    name, label = "era", _("Era")

    def labelled(self, found, index):
        eras = sorted((index.eras[pk][2], pk) for pk in found)
        return [(index.eras[pk][0], index.eras[pk][1], found[pk]) for _, pk in eras]

    def sql_counts(self):
        rows = (
            self.base()
            .values(value=F("era__slug"), name=F("era__name"), position=F("era__position"))
            .annotate(n=Count("pk"))
            .order_by("position")
        )
        return [(r["value"], r["name"], r["n"]) for r in rows]


class ChoiceFacet(Facet):
    """A facet over a vocabulary reached through a relation; counts distinct dialogues."""

    path: str
    choices: type

    def sql_counts(self):
        rows = (
            self.base()
            .filter(**{f"{self.path}__isnull": False})
            .exclude(**{self.path: ""})
            .values(value=F(self.path))
            .annotate(n=Count("pk", distinct=True))
        )
        found = {r["value"]: r["n"] for r in rows}
        return [(v, label, found[v]) for v, label in self.choices.choices if v in found]


class OutcomeFacet(ChoiceFacet):
    name, label, path, choices = "outcome", _("Outcome"), "outcomes__kind", OutcomeKind


class ParticipantFacet(Facet):
    """A facet over a participant vocabulary, counting only the participations readers see.

    A withheld participation never counts by background, and counts by side only where its
    editor let the side be shown: the record page shows no more, so neither do the counts.
    The value counted is the one held at the meeting (`at_meeting`).
    """

    choices: type
    at_meeting = None

    def participations(self) -> QuerySet:
        raise NotImplementedError

    def sql_counts(self):
        rows = (
            self.participations()
            .filter(dialogue__in=self.base().values("pk"))
            .annotate(at_meeting=self.at_meeting)
            .exclude(at_meeting="")
            .values(value=F("at_meeting"))
            .annotate(n=Count("dialogue", distinct=True))
        )
        found = {r["value"]: r["n"] for r in rows}
        return [(v, label, found[v]) for v, label in self.choices.choices if v in found]


class SideFacet(ParticipantFacet):
    name, label, choices, at_meeting = "side", _("Side"), Side, SIDE_AT_MEETING

    def participations(self):
        return Participation.objects.shows_side()


class BackgroundFacet(ParticipantFacet):
    name, label, choices = "background", _("Background"), Background
    at_meeting = BACKGROUND_AT_MEETING

    def participations(self):
        return Participation.objects.disclosed()


class LevelFacet(Facet):
    """The recorded level of the dialogues (issue 21)."""

    name, label, choices = "level", _("Level"), Level

    def sql_counts(self):
        rows = self.base().values(value=F("level")).annotate(n=Count("pk"))
        found = {r["value"]: r["n"] for r in rows}
        return [(v, label, found[v]) for v, label in self.choices.choices if v in found]


class CapacityFacet(Facet):
    """Capacities at the table, counting disclosed participations only, as the filter does."""

    name, label, choices = "capacity", _("Capacity"), Capacity

    def sql_counts(self):
        rows = (
            Participation.objects.disclosed()
            .filter(dialogue__in=self.base().values("pk"))
            .values(value=F("capacity"))
            .annotate(n=Count("dialogue", distinct=True))
        )
        found = {r["value"]: r["n"] for r in rows}
        return [(v, label, found[v]) for v, label in self.choices.choices if v in found]


class RecordFacet(Facet):
    """A facet over published records (organisations, series), labelled by their names."""

    recorded = True

    model: type
    path: str

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def labelled(self, found, index):
        """By name; the index holds each record's slug and name, read when it was built."""
        labels = index.labels[self.name]
        named = sorted((labels[pk][1], pk) for pk in found)
        return [(labels[pk][0], name, found[pk]) for name, pk in named]

    def sql_counts(self):
        rows = (
            self.rows()
            .filter(dialogue__in=self.base().values("pk"), **{f"{self.path}__in": self.public()})
            .values(value=F(f"{self.path}__slug"), label=F(f"{self.path}__name"))
            .annotate(n=Count("dialogue", distinct=True))
            .order_by("label", "value")
        )
        return [(r["value"], r["label"], r["n"]) for r in rows]

    def public(self):
        return self.model.objects.public().values("pk")


class OrganisationFacet(RecordFacet):
    name, label, model, path = "organisation", _("On behalf of"), Organisation, "on_behalf_of"
    list_page = "dialogues:organisation_list"

    def rows(self):
        return Participation.objects.disclosed()


class SeriesFacet(RecordFacet):
    name, label, model, path = "series", _("Series"), Series, "series"
    list_page = "dialogues:series_list"

    def rows(self):
        return SeriesMembership.objects.all()


class PlaceFacet(RecordFacet):
    """The dialogues' published places; alternatives ("Rome or Amman") count for each."""

    name, label, model, path = "place", _("Place"), Place, "place"
    list_page = "dialogues:place_list"

    def rows(self):
        return DialoguePlace.objects.all()


class CountryFacet(Facet):
    """Countries of the dialogues' published places."""

    name, label = "country", _("Country")

    def labelled(self, found, index):
        named = sorted((Country(code).name, code) for code in found)
        return [(code, name, found[code]) for name, code in named]

    def sql_counts(self):
        rows = (
            DialoguePlace.objects.filter(public_q("place__"), dialogue__in=self.base().values("pk"))
            .exclude(place__country="")
            .values(value=F("place__country"))
            .annotate(n=Count("dialogue", distinct=True))
        )
        return self.labelled({r["value"]: r["n"] for r in rows}, None)


FACETS = (
    *(EraFacet, OutcomeFacet, SideFacet, BackgroundFacet),
    *(LevelFacet, CapacityFacet, OrganisationFacet, SeriesFacet, PlaceFacet, CountryFacet),
)


def counted_later(filterset: DialogueFilterSet) -> bool:
    """Tell whether the counts and pictures of `filterset` wait for the facet index.

    They do while the index is being built, unless `FACETS_BY_SQL_WHILE_INDEXING` lets grouped
    queries stand in for it. A page drawn without them is marked incomplete, so that no cache
    keeps it."""
    if settings.FACETS_BY_SQL_WHILE_INDEXING or facet_index.selection(filterset) is not None:
        return False
    caching.mark_incomplete()
    return True


def facet_counts(filterset: DialogueFilterSet) -> list[tuple[Facet, list]] | None:
    """Return each facet with its counts, from the index of the current generation and day.

    While the index is being built, by grouped queries, cached per combination of filters until
    the archive changes (and under the day: an embargo lifting changes them); or None, when
    the counts wait for the index (`counted_later`).
    """
    if counted_later(filterset):
        return None
    facets = [cls(filterset) for cls in FACETS]
    if facet_index.selection(filterset) is not None:
        return [(facet, facet.counts()) for facet in facets]
    return [
        (
            facet,
            caching.cached(
                f"facet-{facet.name}",
                # Countries are named in the page's language when they are counted.
                (get_language(), filterset.cache_key(without=facet.name)),
                facet.sql_counts,
            ),
        )
        for facet in facets
    ]


def sql_facet_counts(filterset: DialogueFilterSet) -> list[tuple[Facet, list]]:
    """Return each facet with its counts, by grouped SQL queries (uncached; for comparison)."""
    return [(facet, facet.sql_counts()) for facet in (cls(filterset) for cls in FACETS)]


# A facet lists at most this many values on the page: those with the most dialogues, in the
# facet's own order, and the selected value always. Every value stays in the search form's
# choices and in the API's facets. At 100k the organisations, places and series had hundreds
# of values each, and drawing them all took most of the list page's time.
SHOWN_VALUES = 12


def shown(
    facets: list[tuple[Facet, list]] | None, active: dict
) -> list[tuple[Facet, list, int]] | None:
    """Return (facet, the values shown, how many values are left out) for each facet."""
    if facets is None:
        return None
    drawn = []
    for facet, values in facets:
        if len(values) <= SHOWN_VALUES:
            drawn.append((facet, values, 0))
            continue
        selected = active.get(facet.name)
        ranked = sorted(range(len(values)), key=lambda i: (-values[i][2], i))
        keep = set(ranked[:SHOWN_VALUES])
        keep.update(i for i, value in enumerate(values) if value[0] == selected)
        kept = [value for i, value in enumerate(values) if i in keep]
        drawn.append((facet, kept, len(values) - len(kept)))
    return drawn
