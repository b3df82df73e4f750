"""Draw the filter forms' inputs, selects and labels in Python rather than through templates.

Django renders every widget, every `<option>` and every label through a template of its own:
some sixty template renders for the list page's filters, more time than its queries take. This
renderer writes the same markup, character for character, for the few widget templates those
forms use, from the very context Django's widgets build (attributes, `aria-invalid`, selected
options), and hands any other template to Django's own renderer. A test holds the two to the
same output for every field of the public forms.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape

# The widget templates that are `input.html` and nothing else.
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "date", "search", "email", "url", "tel")
}
SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
LABEL = "django/forms/label.html"


def _attrs(attrs) -> str:
    # As django/forms/widgets/attrs.html: `False` leaves the attribute out, `True` writes its
    # name alone; a value is written with `stringformat:'s'`, so always escaped.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _option(option) -> str:
    return (
        f'<option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>\n"
    )


class FilterFormRenderer(DjangoTemplates):
    """Django's template renderer, with the filter forms' widgets written directly."""

    # Django's renderer strips what a template gives; so do these, where it would matter.
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return _input(context["widget"])
        if template_name == SELECT:
            return self._select(context, request)
        if template_name == LABEL:
            return self._label(context)
        return super().render(template_name, context, request)

    def _select(self, context, request) -> str:
        widget = context["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append("\n  ")
                if option["template_name"] == OPTION:
                    parts.append(_option(option))
                else:
                    # Included, as select.html does it: not stripped.
                    template = self.get_template(option["template_name"])
                    parts.append(template.render({**context, "widget": option}, request=request))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)

    def _label(self, context) -> str:
        label = conditional_escape(context["label"])
        if not context.get("use_tag"):
            return str(label).strip()
        tag = conditional_escape(context["tag"])
        return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


RENDERER = FilterFormRenderer()


def drawn_directly(filterset):
    """Have `filterset`'s form drawn by the faster renderer; return the filterset."""
    filterset.form.renderer = RENDERER
    return filterset
