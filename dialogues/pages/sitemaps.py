"""`/sitemap.xml`: every public page in each of the interface's languages, with its `hreflang`
alternates. It lists what the public pages list, from the same querysets, so a draft, an embargoed
or withdrawn record, or a participant with no public dialogue never appears in it."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..listing import authorities as authority_lists
from ..listing import selectors
from ..listing.filters import DialogueFilterSet
from ..models import Participant, Source


class _Multilingual(Sitemap):
    # Each address in English (unprefixed), Hebrew and Arabic, each naming the others.
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(_Multilingual):
    """The pages that are not records: the home page, the lists, the timeline, the network."""

    priority = 0.6

    def items(self):
        return [
            "dialogues:home",
            "dialogues:about",
            "dialogues:dialogue_list",
            "dialogues:timeline",
            "dialogues:network",
            "dialogues:participant_list",
            "dialogues:organisation_list",
            "dialogues:place_list",
            "dialogues:series_list",
        ]

    def location(self, item):
        return reverse(item)


class RecordSitemap(_Multilingual):
    """Records with pages, from the querysets their list pages use."""

    def __init__(self, queryset_of):
        self.queryset_of = queryset_of

    def items(self):
        return self.queryset_of()


def _dialogues():
    # The list page's own queryset: the filter set with no filter, in the archive's order.
    return DialogueFilterSet(None).qs.only("slug")


def _participants():
    return Participant.objects.public().order_by("slug").only("slug")


def _sources():
    # As the About page lists them.
    return Source.objects.all()


SITEMAPS = {
    "pages": PageSitemap,
    "dialogues": RecordSitemap(_dialogues),
    "eras": RecordSitemap(selectors.era_list),
    "participants": RecordSitemap(_participants),
    "sources": RecordSitemap(lambda: _sources().order_by("slug")),
    "organisations": RecordSitemap(authority_lists.organisations),
    "places": RecordSitemap(authority_lists.places),
    "series": RecordSitemap(authority_lists.series_list),
}
