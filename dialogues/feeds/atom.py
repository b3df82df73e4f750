"""Atom feeds of new and changed public records, newest first: the whole archive (dialogues,
organisations, places and series) and each era (its dialogues).

Built on `django.contrib.syndication`. An entry's `updated` is the record's datestamp, the
same moment the changes feed and OAI-PMH give, and its `published` the day it first became
public. Only public records appear; the changes feed (`/api/changes/`) is where a mirror
learns of withdrawals and removals.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..models import Dialogue, Era, Place
from ..xmltext import xml_safe
from . import changes

ENTRIES = 50


def _cleaned(value):
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(part) for part in value)
    return xml_safe(value)


class SafeAtom1Feed(Atom1Feed):
    """An Atom feed that writes stored text without the characters XML cannot hold.

    Django refuses to write them (a 500 for every reader of the feed), so one pasted control
    character in one summary would take the feed down.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_cleaned, args), **{k: _cleaned(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_cleaned, args), **{k: _cleaned(v) for k, v in kwargs.items()})


class ChangesFeed(Feed):
    feed_type = SafeAtom1Feed
    title = "Track II Dialogue Archive: new and changed records"
    subtitle = "Dialogues, organisations, places and series published or corrected, newest first."

    def link(self):
        return reverse("dialogues:dialogue_list")

    def feed_url(self):
        return reverse("feeds:changes")

    def items(self):
        return changes.latest_of_every_kind(limit=ENTRIES)

    def item_title(self, item):
        return item.title if isinstance(item, Dialogue) else item.name

    def item_description(self, item):
        if isinstance(item, Dialogue):
            return item.summary
        if isinstance(item, Place):
            return item.country.name if item.country else ""
        return item.description

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return self._absolute(item.get_absolute_url())

    item_guid_is_permalink = True

    def item_updateddate(self, item):
        return item.stamp

    def item_pubdate(self, item):
        return item.published_at or item.stamp

    def item_categories(self, item):
        if isinstance(item, Dialogue):
            return [item.era.name, item.conflict.name]
        return [str(item._meta.verbose_name).capitalize()]

    def get_feed(self, obj, request):
        self._request = request
        return super().get_feed(obj, request)

    def _absolute(self, path: str) -> str:
        return self._request.build_absolute_uri(path)


class EraChangesFeed(ChangesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Era, slug=slug)

    def title(self, era):
        return f"Track II Dialogue Archive: new and changed records in {era.name}"

    def link(self, era):
        return era.get_absolute_url()

    def feed_url(self, era):
        return reverse("feeds:era_changes", args=[era.slug])

    def items(self, era):
        return changes.latest(era_id=era.pk, limit=ENTRIES).select_related("era", "conflict")
