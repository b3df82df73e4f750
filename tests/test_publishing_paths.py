"""Only a publisher decides what readers see, on every path of the admin.

The paths are found by walking the admin site's URLs (tests/admin_paths.py). Each is either one
that can change what readers see (a dialogue's status, embargo or withdrawal, a participation's
withheld name), tried here as an Editor, an Editor given revert, undo and merge, a Publisher and
a superuser; or one that cannot, which an Editor's hostile post must leave without effect
(test_admin_paths_inert.py). A path added later falls in neither list and fails the first test
until someone says which it is and, for the first kind, proves that its check holds.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.models import (
    Conflict,
    Dialogue,
    Era,
    ImportBatch,
    Participant,
    Participation,
    Source,
    SourceDisagreement,
    Status,
)
from tests.admin_forms import open_form, soup_of
from tests.admin_paths import (
    ROLES,
    admin_path_names,
    is_deciding,
    is_inert,
    make_world,
    snapshot,
)
from tests.imports.conftest import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def test_every_admin_path_is_classified():
    names = admin_path_names()
    assert "dialogues_dialogue_recover" in names and "dialogues_importbatch_undo" in names
    unknown = [name for name in names if not is_deciding(name) and not is_inert(name)]
    assert unknown == [], (
        "New admin paths: say whether each can change what readers see (and test its check)"
    )
    # Every model kept with reversion offers recover and revert, and each is tried below.
    for model in (Dialogue, Era, Source, Conflict, Participant, SourceDisagreement):
        for view in ("recover", "recoverlist", "revision"):
            assert f"dialogues_{model._meta.model_name}_{view}" in names


# --- Each path that can change what readers see, tried -------------------------------------


def _refused(response, *words):
    """A refusal: a 403 page or a form or message that says why, naming what was refused."""
    text = soup_of(response).get_text(" ", strip=True)
    assert response.status_code in (200, 403), response.status_code
    assert "publisher" in text.lower() or "superuser" in text.lower(), text[:400]
    for word in words:
        assert word in text


def try_publish(client, w):
    return client.post(
        reverse("admin:dialogues_dialogue_publish", args=[w.public.pk]), {"to": "draft"}
    )


def try_withdraw(client, w):
    url = reverse("admin:dialogues_dialogue_withdraw", args=[w.public.pk])
    return client.post(url, {"apply": "1", "reason": "duplicate"})


def try_delete(client, w):
    url = reverse("admin:dialogues_dialogue_delete", args=[w.public.pk])
    return client.post(url, {"post": "yes"})


def try_action(name):
    def attempt(client, w):
        url = reverse("admin:dialogues_dialogue_changelist")
        data = {"action": name, "_selected_action": [w.public.pk], "apply": "1", "reason": "x"}
        return client.post(url, data, follow=True)

    return attempt


def try_merge(client, w):
    url = reverse("admin:dialogues_participant_changelist")
    data = {
        "action": "merge_selected",
        "_selected_action": [w.hidden.participant_id, w.twin.pk],
        "apply": "1",
        "keep": str(w.twin.pk),
    }
    return client.post(url, data, follow=True)


def try_unwithhold(client, w):
    url = reverse("admin:dialogues_dialogue_change", args=[w.public.pk])
    form, data = open_form(client, url)
    for name, value in list(data.items()):
        if name.endswith("-id") and value == str(w.hidden.pk):
            data.pop(name.replace("-id", "-withheld"), None)
    return client.post(url, data)


def try_import(client, w):
    row = {**w.row, "slug": "public", "title": w.public.title, "date_edtf": w.public.date}
    row["summary"] = w.public.summary
    row["citation_list"] = "\n".join(
        f"{c.source.slug} | {c.paragraph} | {c.excerpt}" for c in w.public.citations.all()
    )
    upload = SimpleUploadedFile("embargo.csv", csv_bytes(row))
    response = client.post(
        reverse("admin:dialogues_importbatch_upload"), {"file": upload}, follow=True
    )
    batch = ImportBatch.objects.exclude(pk=w.batch.pk).get()
    answer = client.post(reverse("admin:dialogues_importbatch_dry_run", args=[batch.pk]))
    return response if answer.status_code == 200 else answer


def try_undo(client, w):
    url = reverse("admin:dialogues_importbatch_undo", args=[w.batch.pk])
    return client.post(url, {"reason": "wrong file"})


def try_revert(client, w):
    url = reverse("admin:dialogues_dialogue_revision", args=[w.draft.pk, w.first.pk])
    response = client.get(url)
    if response.status_code != 200:
        return response
    form, data = open_form(client, url)
    return client.post(url, data)


def try_recover(model):
    def attempt(client, w):
        name = model._meta.model_name
        url = reverse(f"admin:dialogues_{name}_recover", args=[w.deleted[model].pk])
        response = client.get(url)
        if response.status_code != 200:
            return response
        form, data = open_form(client, url)
        return client.post(url, data)

    return attempt


def try_recoverlist(model):
    def attempt(client, w):
        return client.get(reverse(f"admin:dialogues_{model._meta.model_name}_recoverlist"))

    return attempt


def _recovered(model):
    def check(w):
        version = w.deleted[model]
        return model._base_manager.filter(pk=version.object_id).exists()

    return check


RECORDS = (Dialogue, Era, Source, Conflict, Participant, SourceDisagreement)

# path: (attempt, the change a success makes, the words a refusal names)
PATHS = {
    "publish (unpublish button)": (
        try_publish,
        lambda w: Dialogue.objects.get(pk=w.public.pk).status == Status.DRAFT,
        ["status"],
    ),
    "withdraw button": (
        try_withdraw,
        lambda w: Dialogue.objects.get(pk=w.public.pk).status == Status.WITHDRAWN,
        ["status"],
    ),
    "delete a dialogue": (
        try_delete,
        lambda w: not Dialogue.objects.filter(pk=w.public.pk).exists(),
        ["superuser"],
    ),
    "action: unpublish": (
        try_action("unpublish_selected"),
        lambda w: Dialogue.objects.get(pk=w.public.pk).status == Status.DRAFT,
        ["Unpublish the selected dialogues"],
    ),
    "action: withdraw": (
        try_action("withdraw_selected"),
        lambda w: Dialogue.objects.get(pk=w.public.pk).status == Status.WITHDRAWN,
        ["Withdraw the selected dialogues"],
    ),
    "action: merge participants": (
        try_merge,
        lambda w: not Participant.objects.filter(pk=w.hidden.participant_id).exists(),
        ["Merge the two selected participants"],
    ),
    "change form: unwithhold a name": (
        try_unwithhold,
        lambda w: not Participation.objects.get(pk=w.hidden.pk).withheld,
        ["withheld"],
    ),
    "import: set an embargo": (
        try_import,
        lambda w: Dialogue.objects.get(pk=w.public.pk).embargo_until is not None,
        ["embargo_until"],
    ),
    "undo an import (lifts its embargo)": (
        try_undo,
        lambda w: Dialogue.objects.get(pk=w.draft.pk).embargo_until is None,
        ["undo"],
    ),
    "revert to a draft revision": (
        try_revert,
        lambda w: Dialogue.objects.get(pk=w.draft.pk).status == Status.DRAFT,
        ["revert"],
    ),
    **{
        f"recover a {m._meta.verbose_name}": (try_recover(m), _recovered(m), ["recover"])
        for m in RECORDS
    },
    **{
        f"list deleted {m._meta.verbose_name_plural}": (try_recoverlist(m), None, ["recover"])
        for m in RECORDS
    },
}

# Who may take each path: the table of the closing note.
ALLOWED = {
    "editor": set(),
    "editor+revert": set(),
    "publisher": set(PATHS) - {"delete a dialogue"},
    "superuser": set(PATHS),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("path", list(PATHS))
def test_each_path_that_decides_visibility_is_a_publishers(client, world, role, path):
    attempt, succeeded, words = PATHS[path]
    client.force_login(ROLES[role]())
    before = snapshot()
    response = attempt(client, world)
    assert response.status_code < 500
    if path in ALLOWED[role]:
        assert response.status_code in (200, 302), response.status_code
        if succeeded is not None:
            assert succeeded(world), f"{role} could not {path}"
    else:
        _refused(response, *(w for w in words if w not in ("undo", "revert", "recover")))
        text = soup_of(response).get_text(" ", strip=True).lower()
        assert any(w.lower() in text for w in words)
        assert snapshot() == before, f"{role}'s refused {path} changed what readers see"
