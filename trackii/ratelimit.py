"""Refuse a client's expensive requests past `TRACKII_RATE_LIMIT`, with 429 and `Retry-After`.

Expensive means a search on the browse page, an export, or a list that costs a query per item:
the API's lists, the changes feed, the Atom feeds and OAI-PMH. The counters
are fixed windows in the default cache: shared by every worker when it is Redis, per process
otherwise. Editors (staff) and API clients sending a key from `TRACKII_API_KEYS` in the
`X-API-Key` header are never limited.
"""

from __future__ import annotations

import hmac
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy, ngettext

from .clients import client_ip
from .refusals import refuse

API_KEY_HEADER = "X-API-Key"
EXPENSIVE_ROUTES = {
    "dialogues:export",
    "dialogues:api:dialogue_list",
    "dialogues:api:era_list",
    "dialogues:api:participant_list",
    "dialogues:api:source_list",
    "dialogues:api:changes",
    "feeds:changes",
    "feeds:era_changes",
    "oai",
}
# Cheap to list, expensive to search.
SEARCH_ROUTES = {"dialogues:dialogue_list"}
PERIOD_WORDS = {
    1: gettext_lazy("a second"),
    60: gettext_lazy("a minute"),
    3600: gettext_lazy("an hour"),
    86400: gettext_lazy("a day"),
}


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = settings.RATE_LIMIT
        if limit is None or not is_expensive(request) or is_exempt(request):
            return None
        allowed, period = limit
        now = time.time()
        window = int(now // period)
        used = _count(f"ratelimit:{period}:{window}:{client_ip(request)}", period)
        if used <= allowed:
            return None
        retry_after = max(1, math.ceil((window + 1) * period - now))
        message = ngettext(
            "Too many searches, exports or API lists from your address: the limit is "
            "%(allowed)s %(period)s. Try again in %(seconds)s second.",
            "Too many searches, exports or API lists from your address: the limit is "
            "%(allowed)s %(period)s. Try again in %(seconds)s seconds.",
            retry_after,
        ) % {"allowed": allowed, "period": PERIOD_WORDS[period], "seconds": retry_after}
        return refuse(
            request,
            status=429,
            message=message,
            template="429.html",
            context={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def is_expensive(request) -> bool:
    if request.method not in {"GET", "HEAD"}:
        return False
    name = request.resolver_match.view_name
    if name in EXPENSIVE_ROUTES:
        return True
    return name in SEARCH_ROUTES and bool(request.GET.get("q", "").strip())


def is_exempt(request) -> bool:
    key = request.headers.get(API_KEY_HEADER, "")
    if key and any(hmac.compare_digest(key, known) for known in settings.API_KEYS):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)


def _count(key: str, period: int) -> int:
    """Add one to the window's counter and return it; the counter expires with its window."""
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:
        # The window's counter expired between the two calls: this request opens it again.
        cache.set(key, 1, timeout=period + 1)
        return 1
