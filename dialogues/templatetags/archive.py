"""Template helpers: links that change one parameter of the current list, and dialogue cards
drawn once per generation and day."""

from django import template
from django.utils.safestring import mark_safe

from dialogues.pages import fragments

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(takes_context=True)
def query_with(context, name, value):
    """Return the current query string with `name` set to `value`, back on page 1."""
    params = _current(context)
    params[name] = value
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_without(context, *names):
    """Return the current query string without `names`, back on page 1."""
    params = _current(context)
    for name in (*names, "page"):
        params.pop(name, None)
    return params.urlencode()


def _current(context):
    # A view that checks its parameters passes the valid ones, so that no link echoes a bad one.
    return context.get("link_params", context["request"].GET).copy()


CARD = "dialogues/_dialogue_card.html"


@register.simple_tag
def dialogue_cards(dialogues, level=3, show_era=True):
    """Draw a card for each of `dialogues`, reusing the cards drawn since the archive last changed.

    A card shows only the record's own fields, its outcomes and its participants' names as
    readers may see them today, so the generation and the day (in every fragment's key) say when
    it must be drawn again. A search's snippet is part of the key.
    """
    items = {
        (dialogue.pk, level, show_era, str(getattr(dialogue, "snippet", "") or "")): dialogue
        for dialogue in dialogues
    }
    drawn = fragments.rendered_many(
        "card",
        items,
        CARD,
        lambda dialogue: {"dialogue": dialogue, "level": level, "show_era": show_era},
    )
    return mark_safe("".join(drawn[key] for key in items))
