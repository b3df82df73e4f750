from django.urls import path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("", views.home, name="home"),
    path("dialogues/<slug:slug>/", views.DialogueDetailView.as_view(), name="dialogue"),
    path("eras/<slug:slug>/", views.EraDetailView.as_view(), name="era"),
    path("participants/<slug:slug>/", views.ParticipantDetailView.as_view(), name="participant"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source"),
]
