"""The network page (`/network/`), its download, and the small networks of participant and
organisation pages. Each is drawn once per generation, day and filters (`fragments`)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pyroaring import BitMap

from ...listing import facet_index
from ...listing.filters import RecordSelect
from ...models import Affiliation, Dialogue, Era, Level, Participation, Series, Side
from ...models.table import side_at_meeting_q
from .. import fragments
from . import download
from .network import network
from .network_drawing import drawing, network_svg, text

LIMIT = 40
SMALL_LIMIT = 12


class NetworkFilters(forms.Form):
    era = forms.ModelChoiceField(
        Era.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("Era"),
        empty_label=_("Every era"),
        widget=RecordSelect,
    )
    side = forms.ChoiceField(
        choices=[("", _("Every side")), *Side.choices], required=False, label=_("Side")
    )
    series = forms.ModelChoiceField(
        Series.objects.public(),
        to_field_name="slug",
        required=False,
        label=_("Series"),
        empty_label=_("Every series"),
        widget=RecordSelect,
    )
    level = forms.ChoiceField(
        choices=[("", _("Every level")), *Level.choices], required=False, label=_("Level")
    )

    def valid(self) -> dict:
        """The valid filters only: a wrong value is reported and left out, never an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name] for name in self.fields if data.get(name) and name not in self.errors
        }


def _dialogues(chosen: dict):
    dialogues = Dialogue.objects.public()
    if not chosen:
        return None
    if "era" in chosen:
        dialogues = dialogues.filter(era=chosen["era"])
    if "series" in chosen:
        dialogues = dialogues.filter(memberships__series=chosen["series"])
    if "level" in chosen:
        dialogues = dialogues.filter(level=chosen["level"])
    if "side" in chosen:
        sided = Participation.objects.shows_side().filter(side_at_meeting_q(chosen["side"]))
        dialogues = dialogues.filter(pk__in=sided.values("dialogue"))
    return dialogues


def _indexed(chosen: dict):
    """(index, positions) when the filters are the index's own (era, side), else None."""
    if set(chosen) - {"era", "side"}:
        return None
    index = facet_index.current()
    if index is None:
        return None
    parts = []
    if "era" in chosen:
        parts.append(index.value("era", chosen["era"].pk))
    if "side" in chosen:
        parts.append(index.value("side", chosen["side"]))
    positions = BitMap.intersection(*parts) if len(parts) > 1 else (parts[0] if parts else None)
    return index, positions


def _key(chosen: dict) -> tuple:
    return tuple(sorted((k, getattr(v, "slug", v)) for k, v in chosen.items()))


def _words(chosen: dict) -> str:
    labels = {"side": dict(Side.choices), "level": dict(Level.choices)}
    names = {"era": _("era"), "side": _("side"), "series": _("series"), "level": _("level")}
    return "; ".join(
        f"{names.get(name, name)}: {labels[name][value] if name in labels else value.name}"
        for name, value in chosen.items()
    )


def _rule(limit: int, total: int, theirs: bool = False) -> str:
    if total > limit:
        if theirs:
            shown = gettext(
                "the %(limit)s of %(total)s people named in their dialogues with the most "
                "dialogues here"
            )
        else:
            shown = gettext(
                "the %(limit)s of %(total)s people named in these dialogues with the most "
                "dialogues here"
            )
    elif theirs:
        shown = gettext("all %(total)s people named in their dialogues")
    else:
        shown = gettext("all %(total)s people named in these dialogues")
    return gettext(
        "Shown: %(shown)s. A line joins two people who took part by name in the same "
        "dialogue, thicker for more; a square is an organisation, joined to its people."
    ) % {"shown": shown % {"limit": limit, "total": total}}


def _figure(chosen: dict, id_prefix="network") -> tuple[dict, list]:
    graph = network(_dialogues(chosen), limit=LIMIT, indexed=_indexed(chosen))
    figure = drawing(graph, id_prefix=id_prefix, rule=_rule(LIMIT, graph.people_total))
    return figure, text(graph)


def network_page(request):
    form = NetworkFilters(request.GET or None)
    chosen = form.valid()

    def context():
        figure, rows = _figure(chosen)
        return {"n": figure, "svg": network_svg(figure), "rows": rows}

    body = fragments.rendered("network", _key(chosen), "pictures/_network_body.html", context)
    query = "&".join(f"{k}={v}" for k, v in _key(chosen))
    return render(
        request,
        "pictures/network.html",
        {
            "form": form,
            "body": body,
            "download": reverse("dialogues:network_figure") + (f"?{query}" if query else ""),
            "download_png": reverse("dialogues:network_figure_png")
            + (f"?{query}" if query else ""),
        },
    )


@download.figure_view
def network_figure(request, fmt: str):
    chosen = NetworkFilters(request.GET or None).valid()

    def draw() -> str:
        return str(network_svg(_figure(chosen)[0]))

    svg = fragments.rendered_value("network-svg", _key(chosen), draw)
    query = "&".join(f"{k}={v}" for k, v in _key(chosen))
    return download.figure_response(
        request,
        svg,
        fmt=fmt,
        name="network",
        caption=gettext(
            "Who met whom: people and organisations joined by the dialogues they shared"
        ),
        filters=_words(chosen),
        address=request.build_absolute_uri(
            reverse("dialogues:network") + (f"?{query}" if query else "")
        ),
    )


def _small(namespace: str, record, around: list[int]) -> str:
    def context():
        graph = network(limit=SMALL_LIMIT, around=around, indexed=_indexed({}))
        rule = _rule(SMALL_LIMIT, graph.people_total, theirs=True)
        figure = drawing(graph, width=640, height=380, id_prefix=f"{namespace}-net", rule=rule)
        return {"n": figure, "svg": network_svg(figure), "rows": text(graph, ties=3), "small": True}

    return fragments.rendered(namespace, (record.pk,), "pictures/_network_body.html", context)


def participant_network(participant) -> str:
    return _small("participant-network", participant, [participant.pk])


def organisation_network(organisation) -> str:
    people = list(
        Affiliation.objects.public()
        .filter(organisation=organisation)
        .values_list("participant", flat=True)
        .distinct()
    )
    return _small("organisation-network", organisation, people)
