"""A dialogue's public history and its citable versions; the history of an organisation,
place or series.

`/dialogues/<slug>/history/` lists the public versions with their dates and reasons (editors'
names stay in the admin); `/dialogues/<slug>/v/<n>/` shows the record as version n left it.
`/organisations/<slug>/history/` (and the same under `/places/` and `/series/`) lists a
published record's public versions the same way: a draft's versions are never listed.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import visibility
from ..history.records import as_of, public_versions
from ..models import Organisation, Place, Series
from ..record_text import Field
from .versions import UnknownVersion, record_history
from .views import DialogueDetailView, _moved, dialogue_or_answer

# kind -> (model, the list's address name, the list's title)
AUTHORITIES = {
    "organisation": (Organisation, "dialogues:organisation_list", gettext_lazy("Organisations")),
    "place": (Place, "dialogues:place_list", gettext_lazy("Places")),
    "series": (Series, "dialogues:series_list", gettext_lazy("Series")),
}


def dialogue_history(request, slug):
    # As the record page: a draft is not found, a withdrawn record is a tombstone, an old slug
    # leads to the history at the new one.
    dialogue, answer = dialogue_or_answer(
        request, slug, lambda d: reverse("dialogues:dialogue_history", args=[d.slug])
    )
    if answer is not None:
        return answer
    history = record_history(request, dialogue)
    return render(
        request,
        "dialogues/dialogue_history.html",
        {
            "dialogue": dialogue,
            "versions": list(reversed(history.versions)),
            "breadcrumb_trail": [
                (reverse("dialogues:dialogue_list"), _("Dialogues")),
                (dialogue.get_absolute_url(), Field(dialogue, "title")),
            ],
        },
    )


class DialogueVersionView(DialogueDetailView):
    """The record page drawn from a past version, with its rows as they were then."""

    template_name = "dialogues/dialogue_version.html"

    def get(self, request, *args, **kwargs):
        number = kwargs["number"]
        current, answer = dialogue_or_answer(
            request,
            kwargs["slug"],
            lambda d: reverse("dialogues:dialogue_version", args=[d.slug, number]),
        )
        if answer is not None:
            return answer
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
        self.object = as_of(self.history.shown.version)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current"] = self.current
        context["permalink"] = self.history.cited.url
        return context


def authority_history(request, slug, kind):
    """The public versions of a published organisation, place or series, newest first.

    As its page: a draft or withdrawn record is not found, an old slug leads to the history at
    the new one.
    """
    model, list_name, list_title = AUTHORITIES[kind]
    try:
        record = visibility.record_at(model.objects.public(), slug)
    except visibility.Moved as moved:
        return _moved(request, reverse(f"dialogues:{kind}_history", args=[moved.record.slug]))
    except model.DoesNotExist as exc:
        raise Http404(f"No {model._meta.verbose_name} has that address.") from exc
    return render(
        request,
        "dialogues/authority_history.html",
        {
            "record": record,
            "versions": list(reversed(public_versions(record))),
            "breadcrumb_trail": [
                (reverse(list_name), list_title),
                (record.get_absolute_url(), Field(record, "name")),
            ],
        },
    )
