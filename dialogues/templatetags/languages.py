"""The same page in each of the interface's languages: the switcher in the header and the
`hreflang` alternates in the head."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


def _alternates(request):
    """(code, name, address, is current) for each language, the address keeping the query."""
    here = request.get_full_path()
    current = translation.get_language() or settings.LANGUAGE_CODE
    return [
        (code, name, translate_url(here, code), code == current)
        for code, name in settings.LANGUAGES
    ]


@register.inclusion_tag("_language_switcher.html", takes_context=True)
def language_switcher(context):
    request = context["request"]
    return {"languages": _alternates(request)}


@register.inclusion_tag("_hreflang.html", takes_context=True)
def hreflang_links(context):
    request = context["request"]
    links = [
        (code.split("-")[0], request.build_absolute_uri(address))
        for code, _, address, _ in _alternates(request)
    ]
    default = request.build_absolute_uri(
        translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
    )
    return {"links": links, "default": default}
