"""Merging two organisations, places or series: a publisher's act, through one function, with
history, and the merged record's addresses (its own and its past ones) answering 301."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from reversion.models import Version

from dialogues import editorial
from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    Basis,
    DialoguePlace,
    ExternalId,
    NameVariant,
    Organisation,
    Participation,
    Place,
    Series,
    SeriesLink,
    SeriesMembership,
    Status,
)
from tests.admin_forms import admin_url, soup_of
from tests.factories import add_participant, make_dialogue, make_participant, make_source

pytestmark = pytest.mark.django_db


def _org(slug, name):
    return Organisation.objects.create(slug=slug, name=name, kind="ngo", status=Status.PUBLISHED)


def _place(slug, name, country="IT"):
    return Place.objects.create(slug=slug, name=name, country=country, status=Status.PUBLISHED)


def _series(slug, name):
    return Series.objects.create(slug=slug, name=name, kind="forum", status=Status.PUBLISHED)


def _cited_affiliation(person, organisation, paragraph):
    affiliation = Affiliation.objects.create(
        participant=person, organisation=organisation, role="leader", start="2006",
        status=Status.PUBLISHED,
    )  # fmt: skip
    AffiliationCitation.objects.create(
        affiliation=affiliation, source=make_source(), paragraph=paragraph, excerpt="He led it."
    )
    return affiliation


def test_merging_organisations_moves_what_names_them_and_the_old_address_answers_301(
    client, publisher
):
    keep, lose = _org("awc", "Association of World Citizens"), _org("a-w-c", "A.W.C.")
    lose.slug = "assoc-world-citizens"  # an address it had before: it must lead on too
    lose.save()
    dialogue = make_dialogue()
    row = add_participant(dialogue, make_participant())
    row.on_behalf_of = lose
    row.save()
    person = make_participant(slug="rene")
    _cited_affiliation(person, keep, 1)
    _cited_affiliation(person, lose, 2)  # the same spell, recorded twice
    NameVariant.objects.create(organisation=lose, name="AWC", archive_note="the essay's initials")
    ExternalId.objects.create(
        organisation=lose, scheme="wikidata", value="Q7", source_url="https://example.org/"
    )
    editorial.merge_records(keep, lose, user=publisher)
    assert list(Organisation.objects.all()) == [keep]
    assert Participation.objects.get(pk=row.pk).on_behalf_of == keep
    (spell,) = Affiliation.objects.filter(participant=person)
    assert sorted(spell.citations.values_list("paragraph", flat=True)) == [1, 2]
    assert [n.name for n in keep.names.all()] == ["AWC"]
    assert [e.value for e in keep.external_ids.all()] == ["Q7"]
    for old in ("a-w-c", "assoc-world-citizens"):
        response = client.get(f"/organisations/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/organisations/awc/")
    response = client.get("/api/organisations/a-w-c/")
    assert (response.status_code, response["Location"]) == (301, "/api/organisations/awc/")
    # The history keeps the merged record as it was last, and the merge on the one kept.
    comments = set(Version.objects.get_for_object(keep).values_list("revision__comment", flat=True))
    assert "Merged “A.W.C.” (assoc-world-citizens) into “Association of World Citizens”" in (
        comments
    )


def test_merging_places_keeps_one_row_where_a_dialogue_had_both(client, publisher):
    keep, lose = _place("rome", "Rome"), _place("roma", "Roma")
    amman = _place("amman", "Amman", "JO")
    both = make_dialogue(slug="both")
    for position, place in enumerate((keep, lose, amman), start=1):
        DialoguePlace.objects.create(dialogue=both, place=place, position=position)
    only_lose = make_dialogue(slug="only-lose")
    DialoguePlace.objects.create(dialogue=only_lose, place=lose)
    editorial.merge_records(keep, lose, user=publisher)
    assert [r.place.slug for r in DialoguePlace.objects.filter(dialogue=both)] == ["rome", "amman"]
    assert [r.place.slug for r in DialoguePlace.objects.filter(dialogue=only_lose)] == ["rome"]
    response = client.get("/places/roma/")
    assert (response.status_code, response["Location"]) == (301, "/places/rome/")
    assert [d["slug"] for d in client.get("/api/dialogues/?place=roma").json()["results"]] == []
    found = client.get("/api/dialogues/?place=rome").json()["results"]
    assert sorted(d["slug"] for d in found) == ["both", "only-lose"]


def test_merging_series_appends_members_in_order_and_moves_links(client, publisher):
    keep, lose, other = _series("oslo", "Oslo"), _series("oslo-2", "Oslo again"), _series("g", "G")
    first, second, third = (make_dialogue(slug=s) for s in ("first", "second", "third"))
    for series, dialogue, position in (
        (keep, first, 1), (lose, third, 1), (lose, first, 2), (lose, second, 3),
    ):  # fmt: skip
        SeriesMembership.objects.create(
            series=series, dialogue=dialogue, position=position, basis=Basis.INFERRED, reason="x"
        )
    for origin, target in ((lose, other), (keep, lose), (other, keep)):
        SeriesLink.objects.create(
            origin=origin, target=target, relation="led_to", basis=Basis.INFERRED, reason="x"
        )
    editorial.merge_records(keep, lose, user=publisher)
    members = keep.memberships.order_by("position")
    assert [(m.dialogue.slug, m.position) for m in members] == [
        ("first", 1),
        ("third", 2),
        ("second", 3),
    ]
    # A link to itself goes; the others now start or end at the series kept.
    assert sorted((link.origin.slug, link.target.slug) for link in SeriesLink.objects.all()) == [
        ("g", "oslo"),
        ("oslo", "g"),
    ]
    response = client.get("/series/oslo-2/")
    assert (response.status_code, response["Location"]) == (301, "/series/oslo/")


def test_an_editor_may_not_merge_and_nothing_changes(editor):
    keep, lose = _org("one", "One"), _org("two", "Two")
    with pytest.raises(PermissionDenied, match="Merging organisations"):
        editorial.merge_records(keep, lose, user=editor)
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize("pair", ["same", "kinds"])
def test_a_merge_needs_two_different_records_of_one_kind(publisher, pair):
    one = _org("one", "One")
    other = one if pair == "same" else _place("rome", "Rome")
    with pytest.raises(ValueError, match="Choose two"):
        editorial.merge_records(one, other, user=publisher)


@pytest.mark.parametrize("model", ["organisation", "place", "series"])
def test_the_admin_offers_the_merge_to_publishers_only(client, editor, publisher, model):
    make = {"organisation": _org, "place": _place, "series": _series}[model]
    keep, lose = make("kept", "Kept"), make("gone", "Gone")
    changelist = admin_url(model, "changelist")
    client.force_login(editor)
    options = soup_of(client.get(changelist)).select("select[name=action] option")
    assert "merge_selected" not in {o.get("value") for o in options}
    client.force_login(publisher)
    chosen = {"action": "merge_selected", "_selected_action": [keep.pk, lose.pk]}
    page = soup_of(client.post(changelist, chosen))
    choices = {i["value"] for i in page.select("#merge_form input[name=keep]")}
    assert choices == {str(keep.pk), str(lose.pk)}
    client.post(changelist, {**chosen, "keep": keep.pk, "apply": "Merge"})
    assert [r.slug for r in type(keep).objects.all()] == ["kept"]
