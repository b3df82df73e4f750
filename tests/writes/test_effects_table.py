"""Every writer × every effect a write calls for: a writer that skips one fails its row.

Each writer changes the archive as it does in use (the admin's form through the test client,
the editorial actions, the import and its undo, the fixture loader and its sync, the synthetic
generator), with its transaction committed, and the table checks what followed: the generation
moved on once, the search index was rebuilt once for what was touched, and the bookkeeping
(past addresses, removals, the changes feed's datestamp) was kept where the change calls for it.
"""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone

from dialogues import editorial
from dialogues.imports import apply
from dialogues.models import Dialogue, PastSlug, Removal
from tests.admin_forms import admin_url, errors_in, open_form, soup_of
from tests.factories import add_participant, make_dialogue, make_participant
from tests.fixture_files import find, valid_fixtures, write_fixtures
from tests.imports.conftest import csv_bytes
from tests.writes.effects import count_effects

EVERYTHING = None  # reindexed: the whole archive


@dataclasses.dataclass
class Written:
    """What a writer changed, for the effects to be checked against."""

    touched: set[int] | None = None  # dialogues whose index rows must be rebuilt
    past_slug: tuple[str, str, int] | None = None  # (kind, old slug, record id)
    removed: int | None = None  # a dialogue readers saw and no longer can
    stamped: set[int] = dataclasses.field(default_factory=set)  # datestamps that must move


def admin_save(ctx) -> Written:
    dialogue = make_dialogue(slug="old-address")
    add_participant(dialogue)
    url = admin_url("dialogue", "change", dialogue.pk)
    _, data = open_form(ctx.editor_client, url)
    data.update(title="A new title", slug="new-address")
    with ctx.committed():
        response = ctx.editor_client.post(url, data)
    assert response.status_code == 302, errors_in(soup_of(response))
    return Written(
        touched={dialogue.pk},
        past_slug=("dialogue", "old-address", dialogue.pk),
        stamped={dialogue.pk},
    )


def publish(ctx) -> Written:
    dialogue = make_dialogue(status="draft")
    with ctx.committed():
        editorial.publish(dialogue, user=ctx.publisher)
    return Written(touched={dialogue.pk}, stamped={dialogue.pk})


def unpublish(ctx) -> Written:
    dialogue = make_dialogue()
    with ctx.committed():
        editorial.unpublish(Dialogue.objects.get(pk=dialogue.pk), user=ctx.publisher)
    return Written(touched={dialogue.pk}, removed=dialogue.pk, stamped={dialogue.pk})


def withdraw(ctx) -> Written:
    dialogue = make_dialogue()
    with ctx.committed():
        editorial.withdraw(dialogue, user=ctx.publisher, reason="It never took place.")
    return Written(touched={dialogue.pk}, stamped={dialogue.pk})


def merge(ctx) -> Written:
    keep, lose = make_participant(), make_participant(slug="the-one-that-goes")
    dialogue = make_dialogue()
    add_participant(dialogue, lose)
    lose_pk = lose.pk
    with ctx.committed():
        editorial.merge_participants(keep, lose, user=ctx.publisher)
    assert lose_pk != keep.pk
    return Written(touched={dialogue.pk}, past_slug=("participant", "the-one-that-goes", keep.pk))


def _import(ctx):
    batch, _ = apply.store("meetings.csv", csv_bytes(ctx.import_row()), user=ctx.editor)
    with ctx.committed():
        apply.run_import(batch, user=ctx.editor)
    return batch


def run_import(ctx) -> Written:
    ctx.start_counting_later = True
    batch, _ = apply.store("meetings.csv", csv_bytes(ctx.import_row()), user=ctx.editor)
    ctx.count()
    with ctx.committed():
        apply.run_import(batch, user=ctx.editor)
    created = set(Dialogue.objects.values_list("pk", flat=True))
    return Written(touched=created, stamped=created)


def undo_import(ctx) -> Written:
    ctx.start_counting_later = True
    batch = _import(ctx)
    created = set(Dialogue.objects.values_list("pk", flat=True))
    ctx.count()
    with ctx.committed():
        apply.undo(batch, user=ctx.publisher, reason="Imported by mistake.")
    assert not Dialogue.objects.exists()
    return Written(touched=created)


def fixture_load(ctx) -> Written:
    folder = write_fixtures(ctx.tmp_path / "fixtures", valid_fixtures())
    with ctx.committed():
        call_command("load_initial_data", fixtures=str(folder), stdout=io.StringIO())
    loaded = set(Dialogue.objects.values_list("pk", flat=True))
    return Written(touched=loaded, stamped=loaded)


def fixture_sync(ctx) -> Written:
    ctx.start_counting_later = True
    files = valid_fixtures()
    folder = write_fixtures(ctx.tmp_path / "fixtures", files)
    with ctx.committed():
        call_command("load_initial_data", fixtures=str(folder), stdout=io.StringIO())
    find(files, "dialogues.dialogue", "stockholm-channel")["title"] = "The Stockholm back channel"
    write_fixtures(ctx.tmp_path / "fixtures", files)
    corrected = Dialogue.objects.get(slug="stockholm-channel").pk
    ctx.count()
    with ctx.committed():
        call_command("load_initial_data", fixtures=str(folder), update=True, stdout=io.StringIO())
    assert Dialogue.objects.get(pk=corrected).title == "The Stockholm back channel"
    return Written(touched={corrected}, stamped={corrected})


def synthetic(ctx) -> Written:
    with ctx.committed():
        call_command("generate_synthetic", "--dialogues", "12", "--seed", "3", stdout=io.StringIO())
    assert Dialogue.objects.count() == 12
    # It names every dialogue it wrote, a batch at a time (one batch at this size), so that it
    # can report the index's progress.
    return Written(touched=set(Dialogue.objects.values_list("pk", flat=True)))


WRITERS = {
    "admin save": admin_save,
    "publish": publish,
    "unpublish": unpublish,
    "withdraw": withdraw,
    "merge participants": merge,
    "import": run_import,
    "undo import": undo_import,
    "fixture load": fixture_load,
    "fixture sync": fixture_sync,
    "synthetic": synthetic,
}
# The bookkeeping a writer's change calls for. The generation and the index follow every write.
BOOKKEEPING = {
    "admin save": {"past address", "datestamp"},
    "publish": {"datestamp"},
    "unpublish": {"removal", "datestamp"},
    "withdraw": {"datestamp"},
    "merge participants": {"past address"},
    "import": {"datestamp"},
    "undo import": set(),  # it deletes drafts readers never saw: no removal, no datestamp
    "fixture load": {"datestamp"},
    "fixture sync": {"datestamp"},
    # Bulk rows of its own, each with its own made-up datestamp; never renamed or removed.
    "synthetic": set(),
}
EFFECTS = ["one generation move", "one reindex of what was touched"]
TABLE = [(writer, effect) for writer in WRITERS for effect in EFFECTS] + [
    (writer, effect) for writer, effects in BOOKKEEPING.items() for effect in sorted(effects)
]


class Context:
    def __init__(self, request, monkeypatch, capture, tmp_path):
        self.editor_client = request.getfixturevalue("editor_client")
        self.editor = request.getfixturevalue("editor")
        self.publisher = User.objects.create_user("publisher", password="a long password")
        self.publisher.groups.add(Group.objects.get(name="Publishers"))
        self.monkeypatch = monkeypatch
        self.capture = capture
        self.tmp_path = tmp_path
        self.start_counting_later = False
        self.effects = None
        self.started = timezone.now()

    def count(self):
        self.effects = count_effects(self.monkeypatch)
        self.started = timezone.now()

    def committed(self):
        """Run the block as committed: its on-commit callbacks run at its end."""
        if self.effects is None and not self.start_counting_later:
            self.count()
        return self.capture(execute=True)

    def import_row(self):
        return {
            "slug": "",
            "title": "Talks in Oslo",
            "date_edtf": "1993-01",
            "era_slug": "nineties",
            "conflict_slug": "levant",
            "summary": "Academics met in secret.",
            "participant_list": "yair | organiser",
            "citation_list": "memoir | 7 | We met at a farmhouse near Oslo",
        }


@pytest.mark.parametrize("writer, effect", TABLE, ids=[f"{w}: {e}" for w, e in TABLE])
@pytest.mark.django_db
def test_every_writer_has_every_effect(
    writer, effect, request, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    ctx = Context(request, monkeypatch, django_capture_on_commit_callbacks, tmp_path)
    if writer in ("import", "undo import"):
        request.getfixturevalue("world")
    written = WRITERS[writer](ctx)
    effects = ctx.effects

    if effect == "one generation move":
        assert effects["bumps"] == 1
    elif effect == "one reindex of what was touched":
        assert effects["reindexes"] == 1
        if written.touched is EVERYTHING:
            assert effects["reindexed"] is EVERYTHING
        else:
            assert written.touched and written.touched <= effects["reindexed"]
    elif effect == "past address":
        kind, slug, record = written.past_slug
        assert PastSlug.objects.filter(kind=kind, slug=slug, object_id=record).exists()
    elif effect == "removal":
        assert Removal.objects.filter(kind="dialogue", object_id=written.removed).exists()
    elif effect == "datestamp":
        stamps = Dialogue.objects.filter(pk__in=written.stamped).values_list("updated", flat=True)
        assert written.stamped and len(stamps) == len(written.stamped)
        assert all(stamp >= ctx.started for stamp in stamps)
    else:
        raise AssertionError(f"no check for {effect!r}")
