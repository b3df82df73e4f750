import datetime

import pytest

from dialogues import dates

D = datetime.date


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest", "words"),
    [
        ("1976~", D(1975, 1, 1), D(1977, 12, 31), "c. 1976"),
        ("2006?", D(2005, 1, 1), D(2007, 12, 31), "2006?"),
        ("1976%", D(1974, 1, 1), D(1978, 12, 31), "c. 1976?"),
        ("1992/1993", D(1992, 1, 1), D(1993, 12, 31), "1992–1993"),
        ("2000-07", D(2000, 7, 1), D(2000, 7, 31), "July 2000"),
        ("2025-03-18", D(2025, 3, 18), D(2025, 3, 18), "18 March 2025"),
        ("2025-03-18/2025-03-20", D(2025, 3, 18), D(2025, 3, 20), "18–20 March 2025"),
        ("2000-07/2000-09", D(2000, 7, 1), D(2000, 9, 30), "July–September 2000"),
        ("2000-07/2002", D(2000, 7, 1), D(2002, 12, 31), "July 2000 – 2002"),
        ("2004~/2005", D(2003, 1, 1), D(2005, 12, 31), "c. 2004–2005"),
        ("198X", D(1980, 1, 1), D(1989, 12, 31), "1980s"),
        ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), "29 February 2024"),
    ],
)
def test_parse_gives_bounds_and_words(edtf, earliest, latest, words):
    bounds = dates.parse(edtf)
    assert (bounds.earliest, bounds.latest, bounds.display) == (earliest, latest, words)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "abc",
        "1976-13",
        "2023-02-29",
        "2000/1990",
        "../2025",
        "1976~~",
        "x" * 500,
        "c. 1976",
    ],
)
def test_invalid_strings_raise_invalid_date(bad):
    with pytest.raises(dates.InvalidDate):
        dates.parse(bad)


def test_invalid_message_names_field_and_shows_examples():
    message = dates.invalid_message("sometime", "Date")
    assert message.startswith("Date:")
    assert "sometime" in message
    for example, _meaning in dates.EXAMPLES:
        assert example in message


def test_display_falls_back_to_the_raw_string_when_invalid():
    assert dates.display("not a date") == "not a date"


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("1995", False, D(1995, 1, 1)),
        ("1995", True, D(1995, 12, 31)),
        ("1995-06-02", False, D(1995, 6, 2)),
        ("1995-06-02", True, D(1995, 6, 2)),
    ],
)
def test_parse_bound_reads_years_and_iso_dates(value, end, expected):
    assert dates.parse_bound(value, end=end) == expected


@pytest.mark.parametrize("bad", ["abc", "95", "1995-13-01", "", "1995/1996"])
def test_parse_bound_refuses_other_input(bad):
    with pytest.raises(dates.InvalidDate):
        dates.parse_bound(bad, end=False)
