"""A record's own text (a title, a summary, an era's name, a note, a bio) in the page's language.

The records are written in English, and the archive translates some of their words into Hebrew
and Arabic (see `dialogues/models/translations.py`). On a Hebrew or Arabic page a field shows
its translation when it has one, marked as the archive's; a field with none shows the English,
marked `lang="en"` so that screen readers switch voice, and shown as untranslated. English
pages show the English as it is.
"""

from django import template
from django.conf import settings
from django.utils import translation as i18n
from django.utils.html import conditional_escape, format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from dialogues import dates, record_text
from dialogues.models.translations import ENGLISH, base_language, translated_fields
from dialogues.models.translations import translation as stored_translation

register = template.Library()


def _page_language() -> str:
    return i18n.get_language() or settings.LANGUAGE_CODE


def _is_english() -> bool:
    return _page_language().split("-")[0] == ENGLISH


@register.simple_tag
def translated(obj, field):
    """`{% translated obj "field" %}`: the field's text in the page's language, escaped.

    In Hebrew or Arabic: the archive's translation, in a span of the page's language marked
    `archive-translation`; or, when the field has none, the English in
    `<span lang="en" class="untranslated">`.
    """
    value = getattr(obj, field, "") if obj is not None else ""
    if value is None:
        value = ""
    if _is_english():
        return conditional_escape(value)
    lang = base_language(_page_language())
    text = stored_translation(obj, field, lang) if obj is not None else ""
    if text:
        return format_html('<span lang="{}" class="archive-translation">{}</span>', lang, text)
    if value == "":
        return ""
    return format_html('<span lang="en" dir="ltr" class="untranslated">{}</span>', value)


@register.simple_tag
def translation_note(*objs):
    """`{% translation_note dialogue %}`: on a Hebrew or Arabic page, say that the translated
    words on it are the archive's own, and that words shown in English have no translation yet;
    or, when none of `objs` has a translation in the language, that the record is shown in
    English. Says nothing on an English page.
    """
    if _is_english():
        return ""
    lang = base_language(_page_language())
    if lang == ENGLISH:
        return ""
    has_any = any(
        stored_translation(obj, name, lang)
        for obj in objs
        if obj is not None
        for name in translated_fields(type(obj))
    )
    if not has_any:
        if lang == "he":
            said = _("This record has not been translated into Hebrew yet: it is shown in English.")
        else:
            said = _("This record has not been translated into Arabic yet: it is shown in English.")
        return format_html(
            '<p class="note translation-note untranslated-note" data-translation="none">{}</p>',
            said,
        )
    if lang == "he":
        said = _("Hebrew translation by the archive.")
    else:
        said = _("Arabic translation by the archive.")
    rest = _("Text shown in English has not been translated yet.")
    return format_html(
        '<p class="note translation-note" data-translation="{}">{} {}</p>', lang, said, rest
    )


@register.simple_tag
def excerpt_translation(citation):
    """`{% excerpt_translation c %}`: beside a verbatim excerpt, the archive's translation of it
    into the page's language, labelled as such; nothing when there is none. Never in its place.
    """
    if citation is None or _is_english():
        return ""
    lang = base_language(_page_language())
    text = stored_translation(citation, "excerpt", lang)
    if not text:
        return ""
    if lang == "he":
        label = _("Hebrew translation by the archive:")
    else:
        label = _("Arabic translation by the archive:")
    return format_html(
        '<p class="excerpt-translation archive-translation" lang="{}">'
        '<span class="translation-label">{}</span> {}</p>',
        lang,
        label,
        text,
    )


@register.simple_tag
def translated_words(obj, field, words):
    """`{% translated_words obj "field" 40 %}`: like `translated`, cut to its first `words`
    words as the `truncatewords` filter cuts them."""
    value = getattr(obj, field, "") if obj is not None else ""
    if not _is_english() and obj is not None:
        lang = base_language(_page_language())
        text = stored_translation(obj, field, lang)
        if text:
            return format_html(
                '<span lang="{}" class="archive-translation">{}</span>',
                lang,
                Truncator(text).words(int(words), truncate=" …"),
            )
    return record_text.untranslated(Truncator(value or "").words(int(words), truncate=" …"))


register.filter("untranslated", record_text.untranslated)
register.filter("as_recorded", record_text.as_recorded)
register.filter("isolate", record_text.isolate)
register.filter("code", record_text.code)


@register.filter
def date_words(record):
    """A record's date in words in the page's language: the stored English words on English
    pages, and the EDTF date said again in the page's language elsewhere."""
    if record is None:
        return ""
    if record_text.is_english():
        return record.date_display
    return dates.display_localized(record.date)


@register.filter
def edtf_words(value):
    """An EDTF string in words in the page's language."""
    if not value:
        return ""
    if record_text.is_english():
        return dates.display(value)
    return dates.display_localized(value)
