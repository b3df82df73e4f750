"""A record's own text (a title, a summary, an era's name, a note, a bio) in the page's language.

The records are written in English. Until a field carries a translation, a page in another
language shows the English text marked `lang="en"`, so that screen readers switch voice and the
reader sees that it is untranslated.
"""

from django import template
from django.utils.text import Truncator

from dialogues import dates, record_text

register = template.Library()


@register.simple_tag
def translated(obj, field):
    """`{% translated obj "field" %}`: the field's text, escaped, marked when it is English on a
    page in another language."""
    value = getattr(obj, field, "") if obj is not None else ""
    return record_text.untranslated(value or "")


@register.simple_tag
def translated_words(obj, field, words):
    """`{% translated_words obj "field" 40 %}`: like `translated`, cut to its first `words`
    words as the `truncatewords` filter cuts them."""
    value = getattr(obj, field, "") if obj is not None else ""
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
