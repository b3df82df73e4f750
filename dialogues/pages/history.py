"""A dialogue's public history and its citable versions.

`/dialogues/<slug>/history/` lists the public versions with their dates and reasons (editors'
names stay in the admin); `/dialogues/<slug>/v/<n>/` shows the record as version n left it.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from ..history.records import as_of
from ..listing import selectors
from ..models import Dialogue
from .versions import UnknownVersion, record_history
from .views import DialogueDetailView


def _current(slug: str) -> Dialogue:
    try:
        return selectors.dialogue_get(slug=slug)
    except Dialogue.DoesNotExist as exc:
        raise Http404("No dialogue has that address.") from exc


def dialogue_history(request, slug):
    dialogue = _current(slug)
    history = record_history(request, dialogue)
    return render(
        request,
        "dialogues/dialogue_history.html",
        {
            "dialogue": dialogue,
            "versions": list(reversed(history.versions)),
            "breadcrumb_trail": [
                (reverse("dialogues:dialogue_list"), "Dialogues"),
                (dialogue.get_absolute_url(), dialogue.title),
            ],
        },
    )


class DialogueVersionView(DialogueDetailView):
    """The record page drawn from a past version, with its rows as they were then."""

    template_name = "dialogues/dialogue_version.html"

    def get(self, request, *args, **kwargs):
        current = _current(kwargs["slug"])
        try:
            self.history = record_history(request, current, kwargs["number"])
        except UnknownVersion:
            return render(
                request,
                "dialogues/version_not_found.html",
                {
                    "dialogue": current,
                    "number": kwargs["number"],
                    "count": len(record_history(request, current).versions),
                },
                status=404,
            )
        self.current = current
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return as_of(self.history.shown.version)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current"] = self.current
        context["permalink"] = self.history.cited.url
        return context
