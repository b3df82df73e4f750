"""Let browsers, a reverse proxy or a CDN keep the public pages briefly, and revalidate them for
almost nothing; keep everything personal out of every cache.

A public read is a GET or HEAD of a page, a download or the API (the `dialogues` routes) from a
reader with no session cookie. Its 200 answer carries

- `ETag: W/"…"`, a digest of what decides the answer: the archive's generation (bumped in every
  save's own transaction, see `dialogues/caching.py`), today's date (embargoes lift and withheld
  names appear at midnight without a save), the full address with its query string and host, and
  the code that draws it. The tag is weak because a page's bytes differ from one response to the
  next (the CSP nonce of the record page's JSON-LD) while its meaning does not.
- `Cache-Control: public, max-age=…, s-maxage=…` (`TRACKII_CACHE_MAX_AGE`,
  `TRACKII_CACHE_S_MAXAGE`), never reaching past midnight, and `Vary: Cookie`.

A public read whose `If-None-Match` names the current tag is answered 304 here, before the
session, the user, the rate limit or the view are looked at: the cost is one read of the
generation. The 304 carries no Content-Security-Policy header, so a cache that merges its headers
into the stored page keeps the policy whose nonce matches that page's body.

301 and 410 answers to public reads are kept as long as a page, without a tag. Everything else
is `private, no-store`: the admin, a reader with a session (editors, their previews of drafts),
an answer that sets a cookie, any method but GET and HEAD, and every other status (a 404 cannot
be kept, since a draft's address must answer exactly as an address that never existed; nor a
400, 429 or 503, which say nothing lasting about the address). Nor is a page drawn while the
facet index was being built, whose counts and figures are still to come
(`caching.drawn_incomplete`).

The app servers keep such an answer too, whole, under its tag (`PageStore`, the `pages` cache:
Redis when the servers share one, else a few hundred pages per process): while the tag is the
same, the same page is the answer, so a second reader of an address costs the generation's read
and one cache read, not a render. Nothing personal is kept: only what a CDN may keep.

`If-Modified-Since` alone is answered in full: the generation is a counter, not a clock, and
two saves in one second could not be told apart by an HTTP date. Every cache that holds an
`ETag` revalidates with it.

The changes feed lists only changes older than its settling time (`SETTLE`, 5 s), so its answer
changes as time passes with no save: its tag holds the settling window it was drawn in, and it is
kept (here and by any cache) no longer than that window.

A release's files (`/data/…`) never change: their views give each its checksum as a strong
`ETag` and `public, max-age=31536000, immutable`, which readers' answers keep.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import time
import zlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import parse_etags, patch_cache_control, patch_vary_headers

from dialogues import caching
from dialogues.feeds import changes
from dialogues.pages import fragments

SAFE_METHODS = ("GET", "HEAD")
PUBLIC_NAMESPACE = "dialogues"
# Answers as lasting as a page, though not revalidated: an old address's redirect, a tombstone.
KEPT_WITHOUT_TAG = {301, 410}
# Drawn from the code alone, never from the archive: their tags need no generation or day.
CODE_ONLY_ROUTES = {"dialogues:api:openapi"}
# Answers that change with the clock as well as the archive: kept no longer than `SETTLE`.
SETTLING_ROUTES = {"dialogues:api:changes"}
# A release's files: fixed once written, served with their own checksum as the tag.
RELEASE_FILE_ROUTES = {"releases:zip", "releases:file", "releases:manifest"}


class HttpCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_release_file(request):
            response = self.get_response(request)
            if response.status_code in (200, 304) and may_share(response):
                return vary_on_cookie(response)
            return vary_on_cookie(keep_private(response))
        if not is_public_route(request):
            return keep_private(self.get_response(request))
        # Whether a copy may answer depends on the session cookie, so every answer here says so,
        # and shared caches keep readers' and editors' requests apart.
        if not is_reader(request):
            return vary_on_cookie(keep_private(self.get_response(request)))
        tag = etag(request)
        if tag in parse_etags(request.headers.get("If-None-Match", "")):
            return not_modified(tag)
        kept = PageStore.read(request, tag)
        if kept is not None:
            return keep_public(kept, request)
        response = self.get_response(request)
        if caching.drawn_incomplete():
            # Counts or a figure still to come (the facet index being built): no copy may stand
            # in for the page that will have them.
            return vary_on_cookie(keep_private(response))
        if response.status_code == 200 and may_share(response):
            response["ETag"] = tag
            PageStore.keep(request, tag, response)
            return keep_public(response, request)
        if response.status_code in KEPT_WITHOUT_TAG and may_share(response):
            return keep_public(response, request)
        return vary_on_cookie(keep_private(response))


def is_public_route(request) -> bool:
    """Tell whether the request reads a page, a download or the API."""
    if request.method not in SAFE_METHODS:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    request.http_cache_route = match.view_name
    return match.namespaces[:1] == [PUBLIC_NAMESPACE]


def is_release_file(request) -> bool:
    """Tell whether a reader asks for one of a release's files (they never change)."""
    if request.method not in SAFE_METHODS or not is_reader(request):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in RELEASE_FILE_ROUTES


def settling(request) -> bool:
    return getattr(request, "http_cache_route", None) in SETTLING_ROUTES


def settle_seconds() -> int:
    return max(1, math.ceil(changes.SETTLE.total_seconds()))


def is_reader(request) -> bool:
    """Readers have no session; whoever has one may be an editor, who sees drafts."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def etag(request) -> str:
    """The weak tag of the answer to `request` as the archive stands now."""
    archive = ()
    if request.http_cache_route not in CODE_ONLY_ROUTES:
        archive = (caching.generation(), timezone.localdate().isoformat())
    if settling(request):
        # A new window, a new tag: a change that settled since is never answered by an old copy.
        archive = (*archive, int(time.time() // settle_seconds()))
    parts = (
        *archive,
        # A new release must not answer 304 for the old one's pages.
        fragments.code_digest(),
        request.build_absolute_uri(),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def may_share(response) -> bool:
    """A response that sets a cookie, or that its view marked private, stays private."""
    if response.cookies:
        return False
    directives = response.get("Cache-Control", "")
    return "private" not in directives and "no-store" not in directives


def lifetimes() -> tuple[int, int]:
    """`max-age` and `s-maxage` in seconds, neither reaching past the coming midnight."""
    now = timezone.localtime()
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    left = max(0, int((midnight - now).total_seconds()))
    return min(settings.CACHE_MAX_AGE, left), min(settings.CACHE_S_MAXAGE, left)


def keep_public(response, request=None):
    max_age, s_maxage = lifetimes()
    if request is not None and settling(request):
        max_age, s_maxage = min(max_age, settle_seconds()), min(s_maxage, settle_seconds())
    patch_cache_control(response, public=True, max_age=max_age, s_maxage=s_maxage)
    return vary_on_cookie(response)


def vary_on_cookie(response):
    patch_vary_headers(response, ["Cookie"])
    return response


def keep_private(response):
    if "ETag" in response:
        del response["ETag"]
    # Django's patch drops `public` when `private` is added.
    patch_cache_control(response, private=True, no_store=True)
    return response


class PageStore:
    """Whole public answers, kept under their tag, compressed; see the module docstring.

    A page drawn with the request's CSP nonce (the record's JSON-LD) is kept with that nonce;
    each copy served gets a fresh nonce in its place, in its body and its policy alike, so no
    two answers share one.
    """

    # Bigger answers (a long export) are drawn each time rather than held in memory.
    MAX_BYTES = 512 * 1024
    # Set again on each answer, its lifetime counted from now.
    NOT_KEPT = {"cache-control"}

    @staticmethod
    def _cache():
        return caches["pages"]

    @classmethod
    def read(cls, request, tag: str):
        if not settings.PAGE_CACHE or request.method != "GET":
            return None
        kept = cls._cache().get(f"page:{tag}")
        if kept is None:
            return None
        body, headers, nonce = kept
        body = zlib.decompress(body)
        if nonce is not None:
            # Reading it makes the CSP middleware name it; it is as long as the one it replaces.
            body = body.replace(nonce.encode(), str(request.csp_nonce).encode())
        response = HttpResponse(body, headers=headers)
        response.http_cache_copy = True
        return response

    @classmethod
    def keep(cls, request, tag: str, response) -> None:
        if not settings.PAGE_CACHE or request.method != "GET" or response.streaming:
            return
        if len(response.content) > cls.MAX_BYTES:
            return
        nonce = getattr(request, "csp_nonce", None)
        nonce = str(nonce) if nonce else None  # read by the page, or never
        headers = {
            name: value for name, value in response.items() if name.lower() not in cls.NOT_KEPT
        }
        body = zlib.compress(response.content, 1)
        timeout = settle_seconds() if settling(request) else caching.TIMEOUT
        cls._cache().set(f"page:{tag}", (body, headers, nonce), timeout=timeout)


def not_modified(tag: str):
    response = HttpResponseNotModified()
    response["ETag"] = tag
    # The cached page keeps its own policy, whose nonce its body carries: a policy sent with the
    # 304 would replace it in the cache and no longer match that body.
    response._csp_exempt = True
    response._csp_exempt_ro = True
    return keep_public(response)
