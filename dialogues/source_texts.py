"""Check excerpts against the source texts: each must be verbatim in the paragraph it cites.

Paragraphs are the blank-line-separated blocks of a source's text file, counted from the block
that begins with the source's first words. Everything from there on counts, photo captions
and the author's closing lines included; only what comes before (headline, byline, the site's
own header) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .models import Citation, DisagreementCitation, Source
from .problems import (
    Problem,
    SourceTextError,
    citation_label,
    disagreement_citation_label,
    source_label,
)
from .problems import record_of as _record

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2026": "...",  # ellipsis
        "\u00ad": None,  # soft hyphen: invisible, only a line-break hint
    }
)

_BLANK_LINE = re.compile(r"\n[ \t\f\v\u00a0]*\n")


def normalise(text: str) -> str:
    """Fold typographic quotes, apostrophes and dashes to plain ones and collapse whitespace.

    Sources and editors type the same words with different quote marks and line breaks; those
    differences are not changes of wording, so excerpts are compared after this.
    """
    return " ".join(text.translate(_TYPOGRAPHY).split())


@dataclass(frozen=True)
class SourceText:
    """One text file from the sources folder, split into blank-line-separated blocks."""

    path: Path
    blocks: tuple[str, ...]  # normalised, in file order, empty blocks dropped

    @cached_property
    def folded(self) -> str:
        return " ".join(self.blocks).casefold()

    @cached_property
    def heading(self) -> str:
        return self.blocks[0].casefold() if self.blocks else ""

    def paragraphs(self, first_words: str) -> list[str] | None:
        """Return the paragraphs from the one that begins with `first_words`, or None.

        Whatever comes before it (headline, byline, page furniture) is not counted.
        """
        opening = normalise(first_words)
        if not opening:
            return None
        for index, block in enumerate(self.blocks):
            if block.startswith(opening):
                return list(self.blocks[index:])
        return None


def _split_blocks(text: str) -> tuple[str, ...]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (normalise(block) for block in _BLANK_LINE.split(text))
    return tuple(block for block in blocks if block)


def read_source_texts(folder: str | Path) -> list[SourceText]:
    """Read every .txt file in `folder`, or raise SourceTextError saying what is wrong."""
    if not str(folder).strip():
        raise SourceTextError("No folder was given; name the folder that holds the source texts.")
    folder = Path(folder)
    if not folder.exists():
        raise SourceTextError(f"The folder “{folder}” does not exist.")
    if not folder.is_dir():
        raise SourceTextError(f"“{folder}” is a file, not a folder.")
    try:
        # iterdir() raises on an unreadable folder where glob() would silently find nothing.
        paths = sorted(
            path for path in folder.iterdir() if path.suffix.lower() == ".txt" and path.is_file()
        )
    except OSError as exc:
        raise SourceTextError(f"The folder “{folder}” cannot be read: {exc.strerror}.") from exc
    if not paths:
        raise SourceTextError(
            f"The folder “{folder}” holds no .txt files; put each source text there as a "
            "plain UTF-8 text file."
        )
    texts = []
    for path in paths:
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceTextError(
                f"“{path}” is not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8."
            ) from exc
        except OSError as exc:
            raise SourceTextError(f"“{path}” cannot be read: {exc.strerror}.") from exc
        texts.append(SourceText(path, _split_blocks(raw)))
    return texts


def match_source_text(source: Source, texts: list[SourceText]) -> list[SourceText]:
    """Return the texts that could be `source`'s: those whose text contains its title.

    Essays may quote each other's titles, so when several contain it, those that carry it in
    their heading (the first block) win.
    """
    title = normalise(source.title).casefold()
    if not title:
        return []
    candidates = [text for text in texts if title in text.folded]
    if len(candidates) > 1:
        headed = [text for text in candidates if title in text.heading]
        candidates = headed or candidates
    return candidates


def check_source_texts(texts: list[SourceText]) -> list[Problem]:
    """Check every citation's excerpt against its source's cited paragraph in `texts`."""
    sources = list(Source.objects.order_by("slug"))
    citations = list(
        Citation.objects.select_related("dialogue", "source").order_by(
            "source__slug", "paragraph", "dialogue__slug", "pk"
        )
    )
    problems = []
    paragraphs_by_source: dict[int, list[str]] = {}
    for source in sources:
        candidates = match_source_text(source, texts)
        if not candidates:
            problems.append(
                Problem(
                    "source-text-missing",
                    source_label(source),
                    f"No text file contains the title “{source.title}”, so its excerpts "
                    "cannot be checked.",
                    _record(source),
                )
            )
            continue
        if len(candidates) > 1:
            names = ", ".join(text.path.name for text in candidates)
            problems.append(
                Problem(
                    "source-text-ambiguous",
                    source_label(source),
                    f"Several text files carry the title “{source.title}” in their heading "
                    f"({names}); keep only one.",
                    _record(source),
                )
            )
            continue
        text = candidates[0]
        paragraphs = text.paragraphs(source.first_words)
        if paragraphs is None:
            problems.append(
                Problem(
                    "first-words-missing",
                    source_label(source),
                    f"No paragraph of {text.path.name} begins with the first words "
                    f"“{source.first_words}”, so paragraphs cannot be counted.",
                    _record(source),
                )
            )
            continue
        paragraphs_by_source[source.pk] = paragraphs

    sides = DisagreementCitation.objects.select_related("disagreement", "source").order_by(
        "source__slug", "paragraph", "disagreement__slug", "key"
    )
    quoted = [(c, citation_label(c)) for c in citations]
    quoted += [(c, disagreement_citation_label(c)) for c in sides]
    for citation, label in quoted:
        paragraphs = paragraphs_by_source.get(citation.source_id)
        if paragraphs is None:
            continue  # the source's own problem is reported above
        problem = _check_excerpt(citation, paragraphs, label)
        if problem is not None:
            problems.append(problem)
    return problems


def _check_excerpt(citation, paragraphs: list[str], label: str) -> Problem | None:
    """Check one quoted passage (a citation, or one side of a disagreement)."""
    excerpt = normalise(citation.excerpt)
    if not excerpt:
        return None  # check_citations reports empty excerpts
    number = citation.paragraph
    if 1 <= number <= len(paragraphs) and excerpt in paragraphs[number - 1]:
        return None
    found_in = [i for i, paragraph in enumerate(paragraphs, start=1) if excerpt in paragraph]
    if found_in:
        noun = "paragraph" if len(found_in) == 1 else "paragraphs"
        elsewhere = f"It is in {noun} {', '.join(map(str, found_in))}."
    else:
        elsewhere = "It is not in any paragraph of the source."
    if not 1 <= number <= len(paragraphs):
        return Problem(
            "paragraph-missing",
            label,
            f"The source has paragraphs 1 to {len(paragraphs)}; there is no paragraph {number}. "
            + elsewhere,
            _record(citation),
        )
    if found_in:
        return Problem(
            "excerpt-wrong-paragraph",
            label,
            f"The excerpt is not in paragraph {number}. " + elsewhere,
            _record(citation),
        )
    return Problem(
        "excerpt-not-verbatim",
        label,
        f"The excerpt “{_shorten(citation.excerpt)}” is not verbatim in paragraph {number}. "
        + elsewhere,
        _record(citation),
    )


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
