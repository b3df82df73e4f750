"""Only a publisher decides what readers see, on every path of the admin.

The paths are found by walking the admin site's URLs. Each is either one that can change what
readers see (a dialogue's status, embargo or withdrawal, a participation's withheld name), tried
below as an Editor, a Publisher and a superuser, or one that cannot, which an Editor's hostile
post must leave without effect. A path added later falls in neither list and fails the test
until someone says which it is and, for the first kind, proves that its check holds.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import reversion
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, reverse
from reversion.models import Version

from dialogues import editorial
from dialogues.imports import apply
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
from tests.admin_forms import errors_in, fill_inline, inline_prefix, open_form, soup_of
from tests.factories import (
    add_participant,
    make_conflict,
    make_dialogue,
    make_disagreement,
    make_era,
    make_participant,
    make_source,
)
from tests.imports.conftest import csv_bytes

pytestmark = pytest.mark.django_db

# Paths that cannot change what readers see: Django's own pages and the archive's reading
# pages, by name; and the generic pages of every model, by their ending.
INERT_NAMES = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
    "auth_user_password_change",
    "dialogues_recent_changes",
    "dialogues_version_diff",
    "dialogues_importbatch_template",
    "dialogues_importbatch_export",
}
INERT_ENDINGS = ("_changelist", "_add", "_change", "_delete", "_history")
# Paths that can, each tried below; every model kept with reversion has the last three.
DECIDING_NAMES = {
    "dialogues_dialogue_publish",
    "dialogues_dialogue_withdraw",
    "dialogues_dialogue_delete",
    "dialogues_dialogue_change",
    "dialogues_dialogue_changelist",
    "dialogues_participant_changelist",
    "dialogues_importbatch_upload",
    "dialogues_importbatch_dry_run",
    "dialogues_importbatch_undo",
}
DECIDING_ENDINGS = ("_recover", "_recoverlist", "_revision")


def admin_path_names() -> list[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return sorted(set(walk(admin.site.get_urls())))


def is_deciding(name: str) -> bool:
    return name in DECIDING_NAMES or name.endswith(DECIDING_ENDINGS)


def is_inert(name: str) -> bool:
    return not is_deciding(name) and (name in INERT_NAMES or name.endswith(INERT_ENDINGS))


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


# --- The people and the records -------------------------------------------------------------


def _user(name, *groups, perms=(), superuser=False):
    user = User.objects.create_user(name, is_staff=True, is_superuser=superuser)
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


ROLES = {
    "editor": lambda: _user("ed", "Editors"),
    # An editor given revert, undo and merge but not the publishing permission.
    "editor+revert": lambda: _user(
        "ed2", "Editors", perms=["revert_dialogue", "undo_importbatch", "merge_participants"]
    ),
    "publisher": lambda: _user("pub", "Publishers"),
    "superuser": lambda: _user("root", superuser=True),
}


def _revision(*objs, comment="saved"):
    with reversion.create_revision():
        reversion.set_comment(comment)
        for obj in objs:
            reversion.add_to_revision(obj)


def _deleted(make):
    """A record saved in a revision and then deleted: what recover brings back."""
    obj = make()
    _revision(obj)
    version = Version.objects.get_for_object(obj).first()
    obj.delete()
    return version


@pytest.fixture
def world(db):
    era = make_era(slug="nineties", date="1990/1999", position=1)
    conflict = make_conflict(slug="levant")
    source = make_source(slug="memoir")
    public = make_dialogue(slug="public", era=era, conflict=conflict)
    hidden = add_participant(public, make_participant(slug="hidden", name="Hidden Person"))
    hidden.withheld = True
    hidden.save()
    _revision(public, hidden, comment="first")
    # A draft, then published: reverting to the first revision takes it back to a draft.
    draft = make_dialogue(slug="draft", era=era, conflict=conflict, status=Status.DRAFT)
    _revision(draft, comment="drafted")
    first = Version.objects.get_for_object(draft).get()
    editorial.publish(draft, user=None)
    draft.refresh_from_db()
    deleted = {
        Dialogue: _deleted(lambda: make_dialogue(slug="gone", era=era, conflict=conflict)),
        Era: _deleted(lambda: make_era(slug="gone-era", date="2000/2009", position=2)),
        Source: _deleted(lambda: make_source(slug="gone-source")),
        Conflict: _deleted(lambda: make_conflict(slug="gone-conflict")),
        Participant: _deleted(lambda: make_participant(slug="gone-person")),
        SourceDisagreement: _deleted(
            lambda: make_disagreement(
                (make_source(), 1, "One said so", "yes"), (make_source(), 2, "One did not", "no")
            )
        ),
    }
    twin = make_participant(slug="twin", name="Twin")
    add_participant(public, twin)
    # An import by a publisher that set an embargo: undoing it lifts the embargo.
    row = {
        "slug": "draft",
        "title": draft.title,
        "date_edtf": draft.date,
        "era_slug": "nineties",
        "conflict_slug": "levant",
        "summary": draft.summary,
        "embargo_until": "2099-01-01",
        "citation_list": "\n".join(
            f"{c.source.slug} | {c.paragraph} | {c.excerpt}" for c in draft.citations.all()
        ),
    }
    batch, _ = apply.store("embargo.csv", csv_bytes(row), user=_user("imp", "Publishers"))
    apply.run_import(batch, user=batch.created_by)
    return SimpleNamespace(
        era=era,
        source=source,
        public=public,
        hidden=hidden,
        draft=Dialogue.objects.get(pk=draft.pk),
        first=first,
        deleted=deleted,
        twin=twin,
        batch=batch,
        row=row,
    )


def snapshot():
    """Everything that decides what readers see, across the archive."""
    return (
        sorted(
            Dialogue._base_manager.values_list(
                "pk", "status", "embargo_until", "withdrawn_at", "withdrawal_reason"
            )
        ),
        sorted(
            Participation._base_manager.values_list(
                "pk", "participant_id", "withheld", "withheld_until", "show_side"
            )
        ),
        sorted(Participant._base_manager.values_list("pk", flat=True)),
    )


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


# --- Every other path: an editor's hostile post changes nothing readers see --------------------


def _args(name, w):
    model = name.split("_")[1] if name.startswith("dialogues_") else None
    objects = {
        "dialogue": w.public.pk,
        "era": w.era.pk,
        "source": w.source.pk,
        "conflict": w.public.conflict_id,
        "participant": w.twin.pk,
        "sourcedisagreement": SourceDisagreement.objects.values_list("pk", flat=True).first(),
        "importbatch": w.batch.pk,
    }
    if name == "view_on_site":
        return [ContentType.objects.get_for_model(Dialogue).pk, w.public.pk]
    if name == "app_list":
        return ["dialogues"]
    if name == "dialogues_version_diff":
        return [w.first.pk]
    if name == "auth_user_password_change":
        return [User.objects.first().pk]
    if name not in INERT_NAMES and name.endswith(("_change", "_delete", "_history")):
        return [objects.get(model, 1)]
    return []


@pytest.mark.parametrize("name", [n for n in admin_path_names() if is_inert(n)])
def test_an_editors_hostile_post_to_any_other_path_changes_nothing_readers_see(client, world, name):
    client.force_login(ROLES["editor"]())
    before = snapshot()
    url = reverse(f"admin:{name}", args=_args(name, world))
    data = {
        "status": "published",
        "embargo_until": "",
        "to": "published",
        "apply": "1",
        "post": "yes",
        "reason": "hostile",
        "change_reason": "hostile",
        "action": "publish_selected",
        "_selected_action": [world.draft.pk, world.public.pk],
    }
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code < 500, name
    assert snapshot() == before


# --- What an editor may still do --------------------------------------------------------------


def test_an_editor_may_withhold_a_name_in_the_form(client, world):
    named = add_participant(world.public, make_participant(slug="named"))
    client.force_login(ROLES["editor"]())
    url = reverse("admin:dialogues_dialogue_change", args=[world.public.pk])
    form, data = open_form(client, url)
    prefix = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(named.pk)
    )
    data[f"{prefix}-withheld"] = "on"
    assert client.post(url, data).status_code == 302
    assert Participation.objects.get(pk=named.pk).withheld


def test_an_editor_may_not_remove_a_withheld_row_and_add_the_person_again_named(client, world):
    client.force_login(ROLES["editor"]())
    url = reverse("admin:dialogues_dialogue_change", args=[world.public.pk])
    form, data = open_form(client, url)
    prefix = inline_prefix(form, "withheld")
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(world.hidden.pk)
    )
    data[f"{row}-DELETE"] = "on"
    fill_inline(
        form, data, prefix, [{"participant": world.hidden.participant_id, "role": "participant"}]
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "only a publisher may change what readers see (withheld)" in errors_in(soup_of(response))
    assert Participation.objects.get(pk=world.hidden.pk).withheld


def test_a_merge_keeps_the_stricter_withholding(world):
    publisher = ROLES["publisher"]()
    editorial.merge_participants(world.twin, world.hidden.participant, user=publisher)
    (row,) = Participation.objects.filter(dialogue=world.public, participant=world.twin)
    assert row.withheld and row.withheld_until is None


@pytest.mark.parametrize(
    ("before", "after", "reveals"),
    [
        ((True, None, False), (False, None, False), ["withheld"]),
        ((True, None, False), (True, "2030-01-01", False), ["withheld_until"]),
        ((True, "2040-01-01", False), (True, "2030-01-01", False), ["withheld_until"]),
        ((True, "2030-01-01", False), (True, "2040-01-01", False), []),
        ((True, "2030-01-01", False), (True, None, False), []),
        ((True, None, False), (True, None, True), ["show_side"]),
        ((True, None, True), (True, None, False), []),
        ((False, None, False), (True, None, True), []),
        (None, (False, None, False), []),
        ((True, None, False), None, []),
    ],
)
def test_what_shows_more_of_a_participation(before, after, reveals):
    from dialogues.publishing_rights import participation_reveals

    def row(flags):
        if flags is None:
            return None
        return dict(zip(("withheld", "withheld_until", "show_side"), flags, strict=True))

    assert participation_reveals(row(before), row(after)) == reveals
