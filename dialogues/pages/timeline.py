"""The timeline picture, drawn on the server as SVG, and the text alternative that goes with it.

Eras are bands across a time axis; each dialogue is a mark on a lane below, at the days it may
fall in. This module computes where everything goes; the template `dialogues/_timeline_svg.html`
draws it, so every name and title is escaped by Django's autoescaping like any other page text.
The SVG holds no script and loads nothing from elsewhere.

Time runs the way the page reads: left to right in English, right to left in Hebrew and Arabic
(earliest at the right), on the page and in the downloaded figure alike. The drawing is laid
out left to right and then mirrored (`_mirrored`), and the SVG carries the page's `direction`,
so text anchored at its start grows away from the band or tick it names in either direction.
The text alternative keeps chronological order in every language.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .. import dates, record_text
from ..models.translations import translation as translated_text
from .scale import Scale

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
# A conservative average advance for a sans-serif face; the server cannot measure text, so an
# era's name is written in its band only when it fits whole by this estimate. Every band carries
# its number, and the legend under the lanes gives each number its full name: no name is cut.
CHAR_WIDTH = 0.62 * FONT_SIZE
LABEL_SPACING = 8
LEGEND_LINE = 16


# --- What is drawn ------------------------------------------------------------------------


def _drawable(record) -> bool:
    earliest = getattr(record, "date_earliest", None)
    latest = getattr(record, "date_latest", None)
    return earliest is not None and latest is not None and earliest <= latest


def _grouped(eras, dialogues) -> list[tuple[object, list]]:
    """Pair each era with its dialogues, keeping the order they come in.

    The dialogues come in chronological order (`Dialogue.objects.chronological()`), sorted by
    the database; sorting them again here would put titles in Python's order, not the
    database's collation, and the timeline could then disagree with the list.

    Both the picture and the text alternative are built from this one list, so they always
    show the same records: eras and dialogues without readable dates, and dialogues of eras
    that were not passed in, are left out of both.
    """
    shown = [era for era in eras if _drawable(era)]
    by_era: dict[object, list] = {era.pk: [] for era in shown}
    for dialogue in dialogues:
        if _drawable(dialogue) and dialogue.era_id in by_era:
            by_era[dialogue.era_id].append(dialogue)
    return [(era, by_era[era.pk]) for era in shown]


def is_span(dialogue) -> bool:
    """Tell whether a dialogue's date is drawn as a span rather than a point.

    A date is a point only when it names one day (or the two days its bounds may straddle)
    without any EDTF qualifier or interval.
    """
    if (dialogue.date_latest - dialogue.date_earliest).days > 1:
        return True
    return any(char in (dialogue.date or "") for char in "~?%/")


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


# --- Geometry -----------------------------------------------------------------------------
#
# Coordinates are rounded to a tenth of a unit, which is finer than a pixel at any width the
# page is drawn at, and whole numbers lose their ".0", so the markup stays short.


def _rounded(value: float) -> float:
    value = round(value, 1)
    return int(value) if value == int(value) else value


@dataclass(frozen=True)
class EraBand:
    """An era's band across the top, a link to its page, with its start carried down as a rule."""

    href: str
    tooltip: str
    x: float
    width: float
    number: int  # the era's number in the legend, written in every band
    label: str  # "1 Name" when the whole name fits the band, else just the number
    label_x: float
    start_x: float  # where the era begins: its left edge, or its right edge right to left


@dataclass(frozen=True)
class Tick:
    """A 1 January on the axis; only some are labelled, so labels do not collide."""

    x: float
    year: int
    anchor: str | None  # the label's text-anchor, or None when the tick is unlabelled
    bottom: float


@dataclass(frozen=True)
class DialogueMark:
    """A dialogue's mark: a bar across its span (`is_span`) or a dot on its day."""

    href: str
    tooltip: str
    is_span: bool
    x: float  # the bar's left edge (its start left to right, its end right to left)
    y: float  # the bar's top edge
    width: float
    cx: float  # the dot's centre
    cy: float


@dataclass(frozen=True)
class TimelineDrawing:
    """Everything the SVG template needs: sizes, names for assistive technology and shapes."""

    width: float
    height: float
    title_id: str
    title: str
    desc_id: str
    desc: str
    bands: list[EraBand]
    axis: tuple[float, float] | None  # the axis line's left and right ends, if there is one
    ticks: list[Tick]
    marks: list[DialogueMark]
    legend: list[tuple[float, str]]  # (y, "1  Name") for each band, under the lanes
    lanes_bottom: float
    tick_step: int = 1
    direction: str = "ltr"  # the way time runs, and the SVG's text direction
    # Fixed positions, named here so that the template holds no arithmetic.
    band_top: int = BAND_TOP
    band_height: int = BAND_HEIGHT
    band_label_y: float = BAND_TOP + BAND_HEIGHT / 2 + 4
    rule_top: int = BAND_TOP + BAND_HEIGHT
    axis_y: int = AXIS_Y
    tick_label_y: int = TICK_LABEL_Y
    font_size: int = FONT_SIZE
    tick_font_size: int = FONT_SIZE - 1
    mark_height: int = MARK_HEIGHT
    mark_rx: float = MARK_HEIGHT / 2
    point_radius: int = POINT_RADIUS
    legend_x: int = MARGIN

    @property
    def rule_bottom(self) -> float:
        return self.lanes_bottom


def in_page_language(record, field: str) -> str:
    """A record's words in the page's language: the archive's translation where there is one,
    else the English (the picture's text is drawn, so it cannot carry a `lang` per word)."""
    return translated_text(record, field, translation.get_language()) or getattr(record, field)


def _tooltip(name: str, when: str) -> str:
    return f"{name} ({when})"


def _when(record) -> str:
    """The record's date in words in the page's language (stored in English)."""
    return record.date_display if record_text.is_english() else dates.display_localized(record.date)


def _fit(number: int, name: str, width: float) -> str:
    """The band's label: its number and whole name if both fit, else the number alone.

    A name is never shortened: the legend and the link's title give it whole.
    """
    full = f"{number} {name}"
    return full if len(full) * CHAR_WIDTH <= width else str(number)


def tick_step(first_year: int, last_year: int) -> int:
    """Label every year over a short span, every 5 years up to 40, else every 10."""
    span = last_year - first_year
    if span <= 8:
        return 1
    return 5 if span <= 40 else 10


def _mark_extent(dialogue, scale: Scale) -> tuple[float, float, bool]:
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


def _year_ticks(scale: Scale, width: float, step: int) -> list[tuple[float, int, str | None]]:
    """Return (x, year, text-anchor or None when unlabelled) for each 1 January on the axis.

    Only round years (multiples of `step`) are labelled, each only where it clears the label
    before, since the scale packs some years far closer together than others. Labels at the
    edges are anchored inwards so they are not cut off.
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
        if year % step:
            anchor = None
        elif previous_right is None or left >= previous_right + LABEL_SPACING:
            previous_right = left + label_width
        else:
            anchor = None
        ticks.append((x, year, anchor))
    return ticks


def _era_band(number: int, era, scale: Scale) -> EraBand:
    x0, x1 = scale.day_span(era.date_earliest, era.date_latest)
    return EraBand(
        href=era.get_absolute_url(),
        tooltip=_tooltip(in_page_language(era, "name"), _when(era)),
        x=_rounded(x0),
        width=_rounded(x1 - x0),
        number=number,
        label=_fit(number, in_page_language(era, "name"), x1 - x0 - 8),
        label_x=_rounded(x0 + 4),
        start_x=_rounded(x0),
    )


def _dialogue_mark(dialogue, extent: tuple[float, float, bool], row: int) -> DialogueMark:
    x0, x1, span = extent
    middle_y = LANES_TOP + row * ROW_HEIGHT + ROW_HEIGHT / 2
    return DialogueMark(
        href=dialogue.get_absolute_url(),
        tooltip=_tooltip(in_page_language(dialogue, "title"), _when(dialogue)),
        is_span=span,
        x=_rounded(x0),
        y=_rounded(middle_y - MARK_HEIGHT / 2),
        width=_rounded(x1 - x0),
        cx=_rounded((x0 + x1) / 2),
        cy=_rounded(middle_y),
    )


def _span_words(eras) -> str:
    if not eras:
        return ""
    first_year = min(era.date_earliest for era in eras).year
    last_year = max(era.date_latest for era in eras).year
    return f", {first_year}–{last_year}" if first_year != last_year else f", {first_year}"


def _mirrored(drawing: TimelineDrawing) -> TimelineDrawing:
    """The same drawing with time running right to left: every x reflected across the middle.

    Text anchors stay as they are: under `direction="rtl"` an anchor at the start grows leftwards,
    which is the reflection of what it did left to right.
    """
    width = drawing.width

    def flip(x):
        return _rounded(width - x)

    return replace(
        drawing,
        direction="rtl",
        legend_x=flip(drawing.legend_x),
        axis=(flip(drawing.axis[1]), flip(drawing.axis[0])) if drawing.axis else None,
        bands=[
            replace(
                band,
                x=flip(band.x + band.width),
                label_x=flip(band.label_x),
                start_x=flip(band.start_x),
            )
            for band in drawing.bands
        ],
        ticks=[replace(tick, x=flip(tick.x)) for tick in drawing.ticks],
        marks=[
            replace(mark, x=flip(mark.x + mark.width), cx=flip(mark.cx)) for mark in drawing.marks
        ],
    )


def timeline_drawing(
    eras, dialogues, *, width=1000, id_prefix="timeline", first_number=1, rtl=None
) -> TimelineDrawing:
    """Place the eras as bands and the dialogues as marks below them, in lanes that never overlap.

    `dialogues` come in chronological order. `width` sets the coordinate system; the SVG itself
    scales to its container. `id_prefix` keeps the ids of the title and description unique if a
    page holds more than one timeline. `rtl` runs time right to left; by default it follows the
    active language's direction.
    """
    if rtl is None:
        rtl = translation.get_language_bidi()
    groups = _grouped(eras, dialogues)
    shown_eras = [era for era, _ in groups]
    shown_dialogues = [dialogue for _, era_dialogues in groups for dialogue in era_dialogues]
    scale = Scale(shown_eras, MARGIN, width - MARGIN)

    extents = [_mark_extent(dialogue, scale) for dialogue in shown_dialogues]
    rows = _rows([(x0, x1) for x0, x1, _ in extents])
    row_count = max(rows, default=-1) + 1
    lanes_bottom = LANES_TOP + max(row_count, 1) * ROW_HEIGHT
    legend = [
        (
            lanes_bottom + LEGEND_LINE * (n + 1),
            f"{number}  {in_page_language(era, 'name')} ({_when(era)})",
        )
        for n, (number, era) in enumerate(enumerate(shown_eras, start=first_number))
    ]
    step = (
        tick_step(shown_eras[0].date_earliest.year, shown_eras[-1].date_latest.year)
        if shown_eras
        else 1
    )
    drawing = TimelineDrawing(
        width=_rounded(width),
        height=lanes_bottom + LEGEND_LINE * len(legend) + BOTTOM + (6 if legend else 0),
        title_id=f"{id_prefix}-title",
        title=gettext("Timeline of Track II dialogues") + _span_words(shown_eras),
        desc_id=f"{id_prefix}-desc",
        desc=(
            gettext(
                "%(eras)s eras shown as bands across a time axis, and %(dialogues)s dialogues "
                "shown as marks below them: a dot for a dialogue dated to a day, a bar across the "
                "whole span for an uncertain or longer date. Each era is given at least a minimum "
                "width, so the axis is not to one scale. Eras are numbered in order; the legend "
                "under the marks names each number."
            )
            % {"eras": len(shown_eras), "dialogues": len(shown_dialogues)}
        ),
        bands=[_era_band(n, era, scale) for n, era in enumerate(shown_eras, start=first_number)],
        legend=legend,
        lanes_bottom=lanes_bottom,
        tick_step=step,
        axis=(_rounded(scale.left), _rounded(scale.right)) if scale.segments else None,
        ticks=[
            Tick(
                x=_rounded(x),
                year=year,
                anchor=anchor,
                bottom=AXIS_Y + (TICK_LENGTH if anchor else TICK_LENGTH / 2),
            )
            for x, year, anchor in _year_ticks(scale, width, step)
        ],
        marks=[
            _dialogue_mark(dialogue, extent, row)
            for dialogue, extent, row in zip(shown_dialogues, extents, rows, strict=True)
        ],
    )
    return _mirrored(drawing) if rtl else drawing


def timeline_svg(
    eras, dialogues, *, width=1000, id_prefix="timeline", first_number=1
) -> SafeString:
    """Draw the eras as bands and the dialogues as marks below them, every one a link.

    `first_number` is the first band's number, so one era drawn alone keeps its number."""
    drawing = timeline_drawing(
        eras, dialogues, width=width, id_prefix=id_prefix, first_number=first_number
    )
    # Stripped of the newline that ends the template file, so the page's markup is unchanged.
    return mark_safe(
        render_to_string("dialogues/_timeline_svg.html", {"timeline": drawing}).strip()
    )
