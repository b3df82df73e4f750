"""The filter forms drawn in Python are character for character what Django's templates draw."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from dialogues.listing.filters import DialogueFilterSet, ParticipantFilterSet
from dialogues.models import Dialogue, Participant
from dialogues.pages import widgets

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "era=nineties&sort=title",
    "q=oslo+%22back+channel%22&side=israeli&background=academic&outcome=stalled&track=1.5",
    "era=atlantis&side=nowhere&from=not-a-year&to=1999&match=sideways&sort=sideways",
    "place=%3Cscript%3Ealert(1)%3C/script%3E&participant=%22%3E%3Cb%3E&q=%26amp;",
    "from=1990&to=1980&match=within&sort=-date",
]


def drawn_both_ways(filterset_class, queryset, query):
    def form(renderer):
        filterset = filterset_class(QueryDict(query), queryset=queryset)
        filterset.form.renderer = renderer
        filterset.is_valid()
        return filterset.form

    template_form, direct_form = form(DjangoTemplates()), form(widgets.RENDERER)
    for name in template_form.fields:
        by_template, directly = template_form[name], direct_form[name]
        yield (
            name,
            (str(by_template), by_template.label_tag()),
            (str(directly), directly.label_tag()),
        )


@pytest.mark.parametrize("query", QUERIES)
def test_the_browse_filters_are_drawn_as_the_templates_draw_them(small_archive, query):
    drawn = list(drawn_both_ways(DialogueFilterSet, Dialogue.objects.public(), query))
    assert {"q", "era", "side", "sort"} <= {name for name, _, _ in drawn}
    for name, by_template, directly in drawn:
        assert directly == by_template, name


@pytest.mark.parametrize("query", ["", "side=israeli&kind=person", "side=nowhere&background=%3C"])
def test_the_participant_filters_are_drawn_as_the_templates_draw_them(small_archive, query):
    drawn = list(drawn_both_ways(ParticipantFilterSet, Participant.objects.public(), query))
    assert drawn
    for name, by_template, directly in drawn:
        assert directly == by_template, name


def test_a_value_is_escaped(small_archive):
    form = DialogueFilterSet(QueryDict("place=%22%3E%3Cscript%3E"), queryset=Dialogue.objects.all())
    form.form.renderer = widgets.RENDERER
    assert 'value="&quot;&gt;&lt;script&gt;"' in str(form.form["place"])


@pytest.mark.parametrize(
    "address", ["/dialogues/", "/dialogues/?era=nineties&q=oslo&from=x", "/participants/?side=x"]
)
def test_the_pages_are_unchanged_by_the_faster_renderer(
    client, small_archive, monkeypatch, address
):
    direct = client.get(address).content
    monkeypatch.setattr(widgets, "RENDERER", DjangoTemplates())
    assert client.get(address).content == direct
