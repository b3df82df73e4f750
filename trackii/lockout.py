"""The page a locked-out login gets: what happened, for how long, and who can lift it."""

from __future__ import annotations

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone


def lockout_response(request, original_response=None, credentials=None):
    """Answer a refused login with 429, the lockout page and `Retry-After`.

    Every refused attempt during the lock starts the cool-off again, so it ends one cool-off
    from now.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": get_client_username(request, credentials) or "",
        "minutes": round(cool_off.total_seconds() / 60),
        "retry_at": timezone.now() + cool_off,
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
