"""How to cite a release: its CITATION.cff (Citation File Format 1.2.0), a sentence and BibTeX.

One dictionary, `cff(...)`, is written to the release's CITATION.cff and kept in its manifest;
the `/data/` page makes its citation text and BibTeX from the manifest's copy, so the three
always say the same.
"""

from __future__ import annotations

import datetime
import re

import yaml

from ..citations import _bibtex_title, _bibtex_url, bibtex_escape

ARCHIVE_NAME = "Track II Dialogue Archive"
ABSTRACT = (
    "Records of Track II dialogues: informal, unofficial meetings between people from "
    "conflicting sides. Every record cites the passages of the sources it rests on, and every "
    "date keeps its uncertainty (EDTF). This release holds the published records only."
)


def title(version: str) -> str:
    return f"{ARCHIVE_NAME}: data release {version}"


def cff(version: str, released: datetime.date) -> dict:
    """The release's citation metadata, as CITATION.cff holds it."""
    return {
        "cff-version": "1.2.0",
        "message": "If you use this data, please cite this release as below.",
        "type": "dataset",
        "title": title(version),
        "version": version,
        "date-released": released.isoformat(),
        "authors": [{"name": ARCHIVE_NAME}],
        "abstract": ABSTRACT,
        "keywords": ["Track II diplomacy", "dialogue", "peace process", "EDTF"],
    }


def cff_yaml(data: dict) -> str:
    # The date is written as a quoted string: CFF's schema reads `date-released` as a string.
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def text(data: dict, url: str) -> str:
    """The release as a sentence: author, year, title, version, address."""
    year = data["date-released"][:4]
    author = data["authors"][0]["name"]
    return f"{author} ({year}). {data['title']} (Version {data['version']}) [Data set]. {url}"


def bibtex_key(data: dict) -> str:
    return "trackii-data-" + re.sub(r"[^0-9]+", "-", data["version"])


def bibtex(data: dict, url: str) -> str:
    """A BibTeX `@misc` entry for the release (biblatex reads `version` and `date`)."""
    fields = [
        ("title", _bibtex_title(data["title"])),
        ("author", "{" + bibtex_escape(data["authors"][0]["name"]) + "}"),
        ("year", data["date-released"][:4]),
        ("date", data["date-released"]),
        ("version", bibtex_escape(data["version"])),
        ("publisher", bibtex_escape(ARCHIVE_NAME)),
        ("howpublished", "Data set"),
        ("url", _bibtex_url(url)),
    ]
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(data)},\n{body}\n}}\n"
