"""CITATION.cff is valid Citation File Format 1.2.0; the text and BibTeX say the same.

`cff-1.2.0-schema.json` beside this file is the format's own JSON Schema, version 1.2.0
(citation-file-format/citation-file-format, `schema.json` at tag 1.2.0, CC-BY-4.0).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dialogues.releases import citation
from dialogues.releases.writer import make_release

SCHEMA = json.loads((Path(__file__).parent / "cff-1.2.0-schema.json").read_text())


@pytest.mark.parametrize("version", ["1.0.0", "2026.11", "10.2"])
def test_the_cff_is_valid_citation_file_format_1_2_0(version):
    data = yaml.safe_load(citation.cff_yaml(citation.cff(version, datetime.date(2026, 11, 29))))
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    # Read back as strings, not as a number or a date.
    assert data["version"] == version
    assert data["date-released"] == "2026-11-29"


def test_an_invalid_cff_would_be_caught():
    data = citation.cff("1.0.0", datetime.date(2026, 11, 29))
    del data["authors"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_the_release_writes_its_cff_and_keeps_it_in_the_manifest(releases_dir, hidden_archive):
    outcome = make_release("1.2.0", released=datetime.date(2027, 1, 5))
    data = yaml.safe_load((outcome.path / "CITATION.cff").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data == outcome.manifest["citation"]
    assert data["version"] == "1.2.0"
    assert data["date-released"] == "2027-01-05"


def test_the_text_and_bibtex_come_from_the_cff_data():
    data = citation.cff("2.0.1", datetime.date(2027, 3, 4))
    url = "https://archive.example.org/data/#v2.0.1"
    assert citation.text(data, url) == (
        "Track II Dialogue Archive (2027). Track II Dialogue Archive: data release 2.0.1 "
        "(Version 2.0.1) [Data set]. https://archive.example.org/data/#v2.0.1"
    )
    entry = citation.bibtex(data, url)
    assert entry.startswith("@misc{trackii-data-2-0-1,\n")
    assert "  version      = {2.0.1}," in entry
    assert "  date         = {2027-03-04}," in entry
    assert "  year         = {2027}," in entry
    assert "  url          = {https://archive.example.org/data/#v2.0.1}" in entry
    assert entry.count("{") == entry.count("}")
