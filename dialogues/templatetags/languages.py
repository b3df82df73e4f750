"""The same page in each of the interface's languages: the switcher in the header and the
`hreflang` alternates in the head."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()

# A longer query (an over-long search, refused by the list's form) is not copied into the
# links: each page would otherwise repeat it once per language and link.
LONGEST_QUERY = 2000


def _query(context) -> str:
    request = context["request"]
    # A view that checks its parameters passes the valid ones, so that no link echoes a bad one.
    params = context.get("link_params")
    query = params.urlencode() if params is not None else request.META.get("QUERY_STRING", "")
    return query if len(query) <= LONGEST_QUERY else ""


def _alternates(context):
    """(code, name, address, is current) for each language, the address keeping the query."""
    request = context["request"]
    query = _query(context)
    current = translation.get_language() or settings.LANGUAGE_CODE
    alternates = [
        (
            code,
            name,
            translate_url(request.path, code) + (f"?{query}" if query else ""),
            code == current,
        )
        for code, name in settings.LANGUAGES
    ]
    # A page served at one address only (the 410 page of a withdrawn release's file) has no other
    # address to offer.
    if len({address for _, _, address, _ in alternates}) == 1:
        return []
    return alternates


@register.inclusion_tag("_language_switcher.html", takes_context=True)
def language_switcher(context):
    return {"languages": _alternates(context)}


@register.inclusion_tag("_hreflang.html", takes_context=True)
def hreflang_links(context):
    request = context["request"]
    links = [
        (code.split("-")[0], request.build_absolute_uri(address), code)
        for code, _, address, _ in _alternates(context)
    ]
    if not links:
        return {"links": [], "default": None}
    default = next(address for _, address, code in links if code == settings.LANGUAGE_CODE)
    return {"links": [(short, address) for short, address, _ in links], "default": default}
