from django.http import Http404
from django.shortcuts import render
from django.views.generic import DetailView

from . import selectors
from .models import Dialogue, Era, Participant, Source


def home(request):
    return render(request, "dialogues/home.html", {"eras": selectors.era_list()})


class DialogueDetailView(DetailView):
    template_name = "dialogues/dialogue_detail.html"
    context_object_name = "dialogue"

    def get_object(self, queryset=None):
        try:
            return selectors.dialogue_get(slug=self.kwargs["slug"])
        except Dialogue.DoesNotExist as exc:
            raise Http404("No dialogue has that address.") from exc


class EraDetailView(DetailView):
    model = Era
    template_name = "dialogues/era_detail.html"


class ParticipantDetailView(DetailView):
    model = Participant
    template_name = "dialogues/participant_detail.html"


class SourceDetailView(DetailView):
    model = Source
    template_name = "dialogues/source_detail.html"
