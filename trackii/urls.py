from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Track II Dialogue Archive: editors"
admin.site.site_title = "Track II archive editors"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("dialogues.urls")),
]
