"""The admin's paths, found by walking its URLs, and an archive to try them on.

Shared by the tests of who may change what readers see (test_publishing_paths.py and
test_admin_paths_inert.py). Each admin path is either one that can change what readers see (a
dialogue's status, embargo or withdrawal, a participation's withheld name) or one that cannot.
"""

from __future__ import annotations

from types import SimpleNamespace

import reversion
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.urls import URLResolver
from reversion.models import Version

from dialogues import editorial
from dialogues.imports import apply
from dialogues.models import (
    Conflict,
    Dialogue,
    Era,
    Participant,
    Participation,
    Source,
    SourceDisagreement,
    Status,
)
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


def make_world():
    """Records for every path to act on (the tests' `world` fixture)."""
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
