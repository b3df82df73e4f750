"""The `/data/` page and the downloads of each release.

Everything here is read from the release folders' manifests, never from the records, and
whether a release is withdrawn (it holds a name withheld since: `takedowns`) from the cache: a
release is fixed once written, so the page costs the same however large the archive is, and
each file is served with the size and checksum its manifest records.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import citation, store, takedowns
from .schema import TABLES

# What each kind of file in a release is, for its Content-Type.
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".cff": "application/x-yaml; charset=utf-8",
    ".zip": "application/zip",
}
# The tables' titles in the page's language; the release's own files keep the English titles of
# `schema.TABLES`.
TABLE_TITLES = {
    "dialogues": gettext_lazy("Dialogues"),
    "participants": gettext_lazy("Participants"),
    "participations": gettext_lazy("Participations"),
    "outcomes": gettext_lazy("Outcomes"),
    "citations": gettext_lazy("Citations"),
    "eras": gettext_lazy("Eras"),
    "sources": gettext_lazy("Sources"),
    "conflicts": gettext_lazy("Conflicts"),
    "organisations": gettext_lazy("Organisations"),
    "affiliations": gettext_lazy("Affiliations"),
    "places": gettext_lazy("Places"),
    "dialogue_places": gettext_lazy("Dialogue places"),
    "series": gettext_lazy("Series"),
    "series_memberships": gettext_lazy("Series memberships"),
    "external_ids": gettext_lazy("External ids"),
}
# A release never changes, so a browser or proxy may keep its files for good.
IMMUTABLE = "public, max-age=31536000, immutable"


def _cite_url(request, version: str) -> str:
    return request.build_absolute_uri(reverse("releases:list")) + f"#v{version}"


def _row(table, manifest: dict) -> dict:
    changes = manifest["changes"].get(table.name, {})
    return {
        "title": TABLE_TITLES.get(table.name, table.title),
        "count": f"{manifest['counts'].get(table.name, 0):,}",
        **{what: f"{changes.get(what, 0):,}" for what in ("added", "changed", "removed")},
    }


def _summary(release: store.Release, request, found: list) -> dict:
    manifest = release.manifest
    cff = manifest["citation"]
    url = _cite_url(request, release.version)
    return {
        "version": release.version,
        "released": manifest["released"],
        "previous": manifest.get("previous"),
        "rows": [_row(table, manifest) for table in TABLES],
        "zip": release.zip,
        "files": [entry for entry in release.files if entry["path"] != manifest["zip"]],
        "cite_text": citation.text(cff, url),
        "bibtex": citation.bibtex(cff, url),
        "withdrawal": takedowns.withdrawal(release, found),
    }


def release_list(request):
    """Every release, newest first, with its counts, changes, checksums and citation."""
    every = store.releases()
    found = [_summary(release, request, every) for release in every]
    latest = next((release for release in found if release["withdrawal"] is None), None)
    context = {"releases": found, "latest": latest["version"] if latest else None}
    return render(request, "releases/release_list.html", context)


def _release_or_404(version: str) -> store.Release:
    release = store.release(version)
    if release is None:
        raise Http404(_("There is no release %(version)s.") % {"version": version})
    return release


def _gone(request, release: store.Release):
    """A 410 page for a withdrawn release (see `takedowns`), else None."""
    withdrawal = takedowns.withdrawal(release)
    if withdrawal is None:
        return None
    # Not kept by caches (the site's headers make an error private): it is served again if the
    # withholding lifts.
    return render(
        request, "releases/release_withdrawn.html", {"withdrawal": withdrawal}, status=410
    )


def _serve(release: store.Release, entry: dict, *, attachment: bool) -> FileResponse:
    path = release.path / entry["path"]
    if not path.is_file():
        raise Http404(
            _("%(name)s is missing from release %(version)s.")
            % {"name": entry["path"], "version": release.version}
        )
    suffix = path.suffix.lower()
    # A saved file keeps the release's name, so two releases' files never overwrite each other.
    prefix = f"{store.ARCHIVE_SLUG}-{release.version}"
    filename = path.name if path.name.startswith(prefix) else f"{prefix}-{path.name}"
    response = FileResponse(
        open(path, "rb"),  # FileResponse closes it when the response is done.
        as_attachment=attachment,
        filename=filename,
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
    response["Content-Length"] = str(entry["bytes"])
    response["ETag"] = f'"{entry["sha256"]}"'
    response["Cache-Control"] = IMMUTABLE
    return response


def _unchanged(request, tag: str):
    """A 304 when the reader already holds the file with this tag, else None."""
    if tag not in parse_etags(request.headers.get("If-None-Match", "")):
        return None
    response = HttpResponseNotModified()
    response["ETag"] = tag
    response["Cache-Control"] = IMMUTABLE
    return response


def release_zip(request, version: str):
    """The release's zip, as an attachment."""
    release = _release_or_404(version)
    if gone := _gone(request, release):
        return gone
    unchanged = _unchanged(request, f'"{release.zip["sha256"]}"')
    return unchanged or _serve(release, release.zip, attachment=True)


def release_file(request, version: str, name: str):
    """One file of the release, by the name its manifest lists (nothing else is served)."""
    release = _release_or_404(version)
    entry = release.file(name)
    if entry is None or name == release.manifest["zip"]:
        raise Http404(
            _("Release %(version)s has no file %(name)s.") % {"version": version, "name": name}
        )
    if gone := _gone(request, release):
        return gone
    unchanged = _unchanged(request, f'"{entry["sha256"]}"')
    return unchanged or _serve(release, entry, attachment=name.endswith((".csv", ".cff")))


def release_manifest(request, version: str):
    """The release's manifest: every file with its size and SHA-256."""
    release = _release_or_404(version)
    if gone := _gone(request, release):
        return gone
    path = release.path / store.MANIFEST
    # The manifest holds every other file's checksum; its own is read here (it is small).
    tag = f'"{store.sha256(path)}"'
    unchanged = _unchanged(request, tag)
    if unchanged:
        return unchanged
    response = FileResponse(open(path, "rb"), content_type=CONTENT_TYPES[".json"])
    response["ETag"] = tag
    response["Cache-Control"] = IMMUTABLE
    return response
