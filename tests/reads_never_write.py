"""The suite's guard that a GET or HEAD request changes nothing in the database.

`ReadsNeverWrite` is the outermost middleware of every request the suite makes: while a GET or
HEAD request is served, an INSERT, UPDATE or DELETE on any database fails the request and the
test. Only the admin's own routes are exempt: signing in writes a session and a failed one a
lockout record. Its failures are also kept in `WRITES_IN_READS`, so a view that swallows the
error still fails its test (tests/conftest.py checks the list after each test).
"""

from __future__ import annotations

import contextlib
import re

from django.db import connections
from django.urls import Resolver404, resolve

SAFE_METHODS = {"GET", "HEAD"}
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT)\b", re.IGNORECASE)
WRITES_IN_READS: list[str] = []


class WriteInRead(AssertionError):
    """A GET or HEAD request ran a statement that changes the database."""


def is_exempt(request) -> bool:
    """Whether the request is for one of the admin's own routes."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return "admin" in match.namespaces


class ReadsNeverWrite:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS or is_exempt(request):
            return self.get_response(request)
        where = f"{request.method} {request.get_full_path()}"

        def refuse(execute, sql, params, many, context):
            if WRITE.match(sql):
                WRITES_IN_READS.append(f"{where}: {sql[:300]}")
                raise WriteInRead(f"{where} wrote to the database: {sql[:300]}")
            return execute(sql, params, many, context)

        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(refuse))
            return self.get_response(request)
