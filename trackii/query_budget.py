"""Bound the database time of a public read (`TRACKII_QUERY_TIMEOUT_MS`), so no request can hold
a worker for long.

PostgreSQL cancels any one statement that runs past the bound (`statement_timeout`); SQLite
gets a progress handler that interrupts its queries once the request has spent the bound. A
request that hits it is answered 503 with a message asking to narrow the search, as a page or as
the API's JSON envelope. Only GET and HEAD outside the admin are bounded: editors' saves and the
management commands run to the end. A streamed export's rows are read after the view returns,
outside the bound: they are many cheap reads, which the rate limit keeps rare.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils.translation import gettext_lazy

from .refusals import refuse

# How many SQLite virtual-machine steps run between two looks at the clock.
SQLITE_STEPS = 10_000
MESSAGE = gettext_lazy(
    "This request needed more work than the archive gives one request, and was stopped. "
    "Narrow it: add a filter (an era, a conflict, a range of years) or use fewer or rarer "
    "search words."
)


class QueryBudgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        budget_ms = settings.QUERY_TIMEOUT_MS
        if not budget_ms or not is_public_read(request):
            return self.get_response(request)
        with bounded(budget_ms):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if not ran_out(exception):
            return None
        return refuse(request, status=503, message=str(MESSAGE), template="503_query_budget.html")


def is_public_read(request) -> bool:
    return request.method in {"GET", "HEAD"} and not request.path_info.startswith(
        reverse("admin:index")
    )


def ran_out(exception) -> bool:
    """Tell whether `exception` is a query stopped by the bound, on either database."""
    cause = exception.__cause__
    if isinstance(cause, psycopg.errors.QueryCanceled):
        return True
    return getattr(exception, "query_budget_spent", False)


@contextmanager
def bounded(budget_ms: int):
    """Bound every query run on this thread's connection inside the block.

    The bound is set on the first query, so a request that reads nothing opens no connection.
    """
    deadline = time.monotonic() + budget_ms / 1000
    state = {"set": False, "tripped": False}

    def out_of_time() -> int:
        if time.monotonic() > deadline:
            state["tripped"] = True
            return 1
        return 0

    def wrapper(execute, sql, params, many, context):
        raw = context["connection"].connection
        if not state["set"]:
            state["set"] = True
            if connection.vendor == "sqlite":
                raw.set_progress_handler(out_of_time, SQLITE_STEPS)
            elif connection.vendor == "postgresql":
                raw.execute(f"SET statement_timeout = {int(budget_ms)}")
        try:
            return execute(sql, params, many, context)
        except DatabaseError as exc:
            if state["tripped"]:
                exc.query_budget_spent = True
            raise

    try:
        with connection.execute_wrapper(wrapper):
            yield
    finally:
        if state["set"]:
            _lift(connection)


def _lift(conn) -> None:
    """Take the bound off the connection, which the next request (maybe the admin) reuses."""
    raw = conn.connection
    if raw is None:
        return
    if conn.vendor == "sqlite":
        raw.set_progress_handler(None, SQLITE_STEPS)
    elif conn.vendor == "postgresql":
        try:
            raw.execute("SET statement_timeout = DEFAULT")
        except psycopg.Error:
            # Inside a transaction that the cancelled statement aborted (as in tests), the
            # setting goes with the rollback anyway.
            pass
