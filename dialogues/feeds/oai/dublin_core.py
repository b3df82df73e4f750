"""The `oai_dc` metadata of a record: a dialogue in unqualified Dublin Core."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch
from lxml import etree

from ...models import Citation, Dialogue, Level, Participation
from ...models.authority_prefetch import dialogue_prefetches
from .protocol import DC, OAI_DC, OAI_DC_SCHEMA, REPOSITORY_NAME, XSI, _q, _sub


def write(parent, dialogue: Dialogue, absolute: Callable[[str], str]) -> None:
    """Add the dialogue's `oai_dc:dc` element to `parent`; `absolute` makes a path a URL."""
    dc = etree.SubElement(parent, _q("dc", OAI_DC), nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    dc.set(_q("schemaLocation", XSI), f"{OAI_DC} {OAI_DC_SCHEMA}")

    def add(tag, text):
        if text:
            _sub(dc, tag, text, ns=DC)

    add("title", dialogue.title)
    add("date", dialogue.date)
    if dialogue.date_earliest and dialogue.date_latest:
        add("date", f"{dialogue.date_earliest.isoformat()}/{dialogue.date_latest.isoformat()}")
    add("description", dialogue.summary)
    add("subject", dialogue.era.name)
    add("subject", dialogue.conflict.name)
    add("subject", str(dialogue.get_track_display()))
    for participation in dialogue.participations.all():
        if not participation.is_withheld_now:
            add("contributor", participation.participant.name)
    seen = set()
    for citation in dialogue.citations.all():
        source = citation.source
        if source.pk in seen:
            continue
        seen.add(source.pk)
        parts = [source.author, source.title, source.publication, source.date_display]
        add("source", ", ".join(p for p in parts if p))
    add("coverage", dialogue.place)
    if dialogue.level != Level.NOT_STATED:
        add("subject", str(dialogue.get_level_display()))
    for row in dialogue.public_places:
        place = row.place
        add("coverage", f"{place.name}, {place.country.name}" if place.country else place.name)
    add("publisher", REPOSITORY_NAME)
    add("type", "Event")
    add("language", "en")
    add("identifier", absolute(dialogue.get_absolute_url()))
    add("relation", absolute(dialogue.era.get_absolute_url()))
    # Issue 21: the series it belongs to, the dialogues it leads on to, and its ids elsewhere.
    for membership in dialogue.public_memberships:
        add("relation", absolute(membership.series.get_absolute_url()))
    for link in dialogue.public_links:
        add("relation", absolute(link.target.get_absolute_url()))
    for external in dialogue.external_ids.all():
        add("relation", external.url)


def records():
    """Dialogues with what their Dublin Core shows, in a fixed number of queries a page."""
    return Dialogue.objects.select_related("era", "conflict").prefetch_related(
        Prefetch("participations", queryset=Participation.objects.public()),
        Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
        *dialogue_prefetches(),
    )
