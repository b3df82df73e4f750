from django.urls import include, path

from ..api import exports
from . import history, views

app_name = "dialogues"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("dialogues/", views.dialogue_list, name="dialogue_list"),
    path("dialogues/export.<str:fmt>", exports.DialogueExport.as_view(), name="export"),
    path("dialogues/<slug:slug>/", views.DialogueDetailView.as_view(), name="dialogue"),
    path(
        "dialogues/<slug:slug>/cite.<str:fmt>",
        views.dialogue_citation,
        name="dialogue_citation",
    ),
    path("dialogues/<slug:slug>/history/", history.dialogue_history, name="dialogue_history"),
    path(
        "dialogues/<slug:slug>/v/<int:number>/",
        history.DialogueVersionView.as_view(),
        name="dialogue_version",
    ),
    path("timeline/", views.timeline, name="timeline"),
    path("eras/<slug:slug>/", views.EraDetailView.as_view(), name="era"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/<slug:slug>/", views.ParticipantDetailView.as_view(), name="participant"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source"),
    path("api/", include("dialogues.api.urls")),
]
