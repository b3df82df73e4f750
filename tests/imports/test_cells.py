import datetime

import pytest

from dialogues.imports import cells


@pytest.mark.parametrize(
    "text", ["plain", "two\nlines", "back\\slash", "a | b", "\\n literally", "crlf\r\nend"]
)
def test_escaped_text_comes_back_as_it_was(text):
    escaped = cells.escape(text)
    assert "\n" not in escaped
    assert cells.unescape(escaped) == text.replace("\r\n", "\n")


def test_the_last_field_keeps_further_separators():
    assert cells.split("memoir | 7 | one | two", 3) == ["memoir", "7", "one | two"]


def test_a_participation_line_reads_back_as_the_same_flags():
    line = cells.participation_line("ahmed", "participant", True, datetime.date(2031, 1, 1), True)
    assert line == "ahmed | participant | withheld, until 2031-01-01, side shown"
    slug, role, flags = cells.split(line, 3)
    assert cells.parse_flags(flags) == (True, datetime.date(2031, 1, 1), True)


@pytest.mark.parametrize("flags", ["secret", "until tomorrow", "withheld, loud"])
def test_an_unknown_flag_is_refused(flags):
    with pytest.raises(ValueError):
        cells.parse_flags(flags)
