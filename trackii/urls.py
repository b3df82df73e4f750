from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import URLResolver, include, path
from django.urls.resolvers import RoutePattern
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from dialogues.feeds.oai import oai
from dialogues.methods import read_only
from dialogues.pages.sitemaps import SITEMAPS
from dialogues.releases import urls as releases_urls


# Exempt from CSRF so that a POST gets the 405 rather than the CSRF failure page.
@csrf_exempt
@require_safe
def healthz(request):
    """Answer "ok" without touching the database: for load balancers and uptime checks.

    It is also the benchmark's hello-world: the cost of the framework and server alone.
    """
    return HttpResponse("ok", content_type="text/plain")


# Lazy, so that the admin says them in the editor's language.
admin.site.site_header = _("Track II Dialogue Archive: editors")
admin.site.site_title = _("Track II archive editors")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("feeds/", include("dialogues.feeds.urls")),
    # OAI-PMH harvesters may POST (the protocol allows it); every other page is GET only.
    path("oai/", oai, name="oai"),
    # Django's set_language: the admin's own language chooser posts here (the public pages take
    # their language from their address instead).
    path("i18n/", include("django.conf.urls.i18n")),
    # Every public page in each language, with its hreflang alternates (one address for all).
    path(
        "sitemap.xml",
        read_only(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
]
# The public pages in each language: English at today's addresses, Hebrew under /he/ and Arabic
# under /ar/. The admin, feeds, OAI-PMH and the release files keep one address each.
urlpatterns += i18n_patterns(
    path("", include("dialogues.pages.urls")),
    prefix_default_language=False,
)
# The data releases: the page about them in each language (/data/, /he/data/, /ar/data/), their
# files at one citable address (/data/1.0.0.zip). One namespace holds both, so every
# `releases:...` name reverses as before; it is built here because `include()` refuses a
# language prefix inside an included URLconf (the prefix is only resolved from the root).
urlpatterns.append(
    URLResolver(
        RoutePattern(""),
        i18n_patterns(*releases_urls.pages, prefix_default_language=False) + releases_urls.files,
        app_name=releases_urls.app_name,
        namespace=releases_urls.app_name,
    )
)
