"""Write a full-page PNG of each kind of page, phone and desktop, light and dark.

    python -m scripts.screenshots [--out screenshots] [--lang en|he|ar ...] [--kinds home,record]
                                  [--widths 1280] [--schemes dark] [--max-height 1400]

`--lang` (repeatable) takes the public pages under the language's address (/he/..., /ar/...)
and the admin in that language (its cookie); the files of a language other than English are
named kind-LANG-width-scheme.png. `--kinds` keeps only the kinds of page named, `--widths` and
`--schemes` only those widths and colour schemes, and `--max-height` keeps the top of a long
page only (the pictures of the list page stand above its results).

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
LANGUAGES = {"en": "en-gb", "he": "he", "ar": "ar"}


def address(path: str, lang: str) -> str:
    """The page's address in `lang`: English unprefixed, the others under /he/ or /ar/.

    The admin has one address in every language; its language comes from the cookie."""
    if lang == "en" or path.startswith("/admin/"):
        return path
    return f"/{lang}{path}"


def name(kind: str, lang: str, *rest) -> str:
    return "-".join(str(part) for part in (kind, *([] if lang == "en" else [lang]), *rest))


def log_in(page, site) -> None:
    page.goto(site.url("/admin/login/"))
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument(
        "--lang",
        action="append",
        choices=sorted(LANGUAGES),
        help="a language to take the pages in (repeatable; default en)",
    )
    parser.add_argument(
        "--kinds", help="comma-separated kinds of page to take (default: every kind)"
    )
    parser.add_argument(
        "--widths",
        type=lambda text: tuple(int(w) for w in text.split(",")),
        default=WIDTHS,
        help="comma-separated viewport widths (default: 390,1280)",
    )
    parser.add_argument(
        "--schemes",
        type=lambda text: tuple(text.split(",")),
        default=SCHEMES,
        help="comma-separated colour schemes, light and/or dark (default: both)",
    )
    parser.add_argument(
        "--max-height", type=int, help="keep only the top this many pixels of a long page"
    )
    args = parser.parse_args(argv)
    if set(args.schemes) - set(SCHEMES):
        print(f"Unknown schemes: {', '.join(args.schemes)}; known: light, dark", file=sys.stderr)
        return 2
    languages = args.lang or ["en"]
    reason = missing_reason()
    if reason:
        print(f"Cannot take screenshots: {reason}", file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve_archive() as site, sync_playwright() as playwright:
        pages = site.pages
        if args.kinds:
            wanted = {kind.strip() for kind in args.kinds.split(",")}
            unknown = wanted - {kind for kind, _ in pages}
            if unknown:
                known = ", ".join(kind for kind, _ in pages)
                print(
                    f"Unknown kinds: {', '.join(sorted(unknown))}; known: {known}", file=sys.stderr
                )
                return 2
            pages = [(kind, path) for kind, path in pages if kind in wanted]
        browser = launch(playwright)
        for lang in languages:
            for width in args.widths:
                for scheme in args.schemes:
                    context = browser.new_context(
                        viewport={"width": width, "height": HEIGHT}, color_scheme=scheme
                    )
                    context.add_cookies(
                        [{"name": "django_language", "value": LANGUAGES[lang], "url": site.base}]
                    )
                    page = context.new_page()
                    log_in(page, site)
                    for kind, path in pages:
                        page.goto(site.url(address(path, lang)))
                        target = args.out / f"{name(kind, lang, width, scheme)}.png"
                        clip = None
                        if args.max_height:
                            height = page.evaluate("document.documentElement.scrollHeight")
                            clip = {
                                "x": 0,
                                "y": 0,
                                "width": width,
                                "height": min(height, args.max_height),
                            }
                        page.screenshot(path=str(target), full_page=True, clip=clip)
                        written.append(target)
                    context.close()
        # The record's print stylesheet is part of the design, so it is captured too.
        context = browser.new_context(viewport={"width": 800, "height": HEIGHT})
        page = context.new_page()
        record = dict(site.pages)["record"]
        page.goto(site.url(address(record, languages[0])))
        page.emulate_media(media="print")
        target = args.out / f"{name('record', languages[0], 'print')}.png"
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
