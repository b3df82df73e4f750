"""Counts written in the page's language: grouped the way its locale groups thousands."""

from django.utils import formats


def number_format(value) -> str:
    """A whole number with its thousands grouped in the active language ("1,234" in English)."""
    return formats.number_format(value, decimal_pos=0, force_grouping=True)
