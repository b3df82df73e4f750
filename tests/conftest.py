from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.db import connection
from django.utils import translation

from .admin_forms import EDITORS
from .archives import build_small_archive
from .factories import make_conflict, make_era, make_participant, make_source
from .reads_never_write import WRITES_IN_READS

GUARD = "tests.reads_never_write.ReadsNeverWrite"


@pytest.fixture(scope="session", autouse=True)
def _facet_index_files(tmp_path_factory):
    """The facet index files of this run in a folder of its own (emptied before each test)."""
    settings.TRACKII_FACET_INDEX_DIR = tmp_path_factory.mktemp("facet-index")
    return settings.TRACKII_FACET_INDEX_DIR


@pytest.fixture(autouse=True)
def _empty_cache(_facet_index_files):
    """Start every test with empty caches: a rolled-back test leaves its entries behind.

    The facet index a process keeps is one of them: a test database starts its generation
    afresh, so another test's index could otherwise pass for this archive's."""
    from dialogues.listing import facet_index

    for cache in caches.all():
        cache.clear()
    facet_index.forget()
    # A test's generations are rolled back with it: its files would pass for the next test's.
    for entry in _facet_index_files.iterdir():
        entry.unlink()
    # A request for /he/ or /ar/ leaves its language active in the thread; code a test calls
    # directly must start in the default language, as a fresh request does.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    for cache in caches.all():
        cache.clear()
    facet_index.forget()


@pytest.fixture(autouse=True)
def _reads_never_write(settings):
    """Fail any GET or HEAD request that writes to the database (see reads_never_write.py)."""
    settings.MIDDLEWARE = [GUARD, *settings.MIDDLEWARE]
    WRITES_IN_READS.clear()
    yield
    assert not WRITES_IN_READS, "a GET or HEAD request wrote:\n" + "\n".join(WRITES_IN_READS)


@pytest.fixture(scope="session", autouse=True)
def _record_database_vendor(request, django_db_blocker):
    """Write the vendor the suite ran on, so CI can tell a PostgreSQL run really happened."""
    yield
    path = request.config.getoption("--pg-marker")
    if path:
        with django_db_blocker.unblock(), open(path, "w") as fh:
            fh.write(connection.vendor + "\n")


@pytest.fixture
def small_archive(db):
    """Four dialogues in two eras that every filter tells apart (see tests/archives.py)."""
    return build_small_archive()


# --- The admin's users and a setting for a new dialogue ---------------------------------------


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="a long editor password", is_staff=True)
    # The group comes from the data migration, not from the test.
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def publisher(db):
    user = User.objects.create_user("publisher", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def setting():
    """An era, a conflict, a source and two participants for a new dialogue to point at."""
    return SimpleNamespace(
        era=make_era(name="The Oslo years", date="1990/1999"),
        conflict=make_conflict(name="Israeli–Palestinian conflict"),
        source=make_source(title="Memoir of the back channel"),
        first=make_participant(name="Yair Hirschfeld"),
        second=make_participant(name="Ahmed Qurei", side="palestinian"),
    )
