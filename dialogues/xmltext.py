"""Text that every format the archive writes can carry: the characters XML 1.0 cannot hold.

XML 1.0 allows tab, line feed and carriage return, and no other control character; nor the
non-characters U+FFFE and U+FFFF, nor a lone surrogate (which Python strings can hold). A
record holding one would break OAI-PMH and Atom for every harvester, so:

- forms and imports refuse such text (`unsafe_characters`, `refusal`, `XmlSafeText`);
- every XML writer writes stored text through `xml_safe`, which leaves such characters out,
  for text written before the refusal existed or by code that skips validation.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unsafe_characters(text) -> list[str]:
    """The distinct characters of `text` that XML 1.0 cannot hold, in order of appearance."""
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(UNSAFE.findall(text)))


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def visible(text: str) -> str:
    """`text` with every unsafe character written as its code point, to show in a message."""
    return UNSAFE.sub(lambda match: f"[{code_point(match.group())}]", text)


def refusal(text) -> str | None:
    """A message saying which characters of `text` cannot be kept, or None when all can."""
    found = unsafe_characters(text)
    if not found:
        return None
    names = ", ".join(code_point(char) for char in found)
    return (
        f"This text holds a character that cannot be published ({names}): a control "
        "character, a non-character or half of a surrogate pair, often pasted from another "
        "program. Remove it; tabs and line breaks are fine."
    )


def xml_safe(text):
    """`text` without the characters XML 1.0 cannot hold; anything else unchanged."""
    if isinstance(text, str):
        return UNSAFE.sub("", text)
    return text


def validate_xml_text(value) -> None:
    message = refusal(value)
    if message:
        raise ValidationError(message, code="unsafe_character")


class XmlSafeText(models.Model):
    """Refuse, in `full_clean` (so in every admin form and inline), text XML cannot hold.

    An abstract base without fields: it adds no column, and no migration.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in (exclude or ()) or field.name in errors:
                continue
            if isinstance(field, models.CharField | models.TextField):
                message = refusal(getattr(self, field.attname))
                if message:
                    errors[field.name] = [ValidationError(message, code="unsafe_character")]
        if errors:
            raise ValidationError(errors)
