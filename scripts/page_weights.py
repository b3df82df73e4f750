"""Print the weight of each kind of page: its HTML and the CSS it loads, raw and gzipped.

    python -m scripts.page_weights

The archive's own content is served from a throwaway database, as for the screenshots, and each
page is fetched as a browser would fetch it (the admin's after logging in as an editor).
"""

from __future__ import annotations

import gzip
import http.cookiejar
import sys
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from scripts.archive_server import EDITOR, PASSWORD, serve_archive


class Assets(HTMLParser):
    """Collect a page's stylesheets and scripts, and a form's CSRF token."""

    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.css.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.js.append(attrs["src"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value", "")


def parse(html: bytes) -> Assets:
    assets = Assets()
    assets.feed(html.decode("utf-8"))
    return assets


def log_in(opener, site) -> None:
    login = site.url("/admin/login/?next=/admin/")
    form = parse(opener.open(login).read())
    fields = {"username": EDITOR, "password": PASSWORD, "csrfmiddlewaretoken": form.csrf}
    data = urllib.parse.urlencode({**fields, "next": "/admin/"}).encode()
    opener.open(urllib.request.Request(login, data=data, headers={"Referer": login}))


def kb(size: int) -> str:
    return f"{size / 1024:.1f}"


def main() -> int:
    with serve_archive() as site:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        log_in(opener, site)
        fetched: dict[str, bytes] = {}

        def body(path: str) -> bytes:
            if path not in fetched:
                fetched[path] = opener.open(site.url(path)).read()
            return fetched[path]

        rows = []
        for kind, path in site.pages:
            html = body(path)
            assets = parse(html)
            css = b"".join(body(href) for href in assets.css)
            js = b"".join(body(src) for src in assets.js)
            rows.append((kind, html, css, js))

    header = ("page", "HTML B", "HTML gz", "CSS B", "CSS gz", "JS B", "files")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " for _ in header) + "|")
    for kind, html, css, js in rows:
        files = len(parse(html).css) + len(parse(html).js)
        print(
            f"| {kind} | {len(html):,} | {len(gzip.compress(html)):,} | {len(css):,} "
            f"| {len(gzip.compress(css)):,} | {len(js):,} | {files} |"
        )
    print("\nB: bytes as served; gz: bytes after gzip, as whitenoise serves them in production.")
    print("The admin's CSS and JS are Django's own, plus the archive's small admin overrides.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
