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


# Reports every Content-Security-Policy violation of a document to the test, as it happens.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh context: `new_page(width=390, scheme="dark")`.

    Every page the test visits runs under the site's Content Security Policy, and the test fails
    if any of them violates it: the violations are in `new_page.csp_violations`.
    """
    contexts = []
    violations = []

    # Code a test evaluates in the page (axe-core injects a style to measure with) has no source
    # file; what the site serves always has one, the page's address or a script's.
    def on_violation(source, report):
        if report["source"]:
            violations.append({"page": source["page"].url, **report})

    def on_console(message):
        if (
            message.type == "error"
            and "Content Security Policy" in message.text
            and message.location.get("url")
        ):
            violations.append(
                {"page": message.page.url if message.page else "", "console": message.text}
            )

    def open_page(*, width=1280, height=900, scheme="light", **options):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            base_url=live_server.url,
            **options,
        )
        # Slow pages should fail the test, not hang it.
        context.set_default_timeout(10_000)
        context.expose_binding("__cspViolation", on_violation)
        context.add_init_script(CSP_LISTENER)
        context.on("console", on_console)
        contexts.append(context)
        return context.new_page()

    open_page.csp_violations = violations
    yield open_page
    for context in contexts:
        context.close()
    if violations:
        pytest.fail(f"Content Security Policy violations: {violations}", pytrace=False)


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
    schema_editor = type("Editor", (), {"connection": connection})()
    migration.create_editors_group(apps, schema_editor)
    # The removal of inline rows, and the Publishers group, come from a later migration.
    importlib.import_module(
        "dialogues.migrations.0009_editors_publishers_permissions"
    ).create_groups(apps, schema_editor)
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

    # One transaction, so the search index is brought up to date once rather than per row; one
    # revision, as a load makes, so every record has a first version to show.
    from dialogues.search import rebuild_index
    from tests.factories import make_archive

    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment("loaded from fixtures")
        archive = make_archive()
    # A flushed test database keeps SQLite's full-text table, which is no model's: rebuild it
    # whole, so rows another test left under the same ids cannot pass for this archive's.
    rebuild_index()
    return archive
