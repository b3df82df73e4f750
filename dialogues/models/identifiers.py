"""Identifiers that link out: Wikidata, VIAF, GeoNames, PA-X and UCDP.

Each scheme has its form, checked on save with an error that names the expected form, the
records it may name, and the address of the outside record. Every id keeps the public source
it was taken from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

OWNERS = ("participant", "organisation", "place", "conflict", "dialogue", "outcome")


@dataclass(frozen=True)
class Scheme:
    label: str
    pattern: str
    form: str
    owners: tuple[str, ...]
    url: str = ""

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value or "") is not None

    def link(self, value: str) -> str:
        return self.url.format(value) if self.url else ""


SCHEMES = {
    "wikidata": Scheme(
        "Wikidata", r"Q[1-9][0-9]*", "Q followed by digits, e.g. Q42", OWNERS,
        "https://www.wikidata.org/wiki/{}",
    ),
    "viaf": Scheme(
        "VIAF", r"[1-9][0-9]{0,21}", "digits only, e.g. 102333412",
        ("participant", "organisation"), "https://viaf.org/viaf/{}",
    ),
    "geonames": Scheme(
        "GeoNames", r"[1-9][0-9]{0,9}", "digits only, e.g. 3169070", ("place",),
        "https://www.geonames.org/{}",
    ),
    "pax_agreement": Scheme(
        "PA-X agreement (AgtId)", r"[1-9][0-9]{0,5}", "the AgtId, digits only, e.g. 1370",
        ("dialogue", "outcome"), "https://www.peaceagreements.org/view/{}",
    ),
    "pax_process": Scheme(
        "PA-X peace process", r"[1-9][0-9]{0,4}", "the process number, digits only",
        ("conflict", "dialogue"),
    ),
    "ucdp_conflict": Scheme(
        "UCDP conflict", r"[1-9][0-9]{0,5}", "the conflict_id, digits only, e.g. 234",
        ("conflict", "dialogue"), "https://ucdp.uu.se/conflict/{}",
    ),
    "ucdp_dyad": Scheme(
        "UCDP dyad", r"[1-9][0-9]{0,5}", "the dyad_id, digits only", ("conflict", "dialogue"),
        "https://ucdp.uu.se/dyad/{}",
    ),
    "ucdp_actor": Scheme(
        "UCDP actor", r"[1-9][0-9]{0,5}", "the actor_id, digits only",
        ("participant", "organisation"), "https://ucdp.uu.se/actor/{}",
    ),
}  # fmt: skip

SCHEME_CHOICES = [(key, scheme.label) for key, scheme in SCHEMES.items()]


def id_problem(scheme: str, value: str) -> str | None:
    """Why `value` is not an id of `scheme`, in words that name the expected form; or None."""
    known = SCHEMES.get(scheme)
    if known is None:
        return f"“{scheme}” is not a scheme the archive links to. Use one of: {', '.join(SCHEMES)}."
    if not known.matches(value):
        return f"“{value}” is not a {known.label} id. Expected {known.form}."
    return None


class ExternalId(models.Model):
    scheme = models.CharField(max_length=16, choices=SCHEME_CHOICES)
    value = models.CharField("id", max_length=40)
    source_url = models.URLField(
        "public source", help_text="The public page this id was taken from."
    )
    source_note = models.TextField(
        blank=True, help_text="What that page says, or how the id was matched to this record."
    )
    participant = models.ForeignKey(
        "dialogues.Participant", models.CASCADE, null=True, blank=True, related_name="external_ids"
    )
    organisation = models.ForeignKey(
        "dialogues.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="external_ids",
    )
    place = models.ForeignKey(
        "dialogues.Place", models.CASCADE, null=True, blank=True, related_name="external_ids"
    )
    conflict = models.ForeignKey(
        "dialogues.Conflict", models.CASCADE, null=True, blank=True, related_name="external_ids"
    )
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", models.CASCADE, null=True, blank=True, related_name="external_ids"
    )
    outcome = models.ForeignKey(
        "dialogues.Outcome", models.CASCADE, null=True, blank=True, related_name="external_ids"
    )

    class Meta:
        ordering = ["scheme", "value"]
        verbose_name = "external id"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    *[
                        models.Q(
                            **{f"{name}__isnull": False},
                            **{other: None for other in OWNERS if other != name},
                        )
                        for name in OWNERS
                    ],
                    _connector=models.Q.OR,
                ),
                name="external_id_has_one_owner",
            ),
        ]

    def __str__(self):
        return f"{SCHEMES[self.scheme].label} {self.value}" if self.scheme in SCHEMES else ""

    @property
    def owner_kind(self) -> str | None:
        return next((kind for kind in OWNERS if getattr(self, f"{kind}_id")), None)

    @property
    def url(self) -> str:
        scheme = SCHEMES.get(self.scheme)
        return scheme.link(self.value) if scheme else ""

    def clean(self):
        super().clean()
        self.value = (self.value or "").strip()
        problem = id_problem(self.scheme, self.value)
        if problem:
            raise ValidationError({"value": problem})
        owner = self.owner_kind
        allowed = SCHEMES[self.scheme].owners
        if owner and owner not in allowed:
            raise ValidationError(
                {
                    "scheme": (
                        f"A {SCHEMES[self.scheme].label} id names a "
                        f"{' or '.join(allowed)}, not a {owner}."
                    )
                }
            )
