"""The editors' admin, driven through its real forms as a staff member of the Editors group.

Each test reads the page the way a browser would (field names, initial values, the inline
management forms and their empty template rows) and posts back what a browser would send.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import formats

from dialogues import dates
from dialogues.models import Dialogue, OutcomeKind, Role
from tests.admin_forms import (
    EDITORS,
    admin_url,
    assert_nothing_saved,
    errors_in,
    filled_add_form,
    inline_prefix,
    open_form,
    option_labels,
    option_value,
    readonly_text,
    soup_of,
)
from tests.factories import (
    add_outcome,
    add_participant,
    make_dialogue,
    make_era,
)

DIALOGUE_MODELS = ["dialogue", "era", "conflict", "participant", "source"]
EDITED_INLINE = ["participation", "outcome", "citation"]
# Issue 21's records (tested in tests/authorities/test_admin.py) and their inline rows.
AUTHORITIES = ["organisation", "affiliation", "place", "series"]
AUTHORITY_ROWS = [
    *("namevariant", "externalid", "organisationcitation", "affiliationcitation"),
    *("dialogueplace", "seriesmembership", "dialoguelink", "serieslink"),
]
# Edited on their own admin page, or (fixture bookkeeping) not in the admin at all.
OTHER_MODELS = ["sourcedisagreement", "disagreementcitation", "fixturerecord"]
# Written by the code alone (old addresses kept on a rename or merge; removals of public records
# for mirrors; which records an import made or changed; a revision's reason for readers, written
# by the record's own form): no one edits it.
BOOKKEEPING = ["pastslug", "removal", "importedrecord", "revisionreason", "withheldpair"]
# An import batch is made by uploading a file and is never edited: Editors add and view them
# (migration 0013), and undoing one is the Publishers' permission.
IMPORTS = ["importbatch"]


# --- Creating and changing a dialogue -------------------------------------------------------


@pytest.mark.django_db
def test_editor_creates_a_dialogue_with_participants_outcome_and_citation(editor_client, setting):
    url, _, data = filled_add_form(editor_client, setting, date="1995~")

    response = editor_client.post(url, data)

    assert response.status_code == 302, errors_in(soup_of(response))
    dialogue = Dialogue.objects.get(slug="talks-at-sarpsborg")
    bounds = dates.parse("1995~")
    assert (dialogue.date_earliest, dialogue.date_latest) == (bounds.earliest, bounds.latest)
    assert (dialogue.era, dialogue.conflict) == (setting.era, setting.conflict)
    assert set(dialogue.participations.values_list("participant", "role")) == {
        (setting.first.pk, Role.ORGANISER),
        (setting.second.pk, Role.PARTICIPANT),
    }
    assert list(dialogue.outcomes.values_list("kind", flat=True)) == [OutcomeKind.BECAME_OFFICIAL]
    citation = dialogue.citations.get()
    assert (citation.source, citation.paragraph) == (setting.source, 4)


@pytest.mark.django_db
def test_change_form_shows_the_computed_date_bounds_and_words_read_only(editor_client):
    dialogue = make_dialogue(era=make_era(date="1990/1999"), date="1993-08")
    bounds = dates.parse(dialogue.date)

    form, data = open_form(editor_client, admin_url("dialogue", "change", dialogue.pk))

    shown = {
        name: readonly_text(form, name)
        for name in ("date_in_words", "date_earliest", "date_latest")
    }
    assert shown == {
        "date_in_words": bounds.display,
        "date_earliest": formats.localize(bounds.earliest),
        "date_latest": formats.localize(bounds.latest),
    }
    # Shown, but not sent back: the editor cannot type over them.
    assert not {"date_in_words", "date_earliest", "date_latest"} & data.keys()


@pytest.mark.django_db
def test_changing_the_date_recomputes_the_bounds(editor_client):
    dialogue = make_dialogue(era=make_era(date="1990/1999"), date="1995~")
    url = admin_url("dialogue", "change", dialogue.pk)
    _, data = open_form(editor_client, url)
    data["date"] = "1997-03"

    response = editor_client.post(url, data)

    assert response.status_code == 302, errors_in(soup_of(response))
    dialogue.refresh_from_db()
    bounds = dates.parse("1997-03")
    assert (dialogue.date_earliest, dialogue.date_latest) == (bounds.earliest, bounds.latest)


# --- Refusing bad input ---------------------------------------------------------------------


@pytest.mark.django_db
def test_invalid_edtf_date_is_refused_with_examples_and_nothing_is_saved(editor_client, setting):
    url, _, data = filled_add_form(editor_client, setting, date="sometime in 1976")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    page = soup_of(response)
    assert page.select_one(".errornote") is not None
    message = errors_in(page.select_one(".form-row.field-date"))
    label = Dialogue._meta.get_field("date").verbose_name.capitalize()
    assert label in message and "sometime in 1976" in message
    for code, _ in dates.EXAMPLES:
        assert code in message
    assert page.find("input", attrs={"name": "date"})["aria-invalid"] == "true"
    assert_nothing_saved()


@pytest.mark.django_db
def test_date_outside_the_chosen_era_is_refused(editor_client, setting):
    url, _, data = filled_add_form(editor_client, setting, date="2005")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert setting.era.name in errors_in(soup_of(response).select_one(".form-row.field-era"))
    assert_nothing_saved()


def _leave_citation_row_blank(data, prefix):
    for field in ("source", "paragraph", "excerpt"):
        data.pop(f"{prefix}-0-{field}", None)


def _remove_citation_rows(data, prefix):
    _leave_citation_row_blank(data, prefix)
    data[f"{prefix}-TOTAL_FORMS"] = "0"


def _drop_citation_management_form(data, prefix):
    for key in [k for k in data if k.startswith(f"{prefix}-") and k.endswith("_FORMS")]:
        del data[key]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "strip",
    [_leave_citation_row_blank, _remove_citation_rows, _drop_citation_management_form],
    ids=["blank row", "no rows", "no management form"],
)
def test_dialogue_without_a_citation_is_refused(editor_client, setting, strip):
    url, form, data = filled_add_form(editor_client, setting)
    citations = inline_prefix(form, "excerpt")
    strip(data, citations)

    response = editor_client.post(url, data)

    assert response.status_code == 200
    page = soup_of(response)
    assert page.select_one(".errornote") is not None
    assert "Add at least one citation" in errors_in(page.find(id=f"{citations}-group"))
    assert_nothing_saved()


@pytest.mark.django_db
def test_the_same_participant_twice_is_refused(editor_client, setting):
    url, form, data = filled_add_form(editor_client, setting)
    participations = inline_prefix(form, "role")
    data[f"{participations}-1-participant"] = data[f"{participations}-0-participant"]

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "duplicate" in errors_in(soup_of(response).find(id=f"{participations}-group"))
    assert_nothing_saved()


# --- Citation links -------------------------------------------------------------------------


@pytest.mark.django_db
def test_citation_offers_only_this_dialogues_outcomes_and_participants(editor_client):
    era = make_era(date="1990/1999")
    dialogue = make_dialogue(era=era, date="1995")
    mine = add_participant(dialogue, name="Ron Pundak").participant
    my_outcome = add_outcome(dialogue, kind=OutcomeKind.ADVANCED_PROCESS)
    other = make_dialogue(era=era, date="1996")
    theirs = add_participant(other, name="Hanan Ashrawi").participant
    their_outcome = add_outcome(other, kind=OutcomeKind.WALKOUT)
    url = admin_url("dialogue", "change", dialogue.pk)

    form, data = open_form(editor_client, url)

    citations = inline_prefix(form, "excerpt")
    outcome_select = form.find("select", attrs={"name": f"{citations}-0-outcome"})
    participant_select = form.find("select", attrs={"name": f"{citations}-0-participant"})
    assert option_labels(outcome_select) == {str(my_outcome)}
    assert option_labels(participant_select) == {mine.name}

    # A forged post naming another dialogue's outcome is refused, not saved.
    data[f"{citations}-0-outcome"] = str(their_outcome.pk)
    data[f"{citations}-0-participant"] = str(theirs.pk)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert errors_in(soup_of(response).find(id=f"{citations}-group"))
    assert dialogue.citations.get().outcome is None

    data[f"{citations}-0-outcome"] = option_value(form, f"{citations}-0-outcome", str(my_outcome))
    data[f"{citations}-0-participant"] = option_value(form, f"{citations}-0-participant", mine.name)
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_in(soup_of(response))
    citation = dialogue.citations.get()
    assert (citation.outcome, citation.participant) == (my_outcome, mine)


# --- Permissions ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_editors_may_add_change_and_view_every_model_and_delete_only_inline_rows(editor):
    group = Group.objects.get(name=EDITORS)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    models = list(apps.get_app_config("dialogues").get_models())
    # A model added later needs its own migration granting the Editors its permissions.
    assert {m._meta.model_name for m in models} == set(
        DIALOGUE_MODELS + EDITED_INLINE + OTHER_MODELS + BOOKKEEPING + IMPORTS
    ) | set(AUTHORITIES + AUTHORITY_ROWS)
    for name in IMPORTS:
        mine = {codename for _, codename in granted if codename.endswith(f"_{name}")}
        assert mine == {f"add_{name}", f"view_{name}"}
    for name in BOOKKEEPING:
        assert not any(codename.endswith(f"_{name}") for _, codename in granted)
    for model in models:
        name = model._meta.model_name
        if name in BOOKKEEPING + IMPORTS:
            continue
        for action in ("add", "change", "view"):
            assert ("dialogues", f"{action}_{name}") in granted
            assert editor.has_perm(f"dialogues.{action}_{name}")
        # Removing a wrong row is part of an edit; removing a whole record is not.
        may_delete = name in EDITED_INLINE + AUTHORITY_ROWS
        assert (("dialogues", f"delete_{name}") in granted) is may_delete
        assert editor.has_perm(f"dialogues.delete_{name}") is may_delete
    assert not editor.is_superuser


@pytest.mark.django_db
def test_editors_group_migration_reverses_and_reapplies():
    migration = importlib.import_module("dialogues.migrations.0002_editors_group")
    schema_editor = SimpleNamespace(connection=connection)

    migration.remove_editors_group(apps, schema_editor)
    assert not Group.objects.filter(name=EDITORS).exists()

    migration.create_editors_group(apps, schema_editor)
    group = Group.objects.get(name=EDITORS)
    expected = Permission.objects.filter(
        content_type__app_label="dialogues", codename__regex=r"^(add|change|view)_"
    )
    assert set(group.permissions.all()) == set(expected)
    assert expected.count() == 3 * len(
        DIALOGUE_MODELS
        + EDITED_INLINE
        + OTHER_MODELS
        + BOOKKEEPING
        + IMPORTS
        + AUTHORITIES
        + AUTHORITY_ROWS
    )


def _one_of_each():
    dialogue = make_dialogue()
    return {
        "dialogue": dialogue,
        "era": dialogue.era,
        "conflict": dialogue.conflict,
        "participant": add_participant(dialogue).participant,
        "source": dialogue.citations.get().source,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", DIALOGUE_MODELS)
def test_editor_cannot_delete(editor_client, model):
    record = _one_of_each()[model]
    url = admin_url(model, "delete", record.pk)

    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403

    changelist = admin_url(model, "changelist")
    page = soup_of(editor_client.get(changelist))
    offered = {o.get("value") for o in page.select("select[name=action] option")}
    assert "delete_selected" not in offered
    response = editor_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )
    # The action is not offered, so the admin shows the changelist again with the row in it.
    assert response.status_code == 200
    page = soup_of(response)
    assert page.title.get_text().startswith(f"Select {model} to change")
    assert len(page.select("#result_list tbody tr")) == 1
    assert type(record).objects.filter(pk=record.pk).exists()


# --- Changelists ----------------------------------------------------------------------------


def _add_rows(model, count):
    """Add `count` rows of `model`, each with the related rows its changelist shows."""
    for _ in range(count):
        if model == "dialogue":
            dialogue = make_dialogue()
            add_participant(dialogue)
            add_outcome(dialogue)
        elif model == "participant":
            add_participant(make_dialogue(cite=False))
        else:  # a dialogue brings its own era, conflict and cited source
            make_dialogue()


# Session, user, its permissions, the counts and the page: none of them depends on the rows.
CHANGELIST_QUERY_BOUND = 12


@pytest.mark.django_db
@pytest.mark.parametrize("model", DIALOGUE_MODELS)
def test_changelist_query_count_does_not_grow_with_rows(
    editor_client, django_assert_max_num_queries, model
):
    url = admin_url(model, "changelist")
    model_class = apps.get_model("dialogues", model)
    for rows in (3, 30):
        _add_rows(model, rows - model_class.objects.count())
        assert model_class.objects.count() == rows
        with django_assert_max_num_queries(CHANGELIST_QUERY_BOUND):
            response = editor_client.get(url)
        assert response.status_code == 200
        assert len(soup_of(response).select("#result_list tbody tr")) == rows


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"q": "Dialogue"}, {"era__id__exact": "not-a-number"}, {"o": "99"}, {"p": "-4"}],
    ids=["search", "bad filter", "bad ordering", "bad page"],
)
def test_dialogue_changelist_survives_any_query_string(editor_client, query):
    make_dialogue()

    response = editor_client.get(admin_url("dialogue", "changelist"), query)

    # A bad filter, ordering or page is ignored: the changelist still lists the dialogue.
    assert response.status_code == 200
    page = soup_of(response)
    assert page.title.get_text().startswith("Select dialogue to change")
    assert len(page.select("#result_list tbody tr")) == 1


# --- Links and help -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["dialogue", "era", "participant", "source"])
def test_view_on_site_links_to_the_public_page(editor_client, model):
    record = _one_of_each()[model]

    page = soup_of(editor_client.get(admin_url(model, "change", record.pk)))

    link = page.select_one("a.viewsitelink")
    assert link is not None
    assert link["href"] == record.get_absolute_url()
    public = editor_client.get(link["href"])
    assert public.status_code == 200
    assert public.context["object"] == record


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["dialogue", "era", "source"])
def test_date_help_text_with_examples_shows_next_to_the_date_field(editor_client, model):
    response = editor_client.get(admin_url(model, "add"))

    row = soup_of(response).select_one(".form-row.field-date")
    date_input = row.find("input", attrs={"name": "date"})
    help_box = row.find(id=date_input["aria-describedby"])
    assert help_box is not None and "help" in help_box.get("class", [])
    text = help_box.get_text(" ", strip=True)
    for code, meaning in dates.EXAMPLES:
        assert code in text and meaning in text
