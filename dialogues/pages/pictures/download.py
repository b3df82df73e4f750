"""A figure as a file to cite: the drawing with its caption, filters, archive generation and date.

The page's SVG is nested whole in a taller SVG whose lower strip carries, as text, what the
figure is, which filters it shows, the archive's generation and code version and the day it was
drawn, and the same facts as Dublin Core in `<metadata>`, so a figure pasted into a paper says
where it came from. In Hebrew and Arabic the strip reads right to left, like the drawing above it,
but for its last line, the address, which reads left to right wherever it stands.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ... import caching
from .. import fragments

LINE = 16
_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+)"')
WIDTH = 800  # the file's width in pixels; the drawing is scaled to it


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
    lines = [
        caption,
        f"Filters: {filters or 'none (every public dialogue)'}",
        (
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
            "drawing": drawing,
            "lines": [(height + LINE * (n + 1), line) for n, line in enumerate(lines)],
            "caption": caption,
            "filters": filters,
            "date": timezone.localdate().isoformat(),
            "generation": caching.generation(),
            "address": address,
        },
    )


def figure_response(svg: str, *, name: str, **kwargs) -> HttpResponse:
    """Answer with the figure file as a download named `name`.svg."""
    response = HttpResponse(figure_file(svg, **kwargs), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="trackii-{name}.svg"'
    return response
