"""Rendered pieces of pages, kept until the archive, the day or the code changes.

Each piece is keyed by the archive's generation and today's date (through `caching.cached` or
`keys`), and by a digest of the code that draws it, so a new release never serves markup its
templates no longer make. Nothing here depends on the request: no nonce, no user, no address.
Every piece is also keyed by the active language, which sets its words and, for the pictures,
the direction time runs in (`language_key`).
"""

from __future__ import annotations

import hashlib
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from .. import caching

# What draws the pages: templates, static files (their hashed names), and the code.
CODE = ("templates", "static", "dialogues", "trackii")
CODE_SUFFIXES = {".py", ".html", ".css", ".js", ".svg", ".txt"}


@once
def code_digest() -> str:
    """A digest of the templates, static files and code, worked out once per process."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in CODE:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def language_key() -> str:
    """The active language: a piece drawn for Hebrew or Arabic runs right to left."""
    return translation.get_language() or ""


def rendered(namespace: str, key_parts, template: str, context_of):
    """Return `template` rendered with `context_of()`, cached for this generation and day."""

    def render():
        return render_to_string(template, context_of())

    return mark_safe(caching.cached(namespace, (code_digest(), language_key(), *key_parts), render))


def rendered_many(namespace: str, items: dict, template: str, context_of) -> dict:
    """Render `template` for each of `items` (key parts → item), in one cache round trip.

    Returns key parts → markup. Missing pieces are rendered with `context_of(item)` and stored
    together.
    """
    code, language = code_digest(), language_key()

    def parts_of(parts):
        return (code, language, parts)

    stem = f"{namespace}:{caching.generation()}:{timezone.localdate().isoformat()}"
    keys = {
        parts: f"{stem}:{hashlib.sha256(repr(parts_of(parts)).encode()).hexdigest()[:32]}"
        for parts in items
    }
    found = cache.get_many(list(keys.values()))
    missing = {}
    markup = {}
    for parts, key in keys.items():
        if key in found:
            markup[parts] = mark_safe(found[key])
        else:
            text = render_to_string(template, context_of(items[parts]))
            missing[key] = text
            markup[parts] = mark_safe(text)
    if missing:
        cache.set_many(missing, timeout=caching.TIMEOUT)
    return markup


def rendered_value(namespace: str, key_parts, compute) -> str:
    """Return `compute()` (a string), cached like `rendered` for this generation, day and code."""
    return caching.cached(namespace, (code_digest(), language_key(), *key_parts), compute)
