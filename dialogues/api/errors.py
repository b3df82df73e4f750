"""Every failure as `{"errors": {name: [message, …]}}`: DRF's exception handler, replaced."""

from __future__ import annotations

from django.core.exceptions import TooManyFieldsSent
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

NOT_FOUND = {"detail": ["not found"]}


class Withdrawn(exceptions.APIException):
    """A withdrawn record: 410, with when and why, and the address of its replacement."""

    status_code = 410

    def __init__(self, dialogue, replacement_url: str | None = None):
        when = dialogue.withdrawn_at.date().isoformat() if dialogue.withdrawn_at else ""
        self.errors = {
            "detail": [f"withdrawn on {when}" if when else "withdrawn"],
            "reason": [dialogue.withdrawal_reason or "No reason was given."],
        }
        if replacement_url:
            self.errors["replaced_by"] = [replacement_url]
        super().__init__(self.errors["detail"][0])


def exception_handler(exc, context):
    """Answer an exception raised in an API view with the error envelope and its status.

    Anything not listed here is a fault of the server: it is re-raised, so that it is logged
    and answered as a 500 as anywhere else on the site.
    """
    view = context["view"]
    headers = {}
    if isinstance(exc, TooManyFieldsSent):
        status, errors = 400, {"detail": ["There are too many parameters."]}
    elif isinstance(exc, exceptions.NotFound) and isinstance(exc.detail, dict):
        # A parameter names something that is not there: a page past the last, an unknown slug.
        status, errors = 404, _messages(exc.detail)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        status, errors = 404, NOT_FOUND
    elif isinstance(exc, Withdrawn):
        status, errors = 410, exc.errors
    elif isinstance(exc, exceptions.MethodNotAllowed):
        allowed = view.allowed_methods
        method = context["request"].method
        status, errors = 405, {"detail": [f"{method} is not allowed: use {' or '.join(allowed)}."]}
        headers["Allow"] = ", ".join(allowed)
    elif isinstance(exc, exceptions.ValidationError):
        status, errors = 400, _messages(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        status, errors = exc.status_code, _messages({"detail": exc.detail})
    else:
        return None
    return Response({"errors": errors}, status=status, headers=headers)


def _messages(detail) -> dict[str, list[str]]:
    """Flatten DRF's error detail into plain strings by name."""
    if not isinstance(detail, dict):
        detail = {"detail": detail}
    return {
        name: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for name, messages in detail.items()
    }
