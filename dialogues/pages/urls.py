from django.urls import include, path

from ..api import exports
from ..methods import read_only
from . import authorities, history, views
from .pictures import map_views, network_views, timeline_views, year_views

app_name = "dialogues"

# Every page answers GET and HEAD only; the export and the API are DRF views that do the same.
# Each figure is downloaded as SVG or, drawn from the same file, as PNG (`fmt`).
urlpatterns = [
    path("", read_only(views.home), name="home"),
    path("about/", read_only(views.about), name="about"),
    path("dialogues/", read_only(views.dialogue_list), name="dialogue_list"),
    path("dialogues/years.svg", read_only(year_views.years_figure), name="years_figure"),
    path(
        "dialogues/years.png",
        read_only(year_views.years_figure),
        {"fmt": "png"},
        name="years_figure_png",
    ),
    path("dialogues/export.<str:fmt>", exports.DialogueExport.as_view(), name="export"),
    path("dialogues/<slug:slug>/", read_only(views.DialogueDetailView.as_view()), name="dialogue"),
    path(
        "dialogues/<slug:slug>/cite.<str:fmt>",
        read_only(views.dialogue_citation),
        name="dialogue_citation",
    ),
    path(
        "dialogues/<slug:slug>/history/",
        read_only(history.dialogue_history),
        name="dialogue_history",
    ),
    path(
        "dialogues/<slug:slug>/v/<int:number>/",
        read_only(history.DialogueVersionView.as_view()),
        name="dialogue_version",
    ),
    path("timeline/", read_only(timeline_views.timeline), name="timeline"),
    path("timeline/figure.svg", read_only(timeline_views.timeline_figure), name="timeline_figure"),
    path(
        "timeline/figure.png",
        read_only(timeline_views.timeline_figure),
        {"fmt": "png"},
        name="timeline_figure_png",
    ),
    path("network/", read_only(network_views.network_page), name="network"),
    path("network/figure.svg", read_only(network_views.network_figure), name="network_figure"),
    path(
        "network/figure.png",
        read_only(network_views.network_figure),
        {"fmt": "png"},
        name="network_figure_png",
    ),
    path("eras/<slug:slug>/", read_only(views.EraDetailView.as_view()), name="era"),
    path("participants/", read_only(views.participant_list), name="participant_list"),
    path(
        "participants/<slug:slug>/",
        read_only(views.ParticipantDetailView.as_view()),
        name="participant",
    ),
    path("sources/<slug:slug>/", read_only(views.SourceDetailView.as_view()), name="source"),
    path("organisations/", read_only(authorities.organisation_list), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        read_only(authorities.OrganisationDetailView.as_view()),
        name="organisation",
    ),
    path("places/", read_only(authorities.place_list), name="place_list"),
    path("places/map.svg", read_only(map_views.map_figure), name="map_figure"),
    path("places/map.png", read_only(map_views.map_figure), {"fmt": "png"}, name="map_figure_png"),
    path("places/<slug:slug>/", read_only(authorities.PlaceDetailView.as_view()), name="place"),
    path("series/", read_only(authorities.series_list), name="series_list"),
    path("series/<slug:slug>/", read_only(authorities.SeriesDetailView.as_view()), name="series"),
    *(
        path(
            f"{folder}/<slug:slug>/history/",
            read_only(history.authority_history),
            {"kind": kind},
            name=f"{kind}_history",
        )
        for folder, kind in (
            ("organisations", "organisation"),
            ("places", "place"),
            ("series", "series"),
        )
    ),
    path("api/", include("dialogues.api.urls")),
]
