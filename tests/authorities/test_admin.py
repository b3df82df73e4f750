"""Issue 21 through the admin: an editor records capacity, places, series and lineage on a
dialogue, names and ids on a participant; publishers publish an affiliation only with a
citation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    Capacity,
    Dialogue,
    Organisation,
    Place,
    Series,
    Status,
)
from tests.admin_forms import (
    admin_url,
    errors_in,
    fill_inline,
    inline_prefix,
    open_form,
    readonly_text,
    soup_of,
)
from tests.factories import add_participant, make_dialogue, make_participant, make_source

NEW_RECORDS = ["organisation", "affiliation", "place", "series"]


def _login(client, group):
    user = User.objects.create_user(group.lower(), password="x" * 20, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", NEW_RECORDS)
def test_an_editor_opens_every_new_records_pages(client, model):
    _login(client, "Editors")
    assert client.get(admin_url(model, "changelist")).status_code == 200
    form, _ = open_form(client, admin_url(model, "add"))
    # The status is the publishers' to change, never a field to type in.
    assert form.find(attrs={"name": "status"}) is None


@pytest.mark.django_db
def test_an_editor_records_capacity_place_series_and_lineage_on_a_dialogue(client):
    _login(client, "Editors")
    dialogue, later = make_dialogue(title="Oslo or Stockholm"), make_dialogue()
    sitting = add_participant(dialogue, make_participant(name="A. Negotiator"))
    organisation = Organisation.objects.create(slug="fafo", name="Fafo", kind="think_tank")
    oslo = Place.objects.create(slug="oslo", name="Oslo", country="NO")
    stockholm = Place.objects.create(slug="stockholm", name="Stockholm", country="SE")
    series = Series.objects.create(slug="back-channel", name="The back channel", kind="channel")
    url = admin_url("dialogue", "change", dialogue.pk)
    form, data = open_form(client, url)
    row = f"{inline_prefix(form, 'capacity')}-0"
    data.update(
        {
            "level": "track_1_5",
            "level_note": "Inferred from an official in a personal capacity.",
            f"{row}-capacity": Capacity.PERSONAL,
            f"{row}-capacity_basis": "inferred",
            f"{row}-capacity_note": "A deputy minister who came without a mandate.",
            f"{row}-on_behalf_of": str(organisation.pk),
        }
    )
    fill_inline(
        form,
        data,
        inline_prefix(form, "place"),
        [{"place": oslo.pk, "position": 1}, {"place": stockholm.pk, "position": 2}],
    )
    fill_inline(
        form,
        data,
        inline_prefix(form, "series"),
        [{"series": series.pk, "position": 1, "basis": "inferred", "reason": "Same people."}],
    )
    fill_inline(
        form,
        data,
        inline_prefix(form, "relation"),
        [{"relation": "led_to", "target": later.pk, "basis": "inferred", "reason": "Dates."}],
    )
    response = client.post(url, data)
    assert response.status_code == 302, errors_in(soup_of(response))

    dialogue = Dialogue.objects.get(pk=dialogue.pk)
    sitting.refresh_from_db()
    assert (sitting.capacity, sitting.on_behalf_of) == (Capacity.PERSONAL, organisation)
    assert [row.place.name for row in dialogue.places.all()] == ["Oslo", "Stockholm"]
    assert dialogue.memberships.get().series == series
    assert dialogue.links_out.get().target == later
    page = soup_of(client.get(url))
    assert readonly_text(page, "implied_level") == "Track 1.5"


@pytest.mark.django_db
def test_an_inferred_capacity_without_its_reason_is_refused(client):
    _login(client, "Editors")
    dialogue = make_dialogue()
    add_participant(dialogue)
    url = admin_url("dialogue", "change", dialogue.pk)
    form, data = open_form(client, url)
    row = f"{inline_prefix(form, 'capacity')}-0"
    data.update({f"{row}-capacity": Capacity.SERVING, f"{row}-capacity_basis": "inferred"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "An inferred capacity needs its reason" in errors_in(soup_of(response))
    assert not dialogue.participations.exclude(capacity=Capacity.NOT_STATED).exists()


@pytest.mark.django_db
def test_a_publisher_publishes_an_affiliation_only_with_a_citation(client):
    _login(client, "Publishers")
    organisation = Organisation.objects.create(slug="awc", name="AWC", kind="ngo")
    bare, cited = (
        Affiliation.objects.create(
            participant=make_participant(), organisation=organisation, role="leader"
        )
        for _ in range(2)
    )
    AffiliationCitation.objects.create(
        affiliation=cited, source=make_source(), paragraph=12, excerpt="is President of"
    )
    response = client.post(
        admin_url("affiliation", "changelist"),
        {"action": "publish_selected", "_selected_action": [bare.pk, cited.pk]},
        follow=True,
    )
    text = soup_of(response).get_text(" ", strip=True)
    assert "has no citation" in text
    bare.refresh_from_db()
    cited.refresh_from_db()
    assert (bare.status, cited.status) == (Status.DRAFT, Status.PUBLISHED)


@pytest.mark.django_db
def test_an_editor_is_not_offered_the_publishing_actions(client):
    _login(client, "Editors")
    page = soup_of(client.get(admin_url("organisation", "changelist")))
    offered = {o.get("value") for o in page.select("select[name=action] option")}
    assert not offered & {"publish_selected", "withdraw_selected", "unpublish_selected"}
