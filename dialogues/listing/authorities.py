"""What the public pages of organisations, places and series list, as readers may see it.

Every list keeps to published records and to dialogues readers may see; a participant is
named only through a visible participation (disclosed, in a public dialogue), so a withheld
name never reaches these pages.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch

from ..models import (
    Affiliation,
    Dialogue,
    DialogueLink,
    DialoguePlace,
    ExternalId,
    NameVariant,
    Organisation,
    Participant,
    Participation,
    Place,
    Series,
    SeriesLink,
    SeriesMembership,
    public_q,
)
from ..models.organisations import affiliations_in_order
from ..models.places import places_in_words

NAMES_AND_IDS = (
    Prefetch("names", queryset=NameVariant.objects.order_by("kind", "name")),
    Prefetch("external_ids", queryset=ExternalId.objects.order_by("scheme", "value")),
)


def organisations():
    visible = Participation.objects.visible().filter(on_behalf_of=OuterRef("pk"))
    return Organisation.objects.public().annotate(on_behalf=Exists(visible)).order_by("name")


def places():
    return (
        Place.objects.public()
        .annotate(
            dialogue_count=Count("dialogue_places", filter=public_q("dialogue_places__dialogue__"))
        )
        .order_by("name")
    )


def series_list():
    return (
        Series.objects.public()
        .annotate(dialogue_count=Count("memberships", filter=public_q("memberships__dialogue__")))
        .order_by("name")
    )


# The list pages of places and series: the records alone, in name order, and the dialogues of
# the one page shown counted afterwards (`count_dialogues`). Counting every record's dialogues
# to show fifty of them read every dialogue's places: about a second a page at 100k.
def place_records():
    return Place.objects.public().order_by("name")


def series_records():
    return Series.objects.public().order_by("name")


def count_dialogues(kind: str, records) -> None:
    """Set `dialogue_count` (public dialogues) on each of `records`, places or series."""
    pks = [record.pk for record in records]
    if kind == "place":
        rows = DialoguePlace.objects.filter(public_q("dialogue__"), place__in=pks).values_list(
            "place"
        )
    else:
        rows = SeriesMembership.objects.filter(public_q("dialogue__"), series__in=pks).values_list(
            "series"
        )
    counted = dict(rows.order_by().annotate(n=Count("dialogue", distinct=True)))
    for record in records:
        record.dialogue_count = counted.get(record.pk, 0)


def with_names_and_ids(queryset):
    return queryset.prefetch_related(*NAMES_AND_IDS)


def organisation_dialogues(organisation):
    """The visible participations on behalf of the organisation, by their dialogue's date."""
    return (
        Participation.objects.visible()
        .filter(on_behalf_of=organisation)
        .select_related("dialogue", "participant")
        .order_by(*(f"dialogue__{f}" for f in ("date_earliest", "date_latest", "title")), "pk")
    )


def organisation_affiliations(organisation):
    """Published affiliations of participants readers may see, in order of their start."""
    rows = (
        Affiliation.objects.public()
        .filter(organisation=organisation, participant__in=Participant.objects.public())
        .select_related("participant")
    )
    return affiliations_in_order(rows)


def participant_affiliations(participant):
    rows = (
        Affiliation.objects.public()
        .filter(participant=participant, organisation__in=Organisation.objects.public())
        .select_related("organisation")
        .prefetch_related("citations__source")
    )
    return affiliations_in_order(rows)


def place_dialogues(place):
    return Dialogue.objects.public().filter(places__place=place).order_by(*Dialogue.CHRONOLOGICAL)


def series_members(series):
    return (
        SeriesMembership.objects.filter(series=series)
        .filter(public_q("dialogue__"))
        .select_related("dialogue")
        .order_by("position", "pk")
    )


def series_lineage(series):
    public = Series.objects.public()
    out = SeriesLink.objects.filter(origin=series, target__in=public).select_related("target")
    into = SeriesLink.objects.filter(target=series, origin__in=public).select_related("origin")
    return list(out), list(into)


def dialogue_authorities(dialogue) -> dict:
    """Places, series, lineage and external ids of a dialogue page, in five queries."""
    places = [
        row.place
        for row in DialoguePlace.objects.filter(dialogue=dialogue, place__in=Place.objects.public())
        .select_related("place")
        .order_by("position", "pk")
    ]
    memberships = list(
        SeriesMembership.objects.filter(dialogue=dialogue, series__in=Series.objects.public())
        .select_related("series")
        .annotate(
            size=Count("series__memberships", filter=public_q("series__memberships__dialogue__"))
        )
    )
    visible = Dialogue.objects.public()
    links_out = DialogueLink.objects.filter(origin=dialogue, target__in=visible).select_related(
        "target"
    )
    links_in = DialogueLink.objects.filter(target=dialogue, origin__in=visible).select_related(
        "origin"
    )
    return {
        "places": places,
        "places_in_words": places_in_words(places),
        "memberships": memberships,
        "links_out": list(links_out),
        "links_in": list(links_in),
        "external_ids": list(dialogue.external_ids.order_by("scheme", "value")),
    }


def same_as(record) -> list[str]:
    """The outside records' addresses, for JSON-LD `sameAs`."""
    urls = [external.url for external in record.external_ids.all() if external.url]
    geonames = getattr(record, "geonames_url", "")
    if geonames and geonames not in urls:
        urls.append(geonames)
    return urls


def with_places_and_ids(data: dict, authorities: dict) -> dict:
    """Add a dialogue's places and its external ids (as `sameAs`) to its JSON-LD."""
    places = authorities["places"]
    if places:
        data["location"] = [_place_ld(place) for place in places]
    same_as = [external.url for external in authorities["external_ids"] if external.url]
    if same_as:
        data["sameAs"] = same_as
    return data


def _place_ld(place) -> dict:
    data = {"@type": "Place", "name": place.name}
    if place.latitude is not None and place.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    if place.geonames_url:
        data["sameAs"] = place.geonames_url
    return data
