"""Inputs for the archive's Hebrew and Arabic translations of a record's words.

Each translation field gets an input that says its language and direction (`lang`, `dir="rtl"`),
so browsers pick the right spelling checker and keyboard and lay the text out right to left, and
the admin's fieldsets gain a section listing, per translated field, its Hebrew and Arabic.
"""

from __future__ import annotations

from django.utils.translation import get_language_info

from ..models.translations import (
    TRANSLATION_LANGUAGES,
    field_name,
    is_translation_field,
    translated_fields,
)


def translation_input(db_field, formfield):
    """Mark the input of a translation field with its language and direction."""
    if formfield is not None and is_translation_field(db_field):
        lang = db_field.language
        formfield.widget.attrs["lang"] = lang
        info = get_language_info(lang)
        formfield.widget.attrs["dir"] = "rtl" if info.get("bidi") else "ltr"
    return formfield


def translation_fieldset(model, shown: list[str]):
    """A fieldset with the Hebrew and Arabic of each translated field among `shown`."""
    names = [name for name in translated_fields(model) if name in shown]
    if not names:
        return None
    rows = [tuple(field_name(name, lang) for lang in TRANSLATION_LANGUAGES) for name in names]
    return (
        "Translations by the archive (Hebrew, Arabic)",
        {
            "fields": rows,
            "description": (
                "Leave a translation empty until there is one: readers then see the English, "
                "marked as untranslated. Translate faithfully, saying no more than the English."
            ),
        },
    )


def _flat(fieldsets) -> list[str]:
    names = []
    for _name, options in fieldsets:
        for entry in options.get("fields", ()):
            names.extend(entry if isinstance(entry, (list, tuple)) else [entry])
    return names


class TranslationInputs:
    """For a ModelAdmin or an inline: translation inputs marked, and listed in the fieldsets."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return translation_input(db_field, formfield)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not (self.fieldsets or self.fields):
            # Without a declared list Django shows every field, translations included.
            return fieldsets
        shown = _flat(fieldsets)
        extra = translation_fieldset(self.model, shown)
        if extra is None or any(f in shown for row in extra[1]["fields"] for f in row):
            return fieldsets
        return [*fieldsets, extra]
