"""Long commands say on stderr what is done, what is left and about how long: each step's
line has that shape, the last says 100%, and --verbosity 0 says nothing."""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.core.management import call_command

from dialogues import caching
from dialogues.listing import facet_index
from tests.synthetic.helpers import empty_archive

building = importlib.import_module("dialogues.listing.facet_index.build")

# "stage 3/9 [=======             ]  33% 0.2s, 6 left, about 0.4s more"
LINE = re.compile(
    r"^(?P<stage>[A-Za-z ]+) (?P<done>[\d,]+)/(?P<total>[\d,]+) \[[= ]{20}\] +(?P<share>\d+)% "
    r"\d+\.\ds(?:, (?P<left>[\d,]+) left(?:, about \d+\.\ds more)?)?$"
)


def lines_of(stage: str, text: str) -> list[re.Match]:
    assert "\r" not in text  # not a terminal: whole lines only
    matches = [LINE.match(line) for line in text.splitlines()]
    assert all(matches), text
    found = [match for match in matches if match["stage"] == stage]
    assert found, f"no {stage!r} line in {text!r}"
    return found


def assert_counts_down(found: list[re.Match]) -> None:
    number = lambda text: int(text.replace(",", ""))  # noqa: E731
    total = number(found[0]["total"])
    assert number(found[0]["done"]) == 0 and number(found[0]["left"]) == total
    assert found[-1]["share"] == "100" and found[-1]["left"] is None
    for match in found[:-1]:
        assert number(match["left"]) == total - number(match["done"])
    # Between the first line and the last, the estimate of the time left.
    assert all(", about " in match.string for match in found[1:-1])


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_generate_synthetic_shows_the_search_index_s_progress(monkeypatch):
    from synthetic import writer

    monkeypatch.setattr(writer, "INDEX_BATCH", 40)
    _, err = run("generate_synthetic", "--dialogues", "150", "--seed", "3")
    found = lines_of("search index", err)
    assert found[0]["total"] == "150"
    assert_counts_down(found)
    # The other stages say what is left too.
    assert_counts_down(lines_of("dialogues", err))
    empty_archive()
    _, err = run("generate_synthetic", "--dialogues", "20", "--seed", "3", "--verbosity", "0")
    assert err == ""


@pytest.mark.django_db
def test_build_facet_index_shows_its_steps():
    call_command("generate_synthetic", "--dialogues", "60", "--seed", "3", "--quiet")
    caching.start_request()
    try:
        _, err = run("build_facet_index")
        found = lines_of("facet index steps", err)
        assert_counts_down(found)
        assert found[-1]["done"] == found[-1]["total"] == str(building.STEPS)
        facet_index.forget()
        _, err = run("build_facet_index", "--verbosity", "0")
        assert err == ""
        # The command's reporter is gone once it ends: a later build says nothing anywhere.
        facet_index.forget()
        assert facet_index.build() is not None
    finally:
        facet_index.forget()


@pytest.mark.django_db
def test_make_release_shows_its_steps(tmp_path, settings):
    settings.TRACKII_RELEASES_DIR = tmp_path / "releases"
    call_command("generate_synthetic", "--dialogues", "30", "--seed", "3", "--quiet")
    _, err = run("make_release", "1.0.0")
    found = lines_of("release steps", err)
    assert_counts_down(found)
    _, err = run("make_release", "1.1.0", "--verbosity", "0")
    assert err == ""
