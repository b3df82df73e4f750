"""What the API asks of its query parameters beyond each value's own check.

A parameter given twice is refused: the FilterSet would quietly keep the last value, and a
reader who wrote `side=israeli&side=palestinian` expecting either side would get a wrong answer
without a word. An empty value means the parameter was not given, as an HTML form sends it.

A failure is a 400 when a value is malformed, and a 404 when every value is well formed but one
names something that is not there: a slug of no record, or a page past the last.
"""

from __future__ import annotations

import re

import django_filters

# The documented pattern of a slug, as `fullmatch` reads it (`$` would allow a final newline).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def repeated(params, names) -> dict[str, list[str]]:
    """Return an error for each of `names` given more than once in the QueryDict `params`."""
    errors = {}
    for name in names:
        count = len(params.getlist(name))
        if count > 1:
            errors[name] = [f"Give {name} at most once; it was given {count} times."]
    return errors


def only_unknown_slugs(filterset, errors: dict) -> bool:
    """Say whether every error is a well-formed slug that names no record."""
    if not errors:
        return False
    for name in errors:
        flt = filterset.base_filters.get(name)
        value = filterset.data.get(name, "") if filterset.data is not None else ""
        if not isinstance(flt, django_filters.ModelChoiceFilter):
            return False
        if not SLUG.fullmatch(value):
            return False
    return True
