"""Routes of the feeds: Atom at `/feeds/`, included by the project's urls; OAI-PMH is at `/oai/`."""

from django.urls import path

from ..methods import read_only
from .atom import ChangesFeed, EraChangesFeed

app_name = "feeds"

urlpatterns = [
    path("changes.atom", read_only(ChangesFeed()), name="changes"),
    path("eras/<slug:slug>.atom", read_only(EraChangesFeed()), name="era_changes"),
]
