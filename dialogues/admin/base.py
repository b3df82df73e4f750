"""What the archive's admin pages share: date help, public links, counts, labelled inlines."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .. import dates
from .revisions import HistoryAdmin
from .text_direction import TypedInAnyDirection
from .translations import TranslationInputs

SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 50})}}

DATE_FIELDS = ("date", "date_in_words", ("date_earliest", "date_latest"), "date_note")
DATE_READONLY = ("date_in_words", "date_earliest", "date_latest")
RECORD_FIELDSET = ("Record", {"classes": ["collapse"], "fields": [("created", "updated")]})


def with_counts(queryset, **counts):
    """Annotate counts without losing the order.

    A GROUP BY query ignores the model's default ordering, and the autocomplete views paginate
    this queryset as it is.
    """
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.annotate(**counts).order_by(*ordering)


class PublicPageAdmin(HistoryAdmin):
    # A direct link rather than the content-type redirect: the public page is a plain path.
    def view_on_site(self, obj):
        return obj.get_absolute_url()


class OutcomeKindFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "outcome"


class UncertainDateAdmin(PublicPageAdmin):
    """Shared by every record with an EDTF date: the date's help, its bounds and its words."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "date":
            kwargs["widget"] = forms.TextInput(
                attrs={"size": 24, "placeholder": f"e.g. {dates.EXAMPLES[0][0]}"}
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("date in words"))
    def date_in_words(self, obj):
        # Parse afresh rather than trust the stored bounds: after a refused edit the instance
        # holds the rejected text, and its words would only repeat it.
        try:
            return dates.parse(obj.date).display
        except dates.InvalidDate:
            return self.get_empty_value_display()


# --- Dialogue and its inlines -------------------------------------------------------------


class LabelledTabularInline(TranslationInputs, TypedInAnyDirection, admin.TabularInline):
    """A tabular inline whose fields have names that assistive technology can read.

    Django shows a tabular inline's labels only as column headings, which name no field, so a
    screen reader would announce each row's fields without saying what they are (WCAG 4.1.2).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for field in formset.form.base_fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", capfirst(field.label))
        # The "delete" box is added per row by the formset, so it is named there.
        return type(formset.__name__, (LabelledDeleteBox, formset), {})


class LabelledDeleteBox:
    """Name each row's "delete" box for assistive technology, as the row's fields are."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", "Delete this row")
