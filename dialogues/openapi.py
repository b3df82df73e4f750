"""The OpenAPI 3.1 description of the JSON API and the exports, built as a Python dict.

Enumerations and limits are read from the FilterSets, models and API module rather than
copied, so the document cannot drift from what the server accepts; a filter added without a
description here makes building the document fail, and so the tests.
"""

from __future__ import annotations

import django_filters
from django.urls import reverse

from . import api
from .listing import filters
from .models import Background, OutcomeKind, ParticipantKind, Role, Side, Track

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
DATE_BOUND_PATTERN = r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"

DIALOGUE_PARAMETERS = {
    "q": "Words to search for in titles, summaries, places, participants and excerpts.",
    "era": "Only dialogues in this era (its slug; see /api/eras/).",
    "conflict": "Only dialogues about this conflict (its slug).",
    "participant": "Only dialogues this participant took part in (its slug).",
    "side": "Only dialogues with at least one participant from this side.",
    "background": "Only dialogues with at least one participant of this background.",
    "outcome": "Only dialogues with an outcome of this kind.",
    "track": "Only dialogues on this track.",
    "place": "Only dialogues whose place contains this text (case does not matter).",
    "from": (
        "Only dialogues that may have happened on or after this day: a year (its first day) "
        "or an ISO date."
    ),
    "to": (
        "Only dialogues that may have happened on or before this day: a year (its last day) "
        "or an ISO date."
    ),
    "match": (
        "How an uncertain date meets the from/to range: `overlap` (the default) keeps a "
        "dialogue when any day it may have been lies in the range; `within` only when every "
        "such day does."
    ),
    "sort": (
        "The order: `date` (the default), `-date` (latest first), `title`, or `relevance` "
        "(the default when q is given; only meaningful with q)."
    ),
}

PARTICIPANT_PARAMETERS = {
    "side": "Only participants from this side.",
    "background": "Only participants of this background.",
    "kind": "Only people, or only groups and organisations.",
}


# --- Schemas --------------------------------------------------------------------------------


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(description: str, properties: dict) -> dict:
    """An object schema in which every property is required and no other is allowed."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _values(choices) -> list[str]:
    return [value for value, _ in choices]


def _string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def _slug(description: str = "The record's identifier in URLs.") -> dict:
    return _string(description, pattern=SLUG_PATTERN)


def _url(description: str) -> dict:
    return _string(description, format="uri")


def _count(description: str) -> dict:
    return {"type": "integer", "minimum": 0, "description": description}


def _page(item: str) -> dict:
    return _object(
        f"One page of {item} records.",
        {
            "count": _count("How many records match, on all pages."),
            "next": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "The next page, with the same parameters; null on the last.",
            },
            "previous": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "The previous page, with the same parameters; null on the first.",
            },
            "results": {"type": "array", "items": _ref(item)},
        },
    )


def schemas() -> dict:
    """Return the components' schemas: every item, its parts, the envelopes and the errors."""
    day = {"type": ["string", "null"], "format": "date"}
    return {
        "Date": _object(
            "An uncertain date.",
            {
                "edtf": _string("The date in EDTF, e.g. `1976~` or `1992/1993`."),
                "display": _string("The date in words, e.g. “c. 1976”."),
                "earliest": {**day, "description": "The earliest day it may be (ISO 8601)."},
                "latest": {**day, "description": "The latest day it may be (ISO 8601)."},
                "note": _string("How the date was found; may be empty."),
            },
        ),
        "NamedRef": _object(
            "A record named by its slug and name.",
            {"slug": _slug(), "name": _string("Its name.")},
        ),
        "DialogueParticipant": _object(
            "Someone who took part in a dialogue, and in what role.",
            {
                "slug": _slug(),
                "name": _string("The participant's name."),
                "kind": _string("Person or group.", enum=_values(ParticipantKind.choices)),
                "side": _string("Which side they came from.", enum=_values(Side.choices)),
                "background": _string(
                    "Their background; empty when the sources do not say.",
                    enum=[*_values(Background.choices), ""],
                ),
                "role": _string("Their role in this dialogue.", enum=_values(Role.choices)),
            },
        ),
        "DialogueOutcome": _object(
            "What came of a dialogue.",
            {
                "kind": _string("The kind of outcome.", enum=_values(OutcomeKind.choices)),
                "label": _string("The kind in words."),
                "description": _string("What came of it."),
            },
        ),
        "DialogueSource": _object(
            "One citation: a passage of a source.",
            {
                "slug": _slug("The source's identifier."),
                "title": _string("The source's title."),
                "author": _string("The source's author."),
                "excerpt": _string("The passage, verbatim."),
                "locator": _string(
                    "Where the passage is in the source, e.g. “¶ 4”.", pattern=r"^¶ [0-9]+$"
                ),
            },
        ),
        "Dialogue": _object(
            "A Track II dialogue.",
            {
                "slug": _slug(),
                "title": _string("The dialogue's title."),
                "url": _url("The dialogue's page in the archive."),
                "date": _ref("Date"),
                "era": _ref("NamedRef"),
                "conflict": _ref("NamedRef"),
                "place": _string("Where it was held; empty when unknown."),
                "venue": _string("The venue, or the kind of venue when the sources name none."),
                "track": _string("The track.", enum=_values(Track.choices)),
                "summary": _string("What happened."),
                "participants": {
                    "type": "array",
                    "items": _ref("DialogueParticipant"),
                    "description": "By side, then name.",
                },
                "outcomes": {"type": "array", "items": _ref("DialogueOutcome")},
                "sources": {
                    "type": "array",
                    "items": _ref("DialogueSource"),
                    "description": "One item per citation, by source date, then paragraph.",
                },
            },
        ),
        "Era": _object(
            "A period of the timeline.",
            {
                "slug": _slug(),
                "name": _string("The era's name."),
                "date": _ref("Date"),
                "summary": _string("What marks the period."),
                "dialogue_count": _count("How many dialogues it holds."),
                "url": _url("The era's page in the archive."),
            },
        ),
        "Participant": _object(
            "A person or group that took part in dialogues.",
            {
                "slug": _slug(),
                "name": _string("The participant's name."),
                "kind": _string("Person or group.", enum=_values(ParticipantKind.choices)),
                "side": _string("Which side they came from.", enum=_values(Side.choices)),
                "background": _string(
                    "Their background; empty when the sources do not say.",
                    enum=[*_values(Background.choices), ""],
                ),
                "bio": _string("A short bio; may be empty."),
                "dialogue_count": _count("How many dialogues they took part in."),
                "url": _url("The participant's page in the archive."),
            },
        ),
        "Source": _object(
            "A document the archive cites.",
            {
                "slug": _slug(),
                "title": _string("The source's title."),
                "author": _string("The source's author."),
                "publication": _string("Where it was published; may be empty."),
                "date": _ref("Date"),
                "url": _url("The source's page in the archive."),
            },
        ),
        "DialoguePage": _page("Dialogue"),
        "EraPage": _page("Era"),
        "ParticipantPage": _page("Participant"),
        "SourcePage": _page("Source"),
        "Errors": _object(
            "What was wrong with the request.",
            {
                "errors": {
                    "type": "object",
                    "description": (
                        "Messages by parameter name; `detail` for a request-wide error "
                        "(not found, method not allowed)."
                    ),
                    "minProperties": 1,
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                    },
                }
            },
        ),
    }


# --- Parameters -----------------------------------------------------------------------------


def _filter_parameter(name: str, flt, description: str) -> dict:
    """Describe one django-filter filter as a query parameter, with what it accepts."""
    # ModelChoiceFilter is a ChoiceFilter too, so it is tested first.
    if isinstance(flt, django_filters.ModelChoiceFilter):
        schema = {"type": "string", "pattern": SLUG_PATTERN}
    elif isinstance(flt, django_filters.ChoiceFilter):
        schema = {"type": "string", "enum": _values(flt.extra["choices"])}
    elif isinstance(flt, filters.DateBoundFilter):
        schema = {"type": "string", "pattern": DATE_BOUND_PATTERN, "examples": ["1995"]}
    else:
        schema = {"type": "string"}
        if flt.extra.get("max_length"):
            schema["maxLength"] = flt.extra["max_length"]
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _filter_parameters(filterset_class, descriptions: dict, prefix: str) -> dict:
    return {
        f"{prefix}{name}": _filter_parameter(name, flt, descriptions[name])
        for name, flt in filterset_class.base_filters.items()
    }


def parameters() -> dict:
    """Return the components' parameters: every filter, the page and the page size."""
    return {
        **_filter_parameters(filters.DialogueFilterSet, DIALOGUE_PARAMETERS, "dialogue-"),
        **_filter_parameters(filters.ParticipantFilterSet, PARTICIPANT_PARAMETERS, "participant-"),
        "page": {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Which page, from 1. A page past the last is an error.",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
        "page_size": {
            "name": "page_size",
            "in": "query",
            "required": False,
            "description": f"How many records a page holds, at most {api.MAX_PAGE_SIZE}.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": api.MAX_PAGE_SIZE,
                "default": api.DEFAULT_PAGE_SIZE,
            },
        },
        "slug": {
            "name": "slug",
            "in": "path",
            "required": True,
            "description": "The dialogue's slug.",
            "schema": {"type": "string", "pattern": SLUG_PATTERN},
        },
    }


# --- Paths ----------------------------------------------------------------------------------


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "headers": {"Access-Control-Allow-Origin": {"$ref": "#/components/headers/CORS"}},
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


def _error(description: str) -> dict:
    return _json("Errors", description)


def responses() -> dict:
    return {
        "BadRequest": _error(
            "A parameter is not valid: `errors` names each one with what it accepts."
        ),
        "NotFound": _error('Nothing has this address: `errors.detail` is `["not found"]`.'),
        "MethodNotAllowed": _error("Only GET and HEAD are answered."),
    }


def _param_refs(names) -> list[dict]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _list_operation(operation_id, summary, page_schema, parameter_names, description) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": ["API"],
            "parameters": _param_refs([*parameter_names, "page", "page_size"]),
            "responses": {
                "200": _json(page_schema, "One page of records."),
                "400": {"$ref": "#/components/responses/BadRequest"},
                "405": {"$ref": "#/components/responses/MethodNotAllowed"},
            },
        }
    }


def _export_operation(operation_id, summary, media_type, schema) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": (
                "Every matching dialogue (not one page), in the chosen order, streamed as a "
                "download named `trackii-dialogues-YYYY-MM-DD`. Takes the same filters as "
                "/api/dialogues/; `page` and `page_size` are ignored."
            ),
            "tags": ["Exports"],
            "parameters": _param_refs(
                f"dialogue-{name}" for name in filters.DialogueFilterSet.base_filters
            ),
            "responses": {
                "200": {
                    "description": "The download.",
                    "headers": {
                        "Content-Disposition": {
                            "description": "`attachment` with the file's name.",
                            "schema": {"type": "string"},
                        }
                    },
                    "content": {media_type: {"schema": schema}},
                },
                "400": {
                    "description": "A parameter is not valid: a plain-text list of the errors.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
            },
        }
    }


def _path(name: str, *args: str) -> str:
    """The URL path of a route, with `{slug}` where a slug goes."""
    placeholder = "openapi-path-parameter"
    url = reverse(name, args=[placeholder] * len(args))
    for arg in args:
        url = url.replace(placeholder, "{" + arg + "}", 1)
    return url


def paths() -> dict:
    dialogue_filters = [f"dialogue-{name}" for name in filters.DialogueFilterSet.base_filters]
    participant_filters = [
        f"participant-{name}" for name in filters.ParticipantFilterSet.base_filters
    ]
    return {
        _path("dialogues:api:dialogue_list"): _list_operation(
            "listDialogues",
            "List dialogues",
            "DialoguePage",
            dialogue_filters,
            "The dialogues matching every filter given, as on the browse page.",
        ),
        _path("dialogues:api:dialogue", "slug"): {
            "get": {
                "operationId": "getDialogue",
                "summary": "Get one dialogue",
                "tags": ["API"],
                "parameters": _param_refs(["slug"]),
                "responses": {
                    "200": _json("Dialogue", "The dialogue."),
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "405": {"$ref": "#/components/responses/MethodNotAllowed"},
                },
            }
        },
        _path("dialogues:api:era_list"): _list_operation(
            "listEras", "List eras", "EraPage", [], "The eras in timeline order."
        ),
        _path("dialogues:api:participant_list"): _list_operation(
            "listParticipants",
            "List participants",
            "ParticipantPage",
            participant_filters,
            "The participants, by name.",
        ),
        _path("dialogues:api:source_list"): _list_operation(
            "listSources", "List sources", "SourcePage", [], "The sources, oldest first."
        ),
        _path("dialogues:api:openapi"): {
            "get": {
                "operationId": "getOpenAPIDocument",
                "summary": "This document",
                "tags": ["API"],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        _path("dialogues:export", "fmt").replace("{fmt}", "csv"): _export_operation(
            "exportDialoguesCSV",
            "Export dialogues as CSV",
            "text/csv",
            {"type": "string"},
        ),
        _path("dialogues:export", "fmt").replace("{fmt}", "json"): _export_operation(
            "exportDialoguesJSON",
            "Export dialogues as JSON",
            "application/json",
            {"type": "array", "items": _ref("Dialogue")},
        ),
    }


def document(request=None) -> dict:
    """Return the OpenAPI document; with a request, its server is the request's own origin."""
    server = f"{request.scheme}://{request.get_host()}" if request else "/"
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Track II Dialogue Archive",
            "version": API_VERSION,
            "description": (
                "Read-only access to the archive's dialogues, eras, participants and sources. "
                "Lists are paged: `count`, `next`, `previous` and `results`. Every error is "
                'JSON of the form `{"errors": {"field": ["message"]}}`. Any origin may '
                "read the answers."
            ),
        },
        "servers": [{"url": server}],
        "tags": [
            {"name": "API", "description": "The JSON API."},
            {"name": "Exports", "description": "Whole result sets as downloads."},
        ],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "parameters": parameters(),
            "responses": responses(),
            "headers": {
                "CORS": {
                    "description": "Always `*`: the data is public.",
                    "schema": {"type": "string", "const": "*"},
                }
            },
        },
    }
