"""The limits of a run's size and batches, and the checks that turn input into valid values.

Each check raises ValueError with a message saying what is accepted, so that the command can
show it as it is.
"""

from __future__ import annotations

MIN_DIALOGUES, MAX_DIALOGUES = 1, 10_000_000
MIN_BATCH_SIZE, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE = 100, 100_000, 5_000


def _whole_number(value) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise ValueError(value)


def check_dialogues(value) -> int:
    """Return the number of dialogues asked for, or raise ValueError saying what is accepted."""
    try:
        number = _whole_number(value)
    except ValueError:
        number = None
    if number is None or not MIN_DIALOGUES <= number <= MAX_DIALOGUES:
        raise ValueError(
            f"expected a whole number of dialogues from {MIN_DIALOGUES:,} to {MAX_DIALOGUES:,}, "
            f"not “{value}”"
        )
    return number


def check_seed(value) -> int:
    """Return the seed as an integer, or raise ValueError saying what is accepted."""
    try:
        return _whole_number(value)
    except ValueError:
        raise ValueError(f"expected a whole number such as 1 or 42, not “{value}”") from None


def check_batch_size(value) -> int:
    """Return the batch size, or raise ValueError saying what is accepted."""
    try:
        number = _whole_number(value)
    except ValueError:
        number = None
    if number is None or not MIN_BATCH_SIZE <= number <= MAX_BATCH_SIZE:
        raise ValueError(
            f"expected a whole number of rows from {MIN_BATCH_SIZE:,} to {MAX_BATCH_SIZE:,}, "
            f"not “{value}”"
        )
    return number
