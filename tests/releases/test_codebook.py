"""The codebook names every table, field and vocabulary value, and the archive's conventions."""

from __future__ import annotations

from bs4 import BeautifulSoup

from dialogues.releases import codebook
from dialogues.releases.schema import TABLES, table_schema


def test_every_field_and_every_vocabulary_value_with_its_label():
    text = codebook.markdown("1.0.0", "2026-11-29")
    for table in TABLES:
        assert f"`{table.path}`" in text
        for descriptor in table_schema(table)["fields"]:
            assert f"| `{descriptor['name']}` | {descriptor['type']} |" in text
            for category in descriptor.get("categories", []):
                assert f"| `{category['value']}` | {category['label']} |" in text


def test_the_conventions_are_explained():
    text = codebook.markdown("1.0.0", "2026-11-29")
    assert "### Uncertain dates" in text
    assert "`1976~`" in text and "either side" in text
    assert "### Paragraphs" in text
    assert "photo captions" in text
    assert "A participant whose name is withheld" in text


def test_the_html_codebook_has_the_same_tables():
    text = codebook.markdown("1.0.0", "2026-11-29")
    soup = BeautifulSoup(codebook.html(text, "1.0.0"), "html.parser")
    assert soup.html["lang"] == "en"
    headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
    for table in TABLES:
        assert table.title in headings
    # One table of contents, one table of fields per table, and the vocabularies.
    assert len(soup.find_all("table")) > len(TABLES) + 1
    assert not soup.find_all("script")


def test_the_codebook_says_formula_like_cells_are_kept_as_stored():
    text = codebook.markdown("1.0.0", "2026-11-29")
    assert "### Cells that start with =, +, - or @" in text
    assert "exactly as stored" in text and "with a `'` in front instead" in text
