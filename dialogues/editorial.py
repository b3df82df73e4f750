"""What publishers do to records: publish, unpublish, withdraw, merge two participants, and
merge two organisations, places or series (`merge_records`).

Each is one function taking the acting `user`, running in one transaction and saving through
the models (never `QuerySet.update`), so `dialogues.writes` sees every change: the search
index follows, cached figures are dropped, and a history of revisions can wrap the call.

Each checks the user's rights itself (`publishing_rights.require`), whatever path called it:
the admin checks first to show its page, and a caller that forgets cannot publish for an editor.
`user=None` is code run by whoever holds the database already (a command, a load), as for the
import's command line.
"""

from __future__ import annotations

import contextlib
import functools

import reversion
from django.db import transaction
from django.utils import timezone

from . import publishing_rights as rights
from . import writes
from .models import (
    AffiliationCitation,
    Citation,
    Dialogue,
    DialoguePlace,
    Organisation,
    OrganisationCitation,
    Participant,
    Participation,
    Place,
    Series,
    SeriesLink,
    SeriesMembership,
    Status,
)

PUBLISHING_FIELDS = [
    "status",
    "review_requested",
    "published_at",
    "withdrawn_at",
    "withdrawal_reason",
    "replaced_by",
    "updated",
]


@contextlib.contextmanager
def _revision_by(user, comment: str):
    """Record what the block saves as one revision by `user`, with `comment`."""
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def _revision(describe):
    """Make the change one revision by `user`, commented with `describe(*args)`."""

    def decorator(change):
        @functools.wraps(change)
        def wrapped(*args, user, **kwargs):
            with transaction.atomic(), _revision_by(user, describe(*args, **kwargs)):
                return change(*args, user=user, **kwargs)

        return wrapped

    return decorator


def _check(user, fields, where: str) -> None:
    if user is not None:
        rights.require(user, fields, where)


def _save(dialogue: Dialogue) -> None:
    dialogue.save(update_fields=PUBLISHING_FIELDS)


@_revision(lambda dialogue: "Published")
def publish(dialogue: Dialogue, *, user) -> Dialogue:
    """Make the dialogue public (at once, or on its embargo date if it has one)."""
    _check(user, ["status"], "Publishing")
    dialogue.status = Status.PUBLISHED
    dialogue.review_requested = False
    dialogue.published_at = dialogue.published_at or timezone.now()
    dialogue.withdrawn_at = None
    dialogue.withdrawal_reason = ""
    dialogue.replaced_by = None
    _save(dialogue)
    return dialogue


@_revision(lambda dialogue: "Unpublished: back to a draft")
def unpublish(dialogue: Dialogue, *, user) -> Dialogue:
    """Take the dialogue back to a draft: it disappears as if it had never been published."""
    _check(user, ["status"], "Unpublishing")
    dialogue.status = Status.DRAFT
    dialogue.published_at = None
    dialogue.withdrawn_at = None
    dialogue.withdrawal_reason = ""
    dialogue.replaced_by = None
    _save(dialogue)
    return dialogue


@_revision(lambda dialogue, reason, replaced_by=None: f"Withdrawn: {reason.strip()}")
def withdraw(
    dialogue: Dialogue, *, user, reason: str, replaced_by: Dialogue | None = None
) -> Dialogue:
    """Withdraw the dialogue: its address answers 410 with `reason` and the replacement."""
    _check(user, ["status", "withdrawal_reason"], "Withdrawing")
    if replaced_by is not None and replaced_by.pk == dialogue.pk:
        raise ValueError("A record cannot replace itself.")
    dialogue.status = Status.WITHDRAWN
    dialogue.review_requested = False
    dialogue.withdrawn_at = timezone.now()
    dialogue.withdrawal_reason = reason.strip()
    dialogue.replaced_by = replaced_by
    _save(dialogue)
    return dialogue


@transaction.atomic
def merge_participants(keep: Participant, lose: Participant, *, user) -> Participant:
    """Merge `lose` into `keep`: move its participations and citations, then delete it.

    Where both took part in the same dialogue, `keep`'s row stays and `lose`'s note is added
    to it. `lose`'s address (and any it used to have) leads to `keep` from then on.
    """
    if keep.pk == lose.pk:
        raise ValueError("Choose two different participants to merge.")
    # A merge moves withheld participations between people: a publisher's act too.
    _check(user, ["withheld"], "Merging participants")
    if user is not None and not user.has_perm("dialogues.merge_participants"):
        raise rights.VisibilityRefused(
            "Merging participants needs the permission to merge them. Nothing was changed."
        )
    # A revision keeps the participant that goes as it was last (a revision holds only records
    # that still exist when it closes, so this one closes first); the merge itself is the next
    # revision, holding every dialogue whose rows it changes, so it shows in their history.
    with _revision_by(user, f"Last state before being merged into “{keep.name}” ({keep.slug})"):
        reversion.add_to_revision(lose)
    with _revision_by(user, f"Merged “{lose.name}” ({lose.slug}) into “{keep.name}”"):
        return _merge(keep, lose)


def _withhold_as_strictly(twin: Participation, row: Participation) -> bool:
    """Make the row kept withhold at least what the row folded into it withheld.

    Joining a withheld participation to a named one must not show the name: the merge is not a
    publishing decision. Returns whether `twin` changed.
    """
    if not row.withheld:
        return False
    before = (twin.withheld, twin.withheld_until, twin.show_side)
    if not twin.withheld:
        twin.withheld, twin.withheld_until, twin.show_side = True, row.withheld_until, row.show_side
    else:
        days = [twin.withheld_until, row.withheld_until]
        twin.withheld_until = None if None in days else max(days)
        twin.show_side = twin.show_side and row.show_side
    return before != (twin.withheld, twin.withheld_until, twin.show_side)


def _merge(keep: Participant, lose: Participant) -> Participant:
    kept_rows = {p.dialogue_id: p for p in keep.participations.all()}
    for row in lose.participations.select_related("dialogue"):
        twin = kept_rows.get(row.dialogue_id)
        if twin is None:
            row.participant = keep
            row.save()
            continue
        changed = _withhold_as_strictly(twin, row)
        if row.note and row.note not in twin.note:
            twin.note = "\n\n".join(filter(None, [twin.note, row.note]))
            changed = True
        if changed:
            twin.save()
        row.delete()
    for citation in Citation.objects.filter(participant=lose):
        citation.participant = keep
        citation.save()
    for dialogue in Dialogue.objects.filter(participations__participant=keep).distinct():
        reversion.add_to_revision(dialogue)
    reversion.add_to_revision(keep)
    lose_pk, lose_slug = lose.pk, lose.slug
    lose.delete()
    writes.merged(keep, lose_pk, lose_slug)
    return keep


# --- Merging organisations, places and series -----------------------------------------------

MERGEABLE = {Organisation: "organisations", Place: "places", Series: "series"}


@transaction.atomic
def merge_records(keep, lose, *, user):
    """Merge the organisation, place or series `lose` into `keep`, then delete `lose`.

    Everything that names `lose` is moved to `keep`: participations on its behalf,
    affiliations, citations, name forms and external ids (organisations); dialogues' places,
    name forms and ids (places); members and links (series). A row `keep` already has is kept
    as it is. `lose`'s address, and any it used to have, lead to `keep` (301) from then on. A
    publisher's act: it changes what readers see on both records' pages.
    """
    kind = type(keep)
    if kind not in MERGEABLE or type(lose) is not kind:
        raise ValueError("Choose two organisations, two places or two series to merge.")
    if keep.pk == lose.pk:
        raise ValueError(f"Choose two different {MERGEABLE[kind]} to merge.")
    _check(user, ["status"], f"Merging {MERGEABLE[kind]}")
    with _revision_by(user, f"Last state before being merged into “{keep}” ({keep.slug})"):
        reversion.add_to_revision(lose)
    with _revision_by(user, f"Merged “{lose}” ({lose.slug}) into “{keep}”"):
        dialogues = _MOVERS[kind](keep, lose)
        for dialogue in Dialogue.objects.filter(pk__in=dialogues):
            reversion.add_to_revision(dialogue)
        reversion.add_to_revision(keep)
        lose_pk, lose_slug = lose.pk, lose.slug
        lose.delete()
        writes.merged(keep, lose_pk, lose_slug)
        # Their records name `keep` now: feeds list them again as updated.
        writes.announce_dialogues(dialogues)
    return keep


def _move_names_and_ids(keep, lose, field: str) -> None:
    for row in [*lose.names.all(), *lose.external_ids.all()]:
        setattr(row, field, keep)
        row.save()


def _move_organisation(keep: Organisation, lose: Organisation) -> set[int]:
    dialogues = set()
    for row in Participation.objects.filter(on_behalf_of=lose):
        row.on_behalf_of = keep
        row.save()
        dialogues.add(row.dialogue_id)
    kept = {(a.participant_id, a.role, a.start): a for a in keep.affiliations.all()}
    for affiliation in lose.affiliations.all():
        twin = kept.get((affiliation.participant_id, affiliation.role, affiliation.start))
        if twin is None:
            affiliation.organisation = keep
            affiliation.save()
            continue
        # The same spell recorded twice: its passages join the one kept.
        cited = {(c.source_id, c.paragraph) for c in twin.citations.all()}
        for citation in affiliation.citations.all():
            if (citation.source_id, citation.paragraph) not in cited:
                AffiliationCitation.objects.create(
                    affiliation=twin,
                    source_id=citation.source_id,
                    paragraph=citation.paragraph,
                    excerpt=citation.excerpt,
                )
        affiliation.delete()
    cited = {(c.source_id, c.paragraph) for c in keep.citations.all()}
    for citation in OrganisationCitation.objects.filter(organisation=lose):
        if (citation.source_id, citation.paragraph) in cited:
            citation.delete()
        else:
            citation.organisation = keep
            citation.save()
    _move_names_and_ids(keep, lose, "organisation")
    return dialogues


def _move_place(keep: Place, lose: Place) -> set[int]:
    dialogues = set()
    at_keep = set(keep.dialogue_places.values_list("dialogue_id", flat=True))
    for row in DialoguePlace.objects.filter(place=lose):
        dialogues.add(row.dialogue_id)
        if row.dialogue_id in at_keep:
            row.delete()  # "Rome or Rome" is Rome
        else:
            row.place = keep
            row.save()
    _move_names_and_ids(keep, lose, "place")
    return dialogues


def _move_series(keep: Series, lose: Series) -> set[int]:
    members = set(keep.memberships.values_list("dialogue_id", flat=True))
    last = max(keep.memberships.values_list("position", flat=True), default=0)
    dialogues = set()
    # The merged series' dialogues follow the kept one's, in their own order.
    for row in SeriesMembership.objects.filter(series=lose).order_by("position", "pk"):
        dialogues.add(row.dialogue_id)
        if row.dialogue_id in members:
            row.delete()
            continue
        last += 1
        row.series, row.position = keep, last
        row.save()
    links = set(SeriesLink.objects.filter(origin=keep).values_list("relation", "target_id"))
    links |= {
        (relation, -origin)
        for relation, origin in SeriesLink.objects.filter(target=keep).values_list(
            "relation", "origin_id"
        )
    }
    for link in SeriesLink.objects.filter(origin=lose) | SeriesLink.objects.filter(target=lose):
        origin = keep if link.origin_id == lose.pk else link.origin
        target = keep if link.target_id == lose.pk else link.target
        key = (link.relation, target.pk) if origin == keep else (link.relation, -origin.pk)
        if origin.pk == target.pk or key in links:
            link.delete()
            continue
        link.origin, link.target = origin, target
        link.save()
        links.add(key)
    return dialogues


_MOVERS = {Organisation: _move_organisation, Place: _move_place, Series: _move_series}
