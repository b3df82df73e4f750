"""A figure as a file to cite: the drawing with its caption, filters, archive generation and date.

The page's SVG is nested whole in a taller SVG whose lower strip carries, as text, what the
figure is, which filters it shows, the archive's generation and code version and the day it was
drawn, and the same facts as Dublin Core in `<metadata>`, so a figure pasted into a paper says
where it came from. In Hebrew and Arabic the strip reads right to left, like the drawing above it,
but for its last line, the address, which reads left to right wherever it stands.

The same file comes as PNG too (`figure_png`), drawn from it by resvg, so the picture and its
strip are the SVG's exactly; see `_for_raster` for the two things resvg is told explicitly.
"""

from __future__ import annotations

import re
import textwrap
from functools import wraps

import resvg_py
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from lxml import etree

from ... import caching
from .. import fragments

LINE = 16
_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+)"')
WIDTH = 800  # the file's width in pixels; the drawing is scaled to it
# The letters a line of the strip holds: about 7.5 pixels a letter at 12 pixels, as Hebrew and
# Arabic letters run (Latin ones are narrower), within 12 pixels of either edge.
ROOM = int((WIDTH - 24) / 7.5)
# A PNG is WIDTH times its scale wide: 1600 pixels unless `?scale=` says otherwise.
SCALES = ("1", "2", "3")
DEFAULT_SCALE = "2"
# The font the PNG's text is set in: Debian's default sans-serif (fonts-dejavu-core, there
# wherever fontconfig is), with Latin, Hebrew and Arabic letters in one face, as browsers on the
# same machine draw the SVG. Left to itself resvg looks for Arial, and sets Arabic in whatever
# other font it finds first.
FONT = "DejaVu Sans"
SVG = "{http://www.w3.org/2000/svg}"
# Right to left, an anchor's start is the text's right end.
ANCHOR_RTL = {"start": "end", "end": "start", "middle": "middle"}
EMBED_RTL, POP = "\u202b", "\u202c"  # RIGHT-TO-LEFT EMBEDDING ... POP DIRECTIONAL FORMATTING


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, ROOM, break_long_words=False, break_on_hyphens=False) or [text]


def figure_file(svg: str, *, caption: str, filters: str, address: str) -> str:
    """Return a standalone SVG document: `svg` above a strip of caption and provenance."""
    root = _ROOT.search(svg)
    found = _VIEWBOX.search(root.group(0)) if root else None
    if found is None:
        raise ValueError("A figure is an <svg> element with a viewBox.")
    width = WIDTH
    height = round(WIDTH * float(found.group(4)) / float(found.group(3)), 1)
    inner = root.group(0).replace('width="100%"', f'x="0" y="0" width="{width}" height="{height}"')
    drawing = svg[: root.start()] + inner + svg[root.end() :]
    # Each fact wraps to the strip's width; the address stays one line, as it is copied.
    lines = [
        *_wrapped(caption),
        *_wrapped(f"Filters: {filters or 'none (every public dialogue)'}"),
        *_wrapped(
            f"Track II Dialogue Archive, generation {caching.generation()}, "
            f"code {fragments.code_digest()[:12]}, drawn {timezone.localdate().isoformat()}"
        ),
        address,
    ]
    return render_to_string(
        "pictures/figure_file.svg",
        {
            "width": width,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
            "text_x": width - 12 if translation.get_language_bidi() else 12,
            "height": height + LINE * (len(lines) + 1),
            "drawing_height": height,
            "strip_height": LINE * (len(lines) + 1),
            "drawing": drawing,
            "lines": [(height + LINE * (n + 1), line) for n, line in enumerate(lines)],
            "caption": caption,
            "filters": filters,
            "date": timezone.localdate().isoformat(),
            "generation": caching.generation(),
            "address": address,
        },
    )


def _for_raster(document: str) -> bytes:
    """The figure file as resvg should read it: what browsers infer, said outright.

    resvg ignores `direction`: each text of a right-to-left part gets the anchor that
    direction gives it and a right-to-left embedding, so that "7 سنوات" reads from the right
    and stands where a browser sets it. And a drawing's own viewport (a nested `<svg>`) is drawn
    without clipping, which resvg does through a layer as large as all the drawing holds (the
    map's whole countries, enlarged many times): the drawing spans the file's width from its top,
    and the strip's background is painted over whatever passes its foot, so nothing changes.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(document.encode(), parser)

    def walk(element, direction: str, anchor: str) -> None:
        direction = element.get("direction", direction)
        anchor = element.get("text-anchor", anchor)
        if element.tag == f"{SVG}svg" and element is not root:
            element.set("overflow", "visible")
        if element.tag == f"{SVG}text" and direction == "rtl":
            element.set("text-anchor", ANCHOR_RTL.get(anchor, anchor))
            element.set("direction", "ltr")
            element.text = EMBED_RTL + (element.text or "")
            children = [child for child in element if isinstance(child.tag, str)]
            if children:
                children[-1].tail = (children[-1].tail or "") + POP
            else:
                element.text += POP
            return
        for child in element:
            if isinstance(child.tag, str):
                walk(child, direction, anchor)

    walk(root, "ltr", "start")
    return etree.tostring(root, encoding="utf-8")


def figure_png(document: str, scale: str = DEFAULT_SCALE) -> bytes:
    """The figure file `document` as a PNG `scale` times its width, cached like the drawing."""

    def draw() -> bytes:
        return bytes(
            resvg_py.svg_to_bytes(
                svg_string=_for_raster(document).decode(),
                zoom=float(scale),
                font_family=FONT,
                sans_serif_family=FONT,
            )
        )

    return fragments.rendered_value("figure-png", (document, scale), draw)


def _scale(request) -> str:
    return request.GET.get("scale") or DEFAULT_SCALE  # left empty, as by a form: the default


def bad_scale(request) -> HttpResponse | None:
    """A 400 saying what `?scale=` accepts, when it is given something else; else None."""
    scale = _scale(request)
    if scale in SCALES:
        return None
    shown = "".join(c if c.isprintable() else "\ufffd" for c in scale[:40])
    message = gettext(
        "The scale of a PNG figure is 1, 2 or 3 (800, 1600 or 2400 pixels wide; 2 when not "
        "given), not “%(scale)s”."
    ) % {"scale": shown}
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


def figure_view(view):
    """Give `view` the format its address names (`fmt`, "svg" unless "png"), and refuse a bad
    `?scale=` of a PNG before anything is drawn."""

    @wraps(view)
    def checked(request, *args, fmt: str = "svg", **kwargs):
        if fmt == "png":
            refused = bad_scale(request)
            if refused is not None:
                return refused
        return view(request, *args, fmt=fmt, **kwargs)

    return checked


def figure_response(request, svg: str, *, name: str, fmt: str = "svg", **kwargs) -> HttpResponse:
    """Answer with the figure file as a download named `name`.svg, or `name`.png as a PNG."""
    if fmt == "png":
        scale = _scale(request)
        if scale not in SCALES:  # `figure_view` answered it already
            scale = DEFAULT_SCALE
        response = HttpResponse(figure_png(figure_file(svg, **kwargs), scale), "image/png")
    else:
        response = HttpResponse(figure_file(svg, **kwargs), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="trackii-{name}.{fmt}"'
    return response
