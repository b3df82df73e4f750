import pytest

from dialogues import dates
from dialogues.imports.dates import bounds

FORMS = [
    "1976",
    "1976-02",
    "2000-02",
    "1900-02",
    "2024-02-29",
    "2023-02-29",
    "1993-12-31",
    "1992/1993",
    "2000-07/2001-03",
    "2025-03-18/2025-03-20",
    "2000-07/2000-09",
    "1976~",
    "2006?",
    "1990%",
    "1999/1998",
    "0000",
    "1993-13",
    " 1995 ",
    "199X",
]


@pytest.mark.parametrize("text", FORMS)
def test_bounds_agree_with_the_parser(text):
    try:
        expected = dates.parse(text)
    except dates.InvalidDate:
        with pytest.raises(dates.InvalidDate):
            bounds(text)
        return
    assert bounds(text) == expected
