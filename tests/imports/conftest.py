import csv
import io
from types import SimpleNamespace

import pytest

from dialogues.api.exports import CSV_COLUMNS

from ..factories import make_conflict, make_era, make_participant, make_source


@pytest.fixture
def world(db):
    """What an imported row may name: two eras, a conflict, two sources, two participants."""
    return SimpleNamespace(
        nineties=make_era(slug="nineties", name="The nineties", date="1990/1999", position=1),
        noughties=make_era(slug="noughties", name="The noughties", date="2000/2009", position=2),
        conflict=make_conflict(slug="levant", name="Levant"),
        memoir=make_source(slug="memoir", title="Memoir"),
        essay=make_source(slug="essay", title="Essay"),
        yair=make_participant(slug="yair", name="Yair"),
        ahmed=make_participant(slug="ahmed", name="Ahmed", side="palestinian"),
    )


@pytest.fixture
def good_row():
    """A valid row for `world`, by column."""
    return {
        "slug": "",
        "title": "Talks in Oslo",
        "date_edtf": "1993-01",
        "era_slug": "nineties",
        "conflict_slug": "levant",
        "place": "Oslo",
        "venue_kind_code": "private",
        "track_code": "track_ii",
        "summary": "Academics met in secret.",
        "participant_list": "yair | organiser\nahmed | participant | withheld, side shown",
        "outcome_list": "became_official | It led to the Declaration of Principles.",
        "citation_list": "memoir | 7 | We met at a farmhouse near Oslo",
    }


def csv_bytes(*rows: dict, columns=CSV_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def to_csv():
    return csv_bytes
