"""Routes of the read-only JSON API, included at `/api/`."""

from django.urls import path, re_path

from . import api

app_name = "api"

urlpatterns = [
    path("dialogues/", api.dialogue_list, name="dialogue_list"),
    path("dialogues/<slug:slug>/", api.dialogue_detail, name="dialogue"),
    path("eras/", api.era_list, name="era_list"),
    path("participants/", api.participant_list, name="participant_list"),
    path("sources/", api.source_list, name="source_list"),
    path("openapi.json", api.openapi_document, name="openapi"),
    # Last, so that any other address under /api/ answers in JSON rather than with an HTML page.
    re_path(r"^.*$", api.not_found, name="not_found"),
]
