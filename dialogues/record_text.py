"""How the archive's own text (held in English) and the reader's words sit inside a page in
another language: marked `lang="en"`, or isolated with <bdi> so that right-to-left text around
them keeps its order. On English pages each returns the text escaped and nothing more."""

from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html

ENGLISH = "en"


def is_english() -> bool:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0] == ENGLISH


def untranslated(value):
    """Text the archive holds only in English: marked `lang="en"` and shown as untranslated."""
    if value is None or value == "":
        return ""
    if is_english():
        return conditional_escape(value)
    return format_html('<span lang="en" dir="ltr" class="untranslated">{}</span>', value)


def as_recorded(value):
    """A name or other text as recorded (in English): isolated and marked `lang="en"`."""
    if value is None:
        value = ""
    if is_english() or value == "":
        return conditional_escape(value)
    return format_html('<bdi lang="en">{}</bdi>', value)


def isolate(value):
    """A date, number or the reader's own words inside the page's text, isolated with <bdi>."""
    if value is None:
        value = ""
    if is_english() or value == "":
        return conditional_escape(value)
    return format_html("<bdi>{}</bdi>", value)


def code(value):
    """An identifier, address or code with no language of its own (a slug, a URL, an EDTF
    code): marked `lang="zxx"` (no linguistic content) and isolated left to right."""
    if value is None:
        value = ""
    if is_english() or value == "":
        return conditional_escape(value)
    return format_html('<bdi lang="zxx" dir="ltr">{}</bdi>', value)


class Field:
    """A record's text field named for a template to show with `{% translated %}` (for example
    a breadcrumb's label), so that the page shows it in its language when it has a translation."""

    def __init__(self, obj, field: str):
        self.obj, self.field = obj, field

    def __str__(self) -> str:
        return str(getattr(self.obj, self.field, "") or "")
