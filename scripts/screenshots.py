"""Write a full-page PNG of each kind of page, phone and desktop, light and dark.

    python -m scripts.screenshots [--out screenshots]

The archive's own content is served from a throwaway database (see archive_server), so this
works on a fresh clone once Chromium is installed, and leaves the developer's data alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.archive_server import EDITOR, PASSWORD, serve_archive
from scripts.chromium import launch, missing_reason

WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")
HEIGHT = 900


def log_in(page, site) -> None:
    page.goto(site.url("/admin/login/"))
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args(argv)
    reason = missing_reason()
    if reason:
        print(f"Cannot take screenshots: {reason}", file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve_archive() as site, sync_playwright() as playwright:
        browser = launch(playwright)
        for width in WIDTHS:
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport={"width": width, "height": HEIGHT}, color_scheme=scheme
                )
                page = context.new_page()
                log_in(page, site)
                for kind, path in site.pages:
                    page.goto(site.url(path))
                    target = args.out / f"{kind}-{width}-{scheme}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                context.close()
        # The record's print stylesheet is part of the design, so it is captured too.
        context = browser.new_context(viewport={"width": 800, "height": HEIGHT})
        page = context.new_page()
        record = dict(site.pages)["record"]
        page.goto(site.url(record))
        page.emulate_media(media="print")
        target = args.out / "record-print.png"
        page.screenshot(path=str(target), full_page=True)
        written.append(target)
        context.close()
        browser.close()
    for target in written:
        print(target)
    print(f"{len(written)} screenshots in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
