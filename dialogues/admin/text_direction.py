"""Text typed into the admin shows in its own direction, whatever the admin's language.

An editor on the English admin may type a Hebrew or Arabic title, and one on the Hebrew admin an
English name. Every text box and text area of ours carries `dir="auto"`, so the browser lays out
what was typed by its first strong letter: Hebrew reads right to left even on an English page,
and an English name stays left to right on a Hebrew one.
"""

from __future__ import annotations

from django import forms
from django.forms.widgets import Input

TEXT_INPUT_TYPES = {"text", "search", "email", "url", "tel"}


def _text_widget(widget) -> forms.Widget | None:
    inner = getattr(widget, "widget", widget)  # the admin wraps related fields' widgets
    if isinstance(inner, forms.Textarea):
        return inner
    if isinstance(inner, Input) and inner.input_type in TEXT_INPUT_TYPES:
        return inner
    return None


def typed_in_any_direction(form_class):
    """Give every text box and text area of `form_class` `dir="auto"`; returns the class."""
    for field in form_class.base_fields.values():
        widget = _text_widget(field.widget)
        if widget is not None:
            widget.attrs.setdefault("dir", "auto")
    return form_class


class TypedInAnyDirection:
    """For model admins and inlines: their forms' text boxes carry `dir="auto"`.

    Both the model's fields (as each is made) and the fields a form declares itself (once the
    form class is made) are marked, since an admin may subclass the form it was given.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = _text_widget(field.widget) if field is not None else None
        if widget is not None:
            widget.attrs.setdefault("dir", "auto")
        return field

    def get_form(self, request, obj=None, **kwargs):
        return typed_in_any_direction(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        typed_in_any_direction(formset.form)
        return formset
