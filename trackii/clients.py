"""Who is asking: the client's address, as the rate limit and the login lockout count it."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """Return the client's address: the proxy's last `X-Forwarded-For` entry when one is in front.

    The proxy appends the address it was connected from, so the last entry is the only one no
    client can forge; earlier entries are whatever the client sent. Without a proxy the header
    is ignored altogether, since anyone could send it.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
