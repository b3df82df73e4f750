"""What a public dialogue list or record fetches of issue 21's records, in a fixed number of
queries: its published places, series and linked dialogues, and its external ids."""

from __future__ import annotations

from django.db.models import Prefetch

from .identifiers import ExternalId
from .places import DialoguePlace
from .publishing import public_q
from .series import DialogueLink, SeriesMembership


def dialogue_prefetches() -> list[Prefetch]:
    return [
        Prefetch(
            "places",
            queryset=DialoguePlace.objects.filter(public_q("place__"))
            .select_related("place")
            .order_by("position", "pk"),
            to_attr="public_places",
        ),
        Prefetch(
            "memberships",
            queryset=SeriesMembership.objects.filter(public_q("series__"))
            .select_related("series")
            .order_by("series__name", "pk"),
            to_attr="public_memberships",
        ),
        Prefetch(
            "links_out",
            queryset=DialogueLink.objects.filter(public_q("target__"))
            .select_related("target")
            .order_by("relation", "pk"),
            to_attr="public_links",
        ),
        Prefetch("external_ids", queryset=ExternalId.objects.order_by("scheme", "value")),
    ]
