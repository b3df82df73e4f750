"""Our stylesheets are written in logical properties, so one stylesheet serves both directions.

A Hebrew or Arabic page is the English page mirrored: what starts at the left in English starts
at the right. `margin-left`, `float: right` or a four-value `padding` whose left and right differ
would stay where they are and break the mirror, so the test parses every stylesheet of ours with a
real CSS parser (tinycss2) and refuses, in every rule, at-rule and media query:

- a property whose name says left or right (`margin-left`, `border-right`, `left`, `right`,
  `border-top-left-radius`, …): use `margin-inline-start`, `inset-inline-end`, …;
- the keywords `left` and `right` in any value (`float`, `clear`, `text-align`,
  `background-position`, `linear-gradient(to right …)`, …): use `inline-start`, `start`, `end`;
- a box shorthand (`margin`, `padding`, `inset`, `border-width`, …) whose left and right values
  differ, and a `border-radius` whose left and right corners differ;
- a shadow thrown sideways (a `box-shadow` with a horizontal offset), which draws a stripe on one
  physical side.

Top and bottom stay as they are: the block direction is the same in all three languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2
from django.conf import settings

SIDES = {"left", "right"}
BOX_SHORTHANDS = {
    "margin",
    "padding",
    "inset",
    "border-width",
    "border-style",
    "border-color",
    "scroll-margin",
    "scroll-padding",
}
# At-rules whose block holds rules rather than declarations.
NESTING_AT_RULES = {"media", "supports", "layer", "container", "document", "scope"}


def _stylesheets() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "static").rglob("*.css"))


def _values(tokens) -> list[str]:
    """The value's components, as text, without whitespace, comments or `!important`."""
    return [
        tinycss2.serialize([token]).strip()
        for token in tokens
        if token.type not in ("whitespace", "comment")
    ]


def _idents(tokens):
    """Every identifier in a value, including those inside functions (`to right`)."""
    for token in tokens:
        if token.type == "ident":
            yield token.lower_value
        elif token.type in ("function", "() block", "[] block"):
            yield from _idents(token.arguments if token.type == "function" else token.content)


def _split_commas(tokens) -> list[list]:
    parts: list[list] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _corners(values: list[str]) -> tuple[str, str, str, str]:
    """Top-left, top-right, bottom-right and bottom-left of a `border-radius` (before any /)."""
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return values[0], values[1], values[0], values[1]
    if len(values) == 3:
        return values[0], values[1], values[2], values[1]
    return tuple(values[:4])


def _problem(name: str, tokens) -> str | None:
    """Why a declaration is physical in the inline direction, or None when it is not."""
    if SIDES & set(name.split("-")):
        return f"the property {name} names a side"
    found = SIDES & set(_idents(tokens))
    if found:
        return f"the value of {name} names {', '.join(sorted(found))}"
    values = _values(tokens)
    if name in BOX_SHORTHANDS and len(values) == 4 and values[1] != values[3]:
        return f"{name} gives the right ({values[1]}) and the left ({values[3]}) different values"
    if name == "border-radius":
        horizontal = values[: values.index("/")] if "/" in values else values
        vertical = values[values.index("/") + 1 :] if "/" in values else []
        for radii in (horizontal, vertical):
            if radii:
                top_left, top_right, bottom_right, bottom_left = _corners(radii)
                if top_left != top_right or bottom_left != bottom_right:
                    return "border-radius rounds the left and right corners differently"
    if name == "box-shadow":
        for shadow in _split_commas(tokens):
            offsets = [t for t in shadow if t.type in ("number", "dimension")]
            if offsets and offsets[0].value != 0:
                return "box-shadow throws a shadow to one side"
    return None


def _declarations(rules, where: str):
    """Yield (place, name, value tokens) for every declaration in `rules`, at any depth."""
    for rule in rules:
        if rule.type == "qualified-rule":
            place = f"{where}{tinycss2.serialize(rule.prelude).strip()}"
            content = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True)
            for item in content:
                if item.type == "declaration":
                    yield place, item.lower_name, item.value
                elif item.type == "qualified-rule":  # CSS nesting
                    yield from _declarations([item], f"{place} ")
        elif rule.type == "at-rule" and rule.content is not None:
            place = f"{where}@{rule.lower_at_keyword}{tinycss2.serialize(rule.prelude)}"
            if rule.lower_at_keyword in NESTING_AT_RULES:
                inner = tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True
                )
                yield from _declarations(inner, f"{place.strip()} ")
            else:  # @page, @font-face and the like hold declarations
                for item in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True):
                    if item.type == "declaration":
                        yield place.strip(), item.lower_name, item.value


def physical_declarations(css: str) -> list[str]:
    """Every declaration of `css` that is tied to the physical left or right, described."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    errors = [rule for rule in rules if rule.type == "error"]
    assert not errors, f"the stylesheet does not parse: {errors}"
    return [
        f"{place} {{ {name}: {tinycss2.serialize(tokens).strip()} }}: {why}"
        for place, name, tokens in _declarations(rules, "")
        if (why := _problem(name, tokens))
    ]


def test_the_stylesheets_are_found():
    names = {path.name for path in _stylesheets()}
    assert {"site.css", "admin.css"} <= names


@pytest.mark.parametrize("path", _stylesheets(), ids=lambda path: path.name)
def test_no_physical_left_or_right_in_our_stylesheets(path):
    found = physical_declarations(path.read_text(encoding="utf-8"))
    assert not found, "Use logical properties (inline-start/end):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-left: 1rem }",
        "a { padding-right: 0 }",
        ".x { position: absolute; left: 0 }",
        "@media (min-width: 60rem) { .s { border-left: 1px solid red } }",
        "@media print { @supports (display: grid) { .s { float: right } } }",
        "p { text-align: left }",
        "p { clear: left !important }",
        "p { background: linear-gradient(to right, red, blue) }",
        "p { padding: 0.1rem 0 0.1rem 1rem }",
        "p { margin: 0 1px 0 2px }",
        "p { border-radius: 4px 0 0 4px }",
        "p { border-radius: 4px 0 }",
        "p { box-shadow: inset 3px 0 0 red }",
        "p { border-top-left-radius: 2px }",
        "@page { margin-left: 1cm }",
    ],
)
def test_the_check_finds_physical_declarations(css):
    assert physical_declarations(css), css


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-inline-start: 1rem; padding-inline: 2rem 0; inset-inline-start: 0 }",
        "p { text-align: start; float: inline-end; clear: inline-start }",
        "p { padding: 0.1rem 1rem 0.2rem; margin: 0 auto; border-radius: 999px }",
        "p { padding: 1px 2px 3px 2px; top: 0; bottom: 1px }",
        "p { box-shadow: 0 1px 2px red; border-inline-start: 3px solid red }",
        "[dir=rtl] .arrow { transform: scaleX(-1) }",
        "/* margin-left in a comment */ p { content: 'left' }",
    ],
)
def test_the_check_lets_logical_declarations_pass(css):
    assert not physical_declarations(css), css
