"""Fixtures for tests that drive Debian's Chromium through Playwright against the live server.

One browser serves the whole session; each test gets its own context (viewport, colour scheme,
cookies). Without Chromium the tests are skipped, saying why, except in CI (CI=true), where a
skipped browser test is a failure: a green run must mean the browser really ran.
"""

from __future__ import annotations

import importlib
import os

import pytest

from scripts.chromium import launch, missing_reason

# Playwright's sync API keeps an event loop running in this thread from the moment the browser
# starts, and Django refuses ORM calls from a thread with a running loop unless told that this is
# safe, which it is here: the loop only waits on the browser while the test's own code runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI") == "true"
EDITOR_PASSWORD = "a long editor password"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and item.get_closest_marker("browser"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"A browser test may not be skipped in CI (CI=true): {reason}"


@pytest.fixture(scope="session")
def browser():
    reason = missing_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = launch(playwright)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh context: `new_page(width=390, scheme="dark")`."""
    contexts = []

    def open_page(*, width=1280, height=900, scheme="light", **options):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            base_url=live_server.url,
            **options,
        )
        # Slow pages should fail the test, not hang it.
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# --- Accounts -------------------------------------------------------------------------------


@pytest.fixture
def editor(transactional_db):
    """A staff member of the Editors group.

    Each browser test ends by flushing the database, which takes the group made by the data
    migration with it, so the migration's own function makes it again.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, User
    from django.db import connection

    migration = importlib.import_module("dialogues.migrations.0002_editors_group")
    migration.create_editors_group(apps, type("Editor", (), {"connection": connection})())
    user = User.objects.create_user("editor", password=EDITOR_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=migration.GROUP_NAME))
    return user


@pytest.fixture
def log_in(live_server):
    """Give a page's context a logged-in session, for tests that are not about logging in."""
    from django.conf import settings
    from django.test import Client

    def give_session(page, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return give_session


# --- A small archive, built in code ---------------------------------------------------------


@pytest.fixture
def archive(transactional_db):
    import reversion
    from django.db import transaction

    from tests.factories import make_archive

    # One transaction, so the search index is brought up to date once rather than per row; one
    # revision, as a load makes, so every record has a first version to show.
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment("loaded from fixtures")
        return make_archive()
