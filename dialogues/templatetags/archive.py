"""Template helpers for building links that change one parameter of the current list."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(takes_context=True)
def query_with(context, name, value):
    """Return the current query string with `name` set to `value`, back on page 1."""
    params = _current(context)
    params[name] = value
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_without(context, *names):
    """Return the current query string without `names`, back on page 1."""
    params = _current(context)
    for name in (*names, "page"):
        params.pop(name, None)
    return params.urlencode()


def _current(context):
    # A view that checks its parameters passes the valid ones, so that no link echoes a bad one.
    return context.get("link_params", context["request"].GET).copy()
