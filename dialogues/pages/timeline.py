"""The timeline picture, drawn on the server as SVG, and the text alternative that goes with it.

Eras are bands across a time axis; each dialogue is a mark on a lane below, at the days it may
fall in. The SVG is built with ElementTree, so every name and title is escaped by the serialiser
and the result is always well-formed XML. It holds no script and loads nothing from elsewhere.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from bisect import bisect_right
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"

# Every era gets at least this share of the axis, and otherwise a share proportional to its
# length. The archive's eras are very uneven: one spans 2007–2025 and holds no records, another
# lasts two months and holds one. A linear axis would squeeze the short, busy eras to a few
# pixels, so the axis is piecewise linear instead: linear inside each era (marks within an era
# keep their true proportions and order) but with the era's width floored. The year ticks show
# where the scale changes.
MIN_ERA_SHARE = 0.08

MARGIN = 12
BAND_TOP = 8
BAND_HEIGHT = 36
AXIS_Y = BAND_TOP + BAND_HEIGHT + 6
TICK_LENGTH = 5
TICK_LABEL_Y = AXIS_Y + TICK_LENGTH + 12
LANES_TOP = TICK_LABEL_Y + 12
ROW_HEIGHT = 18
BOTTOM = 8

POINT_RADIUS = 5
MARK_HEIGHT = 10
# A span is never drawn narrower than this, so even a three-day span reads as a span, wider
# than the dot of a single day.
MIN_SPAN_WIDTH = 2 * POINT_RADIUS + 4
MARK_GAP = 3

FONT_SIZE = 12
# A conservative average advance for a sans-serif face; the server cannot measure text, so era
# labels are shortened against this estimate rather than allowed to spill out of their band.
CHAR_WIDTH = 0.62 * FONT_SIZE
LABEL_SPACING = 8

ERA_FILLS = ("#dde6f0", "#eee6d6")
MARK_FILL = "#1f5f8b"


# --- What is drawn ------------------------------------------------------------------------


def _drawable(record) -> bool:
    earliest = getattr(record, "date_earliest", None)
    latest = getattr(record, "date_latest", None)
    return earliest is not None and latest is not None and earliest <= latest


def _chronological(dialogue):
    return (dialogue.date_earliest, dialogue.date_latest, dialogue.title)


def _grouped(eras, dialogues) -> list[tuple[object, list]]:
    """Pair each era with its dialogues in date order.

    Both the picture and the text alternative are built from this one list, so they always
    show the same records: eras and dialogues without readable dates, and dialogues of eras
    that were not passed in, are left out of both.
    """
    shown = [era for era in eras if _drawable(era)]
    by_era: dict[object, list] = {era.pk: [] for era in shown}
    for dialogue in dialogues:
        if _drawable(dialogue) and dialogue.era_id in by_era:
            by_era[dialogue.era_id].append(dialogue)
    return [(era, sorted(by_era[era.pk], key=_chronological)) for era in shown]


def is_span(dialogue) -> bool:
    """Tell whether a dialogue's date is drawn as a span rather than a point.

    A date is a point only when it names one day (or the two days its bounds may straddle)
    without any EDTF qualifier or interval.
    """
    if (dialogue.date_latest - dialogue.date_earliest).days > 1:
        return True
    return any(char in (dialogue.date or "") for char in "~?%/")


def _tooltip(name: str, when: str) -> str:
    return f"{name} ({when})"


# --- Text alternative ---------------------------------------------------------------------


def timeline_text(eras, dialogues) -> list[dict]:
    """Return the facts the timeline shows, era by era, for a page to render as a list."""
    return [
        {
            "name": era.name,
            "date": era.date_display,
            "url": era.get_absolute_url(),
            "dialogues": [
                {
                    "title": dialogue.title,
                    "date": dialogue.date_display,
                    "url": dialogue.get_absolute_url(),
                }
                for dialogue in era_dialogues
            ],
        }
        for era, era_dialogues in _grouped(eras, dialogues)
    ]


# --- Scale --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    start: int  # ordinal of the first day
    end: int  # ordinal of the day after the last
    x0: float
    x1: float

    def x(self, ordinal: float) -> float:
        return self.x0 + (ordinal - self.start) / (self.end - self.start) * (self.x1 - self.x0)


class _Scale:
    """Map days to x: piecewise linear, one piece per era and per gap between eras."""

    def __init__(self, eras, left: float, right: float):
        pieces: list[tuple[int, int, bool]] = []  # (start, end, is_era)
        cursor = None
        for era in sorted(eras, key=lambda e: e.date_earliest):
            start, end = era.date_earliest.toordinal(), era.date_latest.toordinal() + 1
            if cursor is not None:
                # Eras may not overlap, but a clamp keeps the scale monotonic if they ever do.
                start = max(start, cursor)
                if start > cursor:
                    pieces.append((cursor, start, False))
            if end > start:
                pieces.append((start, end, True))
                cursor = end
        total = sum(end - start for start, end, _ in pieces) or 1
        floor = MIN_ERA_SHARE * total
        weights = [
            max(end - start, floor) if is_era else end - start for start, end, is_era in pieces
        ]
        unit = (right - left) / (sum(weights) or 1)
        self.segments: list[_Segment] = []
        x = left
        for (start, end, _), weight in zip(pieces, weights, strict=True):
            self.segments.append(_Segment(start, end, x, x + weight * unit))
            x += weight * unit
        self._starts = [segment.start for segment in self.segments]
        self.left, self.right = left, right

    @property
    def first_day(self) -> int:
        return self.segments[0].start

    @property
    def last_day(self) -> int:
        return self.segments[-1].end

    def __call__(self, ordinal: float) -> float:
        if not self.segments:
            return self.left
        if ordinal <= self.first_day:
            return self.segments[0].x0
        if ordinal >= self.last_day:
            return self.segments[-1].x1
        index = max(bisect_right(self._starts, ordinal) - 1, 0)
        return self.segments[index].x(ordinal)

    def day_span(self, earliest: datetime.date, latest: datetime.date) -> tuple[float, float]:
        return self(earliest.toordinal()), self(latest.toordinal() + 1)


# --- Drawing ------------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _link(parent, href: str, tooltip: str, kind: str) -> ET.Element:
    # An SVG <a> with an href is focusable and announced as a link; its first <title> child is
    # both the tooltip and its accessible name.
    anchor = _sub(parent, "a", href=href, **{"class": f"tl-link {kind}"})
    _sub(anchor, "title", tooltip)
    return anchor


def _fit(text: str, width: float) -> str:
    """Shorten a label to the width it has, or drop it when not even a word's start fits."""
    room = int(width // CHAR_WIDTH)
    if len(text) <= room:
        return text
    if room < 4:
        return ""
    return text[: room - 1].rstrip() + "…"


def _mark_extent(dialogue, scale: _Scale) -> tuple[float, float, bool]:
    """Return the left and right x of a dialogue's mark and whether it is a span."""
    x0, x1 = scale.day_span(dialogue.date_earliest, dialogue.date_latest)
    if is_span(dialogue):
        if x1 - x0 < MIN_SPAN_WIDTH:
            middle = (x0 + x1) / 2
            x0, x1 = middle - MIN_SPAN_WIDTH / 2, middle + MIN_SPAN_WIDTH / 2
        return x0, x1, True
    middle = (x0 + x1) / 2
    return middle - POINT_RADIUS, middle + POINT_RADIUS, False


def _rows(extents: list[tuple[float, float]]) -> list[int]:
    """Give each mark the first row where it clears the marks already there (interval packing)."""
    order = sorted(range(len(extents)), key=lambda i: extents[i])
    row_ends: list[float] = []
    rows = [0] * len(extents)
    for i in order:
        x0, x1 = extents[i]
        free = (row for row, end in enumerate(row_ends) if end + MARK_GAP <= x0)
        row = next(free, len(row_ends))
        if row == len(row_ends):
            row_ends.append(x1)
        row_ends[row] = x1
        rows[i] = row
    return rows


def _year_ticks(scale: _Scale, width: float) -> list[tuple[float, int, str | None]]:
    """Return (x, year, text-anchor or None when unlabelled) for each 1 January on the axis.

    Labels are given greedily from the left, each only where it clears the one before, since
    the scale packs some years far closer together than others. Labels at the edges are
    anchored inwards so they are not cut off.
    """
    if not scale.segments:
        return []
    ticks = []
    first = datetime.date.fromordinal(scale.first_day).year
    last = datetime.date.fromordinal(scale.last_day - 1).year
    label_width = 4 * CHAR_WIDTH
    previous_right = None
    for year in range(first, last + 2):
        ordinal = datetime.date(year, 1, 1).toordinal()
        if not scale.first_day <= ordinal <= scale.last_day:
            continue
        x = scale(ordinal)
        if x - label_width / 2 < 0:
            anchor, left = "start", x
        elif x + label_width / 2 > width:
            anchor, left = "end", x - label_width
        else:
            anchor, left = "middle", x - label_width / 2
        if previous_right is None or left >= previous_right + LABEL_SPACING:
            previous_right = left + label_width
        else:
            anchor = None
        ticks.append((x, year, anchor))
    return ticks


def timeline_svg(eras, dialogues, *, width=1000, id_prefix="timeline") -> SafeString:
    """Draw the eras as bands and the dialogues as marks below them, every one a link.

    `width` sets the coordinate system; the SVG itself scales to its container. `id_prefix`
    keeps the ids of the title and description unique if a page holds more than one timeline.
    """
    groups = _grouped(eras, dialogues)
    shown_eras = [era for era, _ in groups]
    shown_dialogues = [dialogue for _, era_dialogues in groups for dialogue in era_dialogues]
    scale = _Scale(shown_eras, MARGIN, width - MARGIN)

    extents = [_mark_extent(dialogue, scale) for dialogue in shown_dialogues]
    rows = _rows([(x0, x1) for x0, x1, _ in extents])
    row_count = max(rows, default=-1) + 1
    height = LANES_TOP + max(row_count, 1) * ROW_HEIGHT + BOTTOM

    if shown_eras:
        first_year = min(era.date_earliest for era in shown_eras).year
        last_year = max(era.date_latest for era in shown_eras).year
        span_words = f", {first_year}–{last_year}" if first_year != last_year else f", {first_year}"
    else:
        span_words = ""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {_num(width)} {_num(height)}",
            "width": "100%",
            "role": "group",
            "aria-labelledby": title_id,
            "aria-describedby": desc_id,
            "class": "timeline",
            "font-family": "sans-serif",
            "font-size": str(FONT_SIZE),
        },
    )
    _sub(svg, "title", f"Timeline of Track II dialogues{span_words}", id=title_id)
    _sub(
        svg,
        "desc",
        (
            f"{len(shown_eras)} eras shown as bands across a time axis, and "
            f"{len(shown_dialogues)} dialogues shown as marks below them: a dot for a dialogue "
            "dated to a day, a bar across the whole span for an uncertain or longer date. "
            "Each era is given at least a minimum width, so the axis is not to one scale."
        ),
        id=desc_id,
    )

    eras_group = _sub(svg, "g", **{"class": "tl-eras"})
    for index, era in enumerate(shown_eras):
        x0, x1 = scale.day_span(era.date_earliest, era.date_latest)
        anchor = _link(
            eras_group, era.get_absolute_url(), _tooltip(era.name, era.date_display), "tl-era"
        )
        _sub(
            anchor,
            "rect",
            x=_num(x0),
            y=BAND_TOP,
            width=_num(x1 - x0),
            height=BAND_HEIGHT,
            fill=ERA_FILLS[index % len(ERA_FILLS)],
            stroke="#ffffff",
            stroke_width=1,
        )
        label = _fit(era.name, x1 - x0 - 8)
        if label:
            _sub(anchor, "text", label, x=_num(x0 + 4), y=BAND_TOP + BAND_HEIGHT / 2 + 4)
        # A faint rule carries the era's start down through the lanes, so a mark can be read
        # against the era it falls in.
        _sub(
            eras_group,
            "line",
            x1=_num(x0),
            x2=_num(x0),
            y1=BAND_TOP + BAND_HEIGHT,
            y2=height - BOTTOM,
            stroke="#c8c8c8",
            stroke_dasharray="2 3",
            aria_hidden="true",
        )

    axis = _sub(svg, "g", **{"class": "tl-axis", "aria-hidden": "true"})
    if scale.segments:
        _sub(
            axis,
            "line",
            x1=_num(scale.left),
            x2=_num(scale.right),
            y1=AXIS_Y,
            y2=AXIS_Y,
            stroke="currentColor",
        )
    for x, year, anchor in _year_ticks(scale, width):
        length = TICK_LENGTH if anchor else TICK_LENGTH / 2
        _sub(
            axis,
            "line",
            x1=_num(x),
            x2=_num(x),
            y1=AXIS_Y,
            y2=AXIS_Y + length,
            stroke="currentColor",
        )
        if anchor:
            _sub(
                axis,
                "text",
                str(year),
                x=_num(x),
                y=TICK_LABEL_Y,
                text_anchor=anchor,
                fill="currentColor",
                font_size=FONT_SIZE - 1,
            )

    marks = _sub(svg, "g", **{"class": "tl-dialogues"})
    for dialogue, (x0, x1, span), row in zip(shown_dialogues, extents, rows, strict=True):
        anchor = _link(
            marks,
            dialogue.get_absolute_url(),
            _tooltip(dialogue.title, dialogue.date_display),
            "tl-dialogue",
        )
        middle_y = LANES_TOP + row * ROW_HEIGHT + ROW_HEIGHT / 2
        if span:
            _sub(
                anchor,
                "rect",
                x=_num(x0),
                y=_num(middle_y - MARK_HEIGHT / 2),
                width=_num(x1 - x0),
                height=MARK_HEIGHT,
                rx=MARK_HEIGHT / 2,
                fill=MARK_FILL,
                fill_opacity="0.55",
                stroke=MARK_FILL,
                **{"class": "tl-mark tl-span"},
            )
        else:
            _sub(
                anchor,
                "circle",
                cx=_num((x0 + x1) / 2),
                cy=_num(middle_y),
                r=POINT_RADIUS,
                fill=MARK_FILL,
                **{"class": "tl-mark tl-point"},
            )

    return mark_safe(ET.tostring(svg, encoding="unicode"))
