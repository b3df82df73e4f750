"""The facet index's bitmaps for issue 21's filters: level, capacity, organisation, series,
country and place (a record, by its id), read in the same words as `DialogueFilterSet`'s
methods."""

from __future__ import annotations

from ...models import DialoguePlace, Organisation, Place, Series, SeriesMembership, public_q

AUTHORITY_FACETED = ("level", "capacity", "organisation", "series", "country", "place")


def add_values(index, at, grouped, public, named, using: str, *, only=None) -> None:
    """Fill `index.values` for each of `AUTHORITY_FACETED`.

    `at` turns dialogue ids into positions, `grouped` yields (value, ids) per value, `public`
    holds the public dialogues and `named` the disclosed participations (never a withheld one);
    `only`, when given, restricts the rows read to those of these dialogues.
    """

    def of(queryset):
        return queryset if only is None else queryset.filter(dialogue_id__in=only)

    index.values["level"] = {key: at(ids) for key, ids in grouped(public, "level", "pk", using)}
    index.values["capacity"] = {
        key: at(ids) for key, ids in grouped(named, "capacity", "dialogue_id", using)
    }
    on_behalf = named.filter(
        on_behalf_of__in=Organisation.objects.using(using).public().values("pk")
    )
    index.values["organisation"] = {
        key: at(ids) for key, ids in grouped(on_behalf, "on_behalf_of_id", "dialogue_id", using)
    }
    members = of(SeriesMembership.objects.using(using)).filter(
        series__in=Series.objects.using(using).public().values("pk")
    )
    index.values["series"] = {
        key: at(ids) for key, ids in grouped(members, "series_id", "dialogue_id", using)
    }
    for name, model in (("organisation", Organisation), ("series", Series), ("place", Place)):
        records = model.objects.using(using).public().values_list("pk", "slug", "name")
        index.labels[name] = {pk: (slug, label) for pk, slug, label in records}
    places = (
        of(DialoguePlace.objects.using(using))
        .filter(public_q("place__"))
        .exclude(place__country="")
    )
    index.values["country"] = {
        key: at(ids) for key, ids in grouped(places, "place__country", "dialogue_id", using)
    }
    at_places = of(DialoguePlace.objects.using(using)).filter(public_q("place__"))
    index.values["place"] = {
        key: at(ids) for key, ids in grouped(at_places, "place_id", "dialogue_id", using)
    }
