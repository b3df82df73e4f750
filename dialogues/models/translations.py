"""The archive's own Hebrew and Arabic translations of its records' words.

Each translated field keeps its English in today's column (`title`), the canonical value that
the search index, the facet index, exports, imports, history, citations and the fixtures read;
beside it django-modeltranslation adds one column per language (`title_he`, `title_ar`), empty
until an editor or the fixtures give a translation. A reader's page shows the translation in
its language when there is one, and otherwise the English, marked as such (see
`templatetags/translated.py`).

The archive takes modeltranslation's translation fields but not the rest of its registration:
registering a model would make `obj.title` follow the reader's language, rewrite `filter` and
`order_by("title")` to the Hebrew or Arabic column in a Hebrew or Arabic request, and copy every
index on `title` once per language. Here `obj.title` is English in every language, and
`translated(obj, "title", lang)` asks for a language by name.

Excerpts are not translated in place: `Citation.excerpt` stays verbatim in the language of its
source, and `excerpt_he` / `excerpt_ar` hold the archive's translation shown beside it.
"""

from __future__ import annotations

from django.db import models
from modeltranslation import settings as mt_settings
from modeltranslation.fields import TranslationField
from modeltranslation.translator import TranslationOptions, add_translation_fields, translator
from modeltranslation.utils import build_localized_fieldname

# The languages a record's words may be translated into; English is the original field.
TRANSLATION_LANGUAGES: tuple[str, ...] = tuple(mt_settings.AVAILABLE_LANGUAGES)
ENGLISH = "en"


def add_translations(model: type[models.Model], *field_names: str) -> None:
    """Add a Hebrew and an Arabic column beside each of `field_names` on `model`.

    Only the translation fields of modeltranslation: the options are put in its registry (its
    fields read them when built) without patching the model's managers, constructor, indexes or
    descriptors, so the original field stays the English one everywhere.
    """
    opts_class = type(
        f"{model.__name__}Translations", (TranslationOptions,), {"fields": field_names}
    )
    opts = translator._get_options_for_model(model, opts_class)
    opts.validate()
    opts.registered = True
    add_translation_fields(model, opts)


def translated_fields(model) -> tuple[str, ...]:
    """The names of `model`'s fields that carry translations, in the order they were declared."""
    seen = []
    for f in model._meta.concrete_fields:
        if isinstance(f, TranslationField) and f.translated_field.name not in seen:
            seen.append(f.translated_field.name)
    return tuple(seen)


def is_translation_field(field) -> bool:
    return isinstance(field, TranslationField)


def field_name(name: str, lang: str) -> str:
    """The column holding `name` in `lang` (`title`, `title_he`, `title_ar`)."""
    lang = base_language(lang)
    return name if lang == ENGLISH else build_localized_fieldname(name, lang)


def base_language(lang: str | None) -> str:
    """`he`, `ar`, or `en` for English and any language the records are not translated into."""
    code = (lang or "").lower().split("-")[0]
    return code if code in TRANSLATION_LANGUAGES else ENGLISH


def translation(obj, name: str, lang: str | None) -> str:
    """The archive's translation of `obj.<name>` into `lang`, or "" when it has none."""
    lang = base_language(lang)
    if lang == ENGLISH:
        return ""
    value = getattr(obj, field_name(name, lang), None)
    return value if isinstance(value, str) and value.strip() else ""


def translated(obj, name: str, lang: str | None) -> tuple[str, str]:
    """`(text, language)`: the translation into `lang` if there is one, else the English."""
    text = translation(obj, name, lang)
    if text:
        return text, base_language(lang)
    return getattr(obj, name) or "", ENGLISH


def per_language(obj, name: str) -> dict[str, str | None]:
    """`{"en": ..., "he": ..., "ar": ...}`, a language with no translation holding None."""
    values = {ENGLISH: getattr(obj, name)}
    for lang in TRANSLATION_LANGUAGES:
        values[lang] = translation(obj, name, lang) or None
    return values


def translations(obj, names) -> dict[str, dict[str, str | None]]:
    """`{"he": {"title": ..., ...}, "ar": {...}}`: the archive's translations of `names`, by
    language tag; a field with no translation holds None. The English stays in the record's own
    fields."""
    return {
        lang: {name: translation(obj, name, lang) or None for name in names}
        for lang in TRANSLATION_LANGUAGES
    }


def translations_from_values(values: dict, names, prefix: str = "") -> dict:
    """`translations` for a row read with `values()`, its columns named `<prefix><name>_<lang>`."""
    result = {}
    for lang in TRANSLATION_LANGUAGES:
        shown = {}
        for name in names:
            value = values.get(prefix + build_localized_fieldname(name, lang))
            shown[name] = value if isinstance(value, str) and value.strip() else None
        result[lang] = shown
    return result


def translation_columns(names, prefix: str = "") -> tuple[str, ...]:
    """The columns holding `names`' translations, language by language within each name."""
    return tuple(
        prefix + build_localized_fieldname(name, lang)
        for name in names
        for lang in TRANSLATION_LANGUAGES
    )
