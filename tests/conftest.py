import pytest
from django.core.cache import cache
from django.db import connection

from .archives import build_small_archive


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: a rolled-back test leaves its entries behind."""
    cache.clear()
    yield
    cache.clear()


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
