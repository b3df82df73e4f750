"""Evidence for the authority records: a cited passage, or a claim stated or inferred.

Dialogues carry their citations in `Citation`. The records of organisations, affiliations,
places, names and lineage carry theirs through these abstract pieces, so every claim says
where it comes from (a source's paragraph and a short excerpt) or why the archive infers it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .vocabulary import EXCERPT_MAX_WORDS


class Basis(models.TextChoices):
    STATED = "stated", _("Stated in a source")
    INFERRED = "inferred", _("Inferred by the archive")


def excerpt_problem(excerpt: str) -> str | None:
    words = len((excerpt or "").split())
    if words > EXCERPT_MAX_WORDS + 5:
        return f"The excerpt has {words} words; quote at most about {EXCERPT_MAX_WORDS}."
    return None


class CitedPassage(models.Model):
    """A passage of a source: its paragraph and a short verbatim excerpt."""

    source = models.ForeignKey("dialogues.Source", on_delete=models.PROTECT, related_name="+")
    paragraph = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="The paragraph's number in the source, counting from its first paragraph.",
    )
    excerpt = models.TextField(
        help_text=f"Verbatim from the source, at most about {EXCERPT_MAX_WORDS} words."
    )

    class Meta:
        abstract = True
        ordering = ["source", "paragraph"]

    def __str__(self):
        return f"{self.source} ¶{self.paragraph}"

    def clean(self):
        super().clean()
        problem = excerpt_problem(self.excerpt)
        if problem:
            raise ValidationError({"excerpt": problem})


class StatedOrInferred(models.Model):
    """One claim: stated (with a source, paragraph and excerpt) or inferred (with a reason)."""

    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.STATED)
    cited_source = models.ForeignKey(
        "dialogues.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="source",
    )
    cited_paragraph = models.PositiveIntegerField(
        "paragraph", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cited_excerpt = models.TextField(
        "excerpt", blank=True, help_text="Verbatim, at most about 30 words."
    )
    reason = models.TextField(
        "how it is inferred",
        blank=True,
        help_text="For an inferred claim: from what, and why.",
    )

    class Meta:
        abstract = True

    def evidence_problems(self) -> dict[str, str]:
        errors = {}
        if self.basis == Basis.STATED:
            missing = [
                name
                for name, value in (
                    ("cited_source", self.cited_source_id),
                    ("cited_paragraph", self.cited_paragraph),
                    ("cited_excerpt", (self.cited_excerpt or "").strip()),
                )
                if not value
            ]
            for name in missing:
                errors[name] = (
                    "A stated claim needs its source, paragraph and excerpt; or mark it "
                    "inferred and give the reason."
                )
        elif not (self.reason or "").strip():
            errors["reason"] = "An inferred claim needs its reason: from what, and why."
        problem = excerpt_problem(self.cited_excerpt)
        if problem:
            errors["cited_excerpt"] = problem
        return errors

    def clean(self):
        super().clean()
        errors = self.evidence_problems()
        if errors:
            raise ValidationError(errors)

    @property
    def evidence(self) -> str:
        if self.basis == Basis.INFERRED:
            return f"Inferred: {self.reason}"
        return f"{self.cited_source} ¶{self.cited_paragraph}: “{self.cited_excerpt}”"
