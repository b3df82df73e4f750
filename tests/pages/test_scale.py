import datetime
from types import SimpleNamespace

import pytest

from dialogues.pages.scale import MIN_ERA_SHARE, Scale


def era(start, end):
    return SimpleNamespace(date_earliest=datetime.date(*start), date_latest=datetime.date(*end))


LONG = era((1975, 1, 1), (2005, 12, 31))
SHORT = era((2025, 1, 19), (2025, 3, 20))


def test_the_scale_runs_from_the_first_era_to_the_last_across_the_width():
    scale = Scale([SHORT, LONG], 10, 110)

    assert scale(LONG.date_earliest.toordinal()) == 10
    assert scale(SHORT.date_latest.toordinal() + 1) == pytest.approx(110)


def test_days_outside_the_eras_are_clamped_to_the_ends():
    scale = Scale([LONG], 0, 100)

    assert scale(datetime.date(1900, 1, 1).toordinal()) == 0
    assert scale(datetime.date(2100, 1, 1).toordinal()) == pytest.approx(100)


def test_a_short_era_gets_at_least_its_floor_share_of_the_axis():
    scale = Scale([LONG, SHORT], 0, 1000)

    x0, x1 = scale.day_span(SHORT.date_earliest, SHORT.date_latest)
    # Its floor is a share of the whole time span; the gap and the long era keep theirs.
    assert (x1 - x0) / 1000 >= MIN_ERA_SHARE / (1 + MIN_ERA_SHARE) - 1e-3


def test_later_days_never_map_to_smaller_x():
    scale = Scale([LONG, SHORT], 0, 1000)
    first, last = scale.first_day, scale.last_day
    xs = [scale(day) for day in range(first - 10, last + 10, 97)]

    assert xs == sorted(xs)


def test_no_eras_draw_nothing_but_the_left_edge():
    assert Scale([], 5, 50)(12345) == 5
