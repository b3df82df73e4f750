"""Routes of the read-only JSON API, included at `/api/`."""

from django.urls import path, re_path

from . import authorities, changes, views

app_name = "api"

urlpatterns = [
    path("dialogues/", views.DialogueList.as_view(), name="dialogue_list"),
    path("dialogues/<slug:slug>/", views.DialogueDetail.as_view(), name="dialogue"),
    path("eras/", views.EraList.as_view(), name="era_list"),
    path("participants/", views.ParticipantList.as_view(), name="participant_list"),
    path("sources/", views.SourceList.as_view(), name="source_list"),
    path("organisations/", authorities.OrganisationList.as_view(), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        authorities.OrganisationDetail.as_view(),
        name="organisation",
    ),
    path("places/", authorities.PlaceList.as_view(), name="place_list"),
    path("places/<slug:slug>/", authorities.PlaceDetail.as_view(), name="place"),
    path("series/", authorities.SeriesList.as_view(), name="series_list"),
    path("series/<slug:slug>/", authorities.SeriesDetail.as_view(), name="series"),
    path("changes/", changes.ChangeList.as_view(), name="changes"),
    path("openapi.json", views.OpenAPIDocument.as_view(), name="openapi"),
    # Last, so that any other address under /api/ answers in JSON rather than with an HTML page;
    # Any character at all: `.` would not match a newline (`%0A`), and the HTML 404 would answer.
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not_found"),
]
