from django.urls import path, register_converter

from ..methods import read_only
from . import views
from .store import VERSION_RE


class VersionConverter:
    """A release's version in an address: two or three whole numbers joined by dots."""

    regex = VERSION_RE.pattern.removeprefix("^").removesuffix("$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(VersionConverter, "version")

app_name = "releases"

# The pages about the releases, said in each language: the root URLconf puts them under /he/ and
# /ar/ too (inside the same "releases" namespace as the files, so `releases:list` reverses to the
# page's language).
pages = [
    path("data/", read_only(views.release_list), name="list"),
]

# The release files themselves keep one citable address each, never language-prefixed.
files = [
    path("data/<version:version>.zip", read_only(views.release_zip), name="zip"),
    path(
        "data/<version:version>/manifest.json",
        read_only(views.release_manifest),
        name="manifest",
    ),
    path("data/<version:version>/<path:name>", read_only(views.release_file), name="file"),
]
