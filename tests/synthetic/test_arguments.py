"""The checks on a run's size, seed and batch size, called directly."""

from __future__ import annotations

import pytest

from synthetic import arguments


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (arguments.check_dialogues, "1", 1),
        (arguments.check_dialogues, " +250 ", 250),
        (arguments.check_dialogues, 10_000_000, 10_000_000),
        (arguments.check_seed, "-3", -3),
        (arguments.check_seed, 0, 0),
        (arguments.check_batch_size, "100", 100),
        (arguments.check_batch_size, 100_000, 100_000),
    ],
)
def test_whole_numbers_in_range_are_accepted(check, value, expected):
    assert check(value) == expected


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (arguments.check_dialogues, 0, "from 1 to 10,000,000, not “0”"),
        (arguments.check_dialogues, True, "from 1 to 10,000,000, not “True”"),
        (arguments.check_dialogues, 2.0, "from 1 to 10,000,000"),
        (arguments.check_seed, "1e3", "such as 1 or 42, not “1e3”"),
        (arguments.check_seed, None, "such as 1 or 42"),
        (arguments.check_batch_size, 99, "from 100 to 100,000, not “99”"),
        (arguments.check_batch_size, "lots", "from 100 to 100,000"),
    ],
)
def test_other_values_are_refused_saying_what_is_accepted(check, value, message):
    with pytest.raises(ValueError, match=message):
        check(value)
