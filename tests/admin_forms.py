"""Reading and filling the admin's forms as a browser does, shared by the admin's test modules.

Field names, initial values, the inline management forms and their empty template rows are
read from the page, and what a browser would send is posted back.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.models import Citation, Dialogue, Outcome, OutcomeKind, Participation, Role

EDITORS = "Editors"


# --- Reading and filling admin forms as a browser does --------------------------------------


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def browser_data(form, *, templates: bool = False) -> dict[str, str]:
    """What a browser submits for `form` untouched; the inlines' `__prefix__` rows only if asked."""
    data = {}
    for tag in form.find_all(["input", "select", "textarea"]):
        name = tag.get("name")
        if not name or tag.has_attr("disabled") or (("__prefix__" in name) != templates):
            continue
        if tag.name == "input":
            kind = tag.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and not tag.has_attr("checked"):
                continue
            data[name] = tag.get("value", "on" if kind in {"checkbox", "radio"} else "")
        elif tag.name == "select":
            options = tag.find_all("option")
            if not options:  # an autocomplete box with nothing chosen sends nothing
                continue
            chosen = next((o for o in options if o.has_attr("selected")), options[0])
            data[name] = chosen.get("value", chosen.get_text())
        else:
            # HTML drops one newline straight after <textarea>.
            data[name] = tag.get_text().removeprefix("\n")
    return data


def open_form(client, url, *, reason="checked against the sources"):
    """Open a change form and fill in the reason every save must give."""
    response = client.get(url)
    assert response.status_code == 200
    form = soup_of(response).find("form", id=re.compile(r"_form$"))
    assert form is not None, "the admin page has no change form"
    data = browser_data(form)
    data["change_reason"] = reason
    return form, data


def inline_prefix(form, field: str) -> str:
    """The prefix of the one inline whose rows have `field`, read from its template row."""
    pattern = re.compile(rf"^(.+)-__prefix__-{re.escape(field)}$")
    prefixes = {
        pattern.match(tag["name"]).group(1) for tag in form.find_all(attrs={"name": pattern})
    }
    assert len(prefixes) == 1, f"expected one inline with a {field!r} field, found {prefixes}"
    (prefix,) = prefixes
    assert form.find("input", attrs={"name": f"{prefix}-TOTAL_FORMS"}) is not None
    return prefix


def fill_inline(form, data: dict, prefix: str, rows: list[dict]) -> None:
    """Fill the inline's extra rows, adding rows from the template as "Add another" does."""
    template = browser_data(form, templates=True)
    initial = int(data[f"{prefix}-INITIAL_FORMS"])
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        index = initial + offset
        if index >= total:
            for name, value in template.items():
                if name.startswith(f"{prefix}-__prefix__-"):
                    data[name.replace("__prefix__", str(index))] = value
            total = index + 1
        for field, value in row.items():
            data[f"{prefix}-{index}-{field}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(total)


def option_value(form, name: str, label: str) -> str:
    """The value of the option a person would pick by its label in the select `name`."""
    select = form.find("select", attrs={"name": name})
    assert select is not None, f"no select named {name!r}"
    for option in select.find_all("option"):
        if option.get_text(strip=True) == label:
            return option["value"]
    raise AssertionError(f"{label!r} is not offered in {name!r}")


def option_labels(select) -> set[str]:
    return {o.get_text(strip=True) for o in select.find_all("option") if o.get("value")}


def autocomplete_pick(client, form, name: str, term: str) -> str:
    """Type `term` into the autocomplete box `name` (or its row template) and take the one hit."""
    template_name = re.sub(r"-\d+-", "-__prefix__-", name)
    select = form.find("select", attrs={"name": name}) or form.find(
        "select", attrs={"name": template_name}
    )
    assert select is not None and "admin-autocomplete" in select.get("class", [])
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": select["data-app-label"],
            "model_name": select["data-model-name"],
            "field_name": select["data-field-name"],
            "term": term,
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1, f"{term!r} found {results}"
    return results[0]["id"]


def readonly_text(form, name: str) -> str:
    """The shown value of read-only field `name`, also when it shares a line with others."""
    boxes = [box for box in form.select(f".field-{name}") if len(box.select(".readonly")) == 1]
    assert boxes, f"no read-only field {name!r}"
    return boxes[-1].select_one(".readonly").get_text(strip=True)


def errors_in(tag) -> str:
    return " ".join(ul.get_text(" ", strip=True) for ul in tag.select("ul.errorlist"))


def admin_url(model: str, view: str, *args) -> str:
    return reverse(f"admin:dialogues_{model}_{view}", args=args)


def filled_add_form(client, setting, *, date="1995~"):
    """The add-dialogue form filled in as an editor would, ready to post."""
    url = admin_url("dialogue", "add")
    form, data = open_form(client, url)
    data.update(
        title="Talks at Sarpsborg",
        slug="talks-at-sarpsborg",
        era=option_value(form, "era", f"{setting.era.name} ({setting.era.date_display})"),
        conflict=option_value(form, "conflict", setting.conflict.name),
        date=date,
        summary="Academics met quietly outside Oslo.",
    )
    participations = inline_prefix(form, "role")
    fill_inline(
        form,
        data,
        participations,
        [
            {
                "participant": autocomplete_pick(
                    client, form, f"{participations}-0-participant", "Hirschfeld"
                ),
                "role": option_value(form, f"{participations}-0-role", Role.ORGANISER.label),
            },
            {
                "participant": autocomplete_pick(
                    client, form, f"{participations}-1-participant", "Qurei"
                ),
            },
        ],
    )
    outcomes = inline_prefix(form, "kind")
    fill_inline(
        form,
        data,
        outcomes,
        [
            {
                "kind": option_value(form, f"{outcomes}-0-kind", OutcomeKind.BECAME_OFFICIAL.label),
                "description": "The talks became the Oslo negotiations.",
            }
        ],
    )
    citations = inline_prefix(form, "excerpt")
    fill_inline(
        form,
        data,
        citations,
        [
            {
                "source": autocomplete_pick(client, form, f"{citations}-0-source", "back channel"),
                "paragraph": "4",
                "excerpt": "We met in a farmhouse near Sarpsborg.",
            }
        ],
    )
    return url, form, data


def assert_nothing_saved():
    assert not Dialogue.objects.exists()
    assert not Participation.objects.exists()
    assert not Outcome.objects.exists()
    assert not Citation.objects.exists()
