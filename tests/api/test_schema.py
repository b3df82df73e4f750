import json

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from dialogues.api import pagination
from dialogues.api import schema as openapi
from dialogues.api import urls as api_urls
from dialogues.listing.filters import DialogueFilterSet, ParticipantFilterSet
from dialogues.models import Background, OutcomeKind, Side, Track

from .helpers import api_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(small_archive):
    return small_archive


DOC_URI = "urn:trackii:openapi"


@pytest.fixture(scope="module")
def document():
    return openapi.document()


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def assert_matches_document(document, path, status, body, method="get"):
    """Validate `body` against the schema the document gives for this path and status."""
    responses = document["paths"][path][method]["responses"]
    response = responses[str(status)]
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
        response = document["components"]["responses"][pointer.rsplit("/", 1)[1]]
    else:
        pointer = _pointer("paths", path, method, "responses", str(status))
    assert "application/json" in response["content"]
    schema_pointer = pointer + _pointer("content", "application/json", "schema")
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": f"{DOC_URI}#{schema_pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)


def test_the_document_is_served_with_this_server(client, document):
    body = client.get(reverse("dialogues:api:openapi")).json()
    validate_openapi(body)
    assert body["servers"] == [{"url": "http://testserver"}]
    assert body["paths"] == document["paths"]
    assert body["components"] == document["components"]


def test_every_api_route_is_in_the_document(document):
    for pattern in api_urls.urlpatterns:
        if pattern.name == "not_found":
            continue
        kwargs = {"slug": "x"} if "<slug:slug>" in str(pattern.pattern) else {}
        path = reverse(f"dialogues:api:{pattern.name}", kwargs=kwargs or None)
        templated = path.replace("/x/", "/{slug}/")
        assert templated in document["paths"], templated


def _query_parameters(document, path):
    refs = document["paths"][path]["get"]["parameters"]
    params = [document["components"]["parameters"][r["$ref"].rsplit("/", 1)[1]] for r in refs]
    return {p["name"]: p for p in params}


@pytest.mark.parametrize(
    ("path", "filterset"),
    [
        ("/api/dialogues/", DialogueFilterSet),
        ("/api/participants/", ParticipantFilterSet),
        ("/dialogues/export.csv", DialogueFilterSet),
        ("/dialogues/export.json", DialogueFilterSet),
    ],
)
def test_every_filter_is_documented_with_what_it_accepts(document, path, filterset):
    params = _query_parameters(document, path)
    assert set(filterset.base_filters) <= set(params)
    for name, flt in filterset.base_filters.items():
        choices = flt.extra.get("choices")
        if choices and "queryset" not in flt.extra:
            # Empty last: an empty parameter is one not given.
            assert params[name]["schema"]["enum"] == [*(v for v, _ in choices), ""], name


def test_the_dialogue_parameters_document_enums_patterns_and_limits(document):
    params = _query_parameters(document, "/api/dialogues/")
    assert params["side"]["schema"]["enum"] == [*Side.values, ""]
    assert params["background"]["schema"]["enum"] == [*Background.values, ""]
    assert params["outcome"]["schema"]["enum"] == [*OutcomeKind.values, ""]
    assert params["track"]["schema"]["enum"] == [*Track.values, ""]
    assert params["match"]["schema"]["enum"] == ["overlap", "within", ""]
    assert params["page_size"]["schema"]["maximum"] == pagination.MAX_PAGE_SIZE
    assert params["page"]["schema"]["minimum"] == 1
    validator = Draft202012Validator(
        params["from"]["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    for good in ("1995", "1995-06-02", "0001", ""):
        assert validator.is_valid(good), good
    for bad in ("abc", "95", "1995-6-2", "June 1995", "0000", "1995-02-30", "19950602", " 1995"):
        assert not validator.is_valid(bad), bad
    slug = Draft202012Validator(params["era"]["schema"])
    assert slug.is_valid("nineties") and slug.is_valid("")
    assert not slug.is_valid("no such era")
    assert params["to"]["schema"] == params["from"]["schema"]


def test_the_sort_parameter_is_documented_with_every_order(document):
    params = _query_parameters(document, "/api/dialogues/")
    assert set(params["sort"]["schema"]["enum"]) == {"date", "-date", "title", "relevance", ""}


def test_every_component_schema_requires_every_key_and_allows_no_other(document):
    def walk(schema, where):
        if schema.get("type") == "object" and "properties" in schema:
            assert schema["required"] == list(schema["properties"]), where
            assert schema["additionalProperties"] is False, where
        for key, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{key}")
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{where}[]")

    for name, schema in document["components"]["schemas"].items():
        walk(schema, name)


@pytest.mark.parametrize(
    ("path", "url", "status"),
    [
        ("/api/dialogues/", "/api/dialogues/", 200),
        ("/api/dialogues/", "/api/dialogues/?page_size=2", 200),
        ("/api/dialogues/", "/api/dialogues/?page_size=1&page=2", 200),
        ("/api/dialogues/", "/api/dialogues/?era=nineties&side=palestinian&sort=-date", 200),
        ("/api/dialogues/", "/api/dialogues/?from=1996&to=2010&match=within", 200),
        ("/api/dialogues/", "/api/dialogues/?place=nowhere", 200),
        ("/api/dialogues/", "/api/dialogues/?side=martian&page=0", 400),
        ("/api/dialogues/{slug}/", "/api/dialogues/oslo/", 200),
        ("/api/dialogues/{slug}/", "/api/dialogues/amman/", 200),
        ("/api/dialogues/{slug}/", "/api/dialogues/no-such-dialogue/", 404),
        ("/api/eras/", "/api/eras/", 200),
        ("/api/eras/", "/api/eras/?page=9", 404),
        ("/api/eras/", "/api/eras/?page=", 400),
        ("/api/participants/", "/api/participants/", 200),
        ("/api/participants/", "/api/participants/?kind=group", 200),
        ("/api/participants/", "/api/participants/?kind=robot", 400),
        ("/api/sources/", "/api/sources/", 200),
        ("/api/sources/", "/api/sources/?page_size=1000", 400),
        ("/dialogues/export.json", "/dialogues/export.json?era=nineties", 200),
    ],
)
def test_responses_match_the_documents_own_schemas(client, archive, document, path, url, status):
    response = client.get(url)
    assert response.status_code == status
    body = response.json() if not response.streaming else _streamed_json(response)
    assert_matches_document(document, path, status, body)


def _streamed_json(response):
    return json.loads(b"".join(response.streaming_content))


def test_a_405_matches_the_documented_error(client, document):
    response = client.post("/api/dialogues/")
    assert_matches_document(document, "/api/dialogues/", 405, response.json())


def test_the_schemas_refuse_a_response_with_a_missing_or_extra_key(client, archive, document):
    good = api_get(client, "dialogue", slug="oslo").json()
    assert_matches_document(document, "/api/dialogues/{slug}/", 200, good)
    missing = {k: v for k, v in good.items() if k != "venue"}
    extra = {**good, "secret": 1}
    bad_date = {**good, "date": {**good["date"], "earliest": "someday"}}
    for body in (missing, extra, bad_date):
        with pytest.raises(AssertionError):
            assert_matches_document(document, "/api/dialogues/{slug}/", 200, body)


def test_the_document_names_the_unprefixed_addresses_whatever_the_request_language(client):
    english = client.get("/api/openapi.json").json()
    for prefix in ("/he", "/ar"):
        body = client.get(f"{prefix}/api/openapi.json").json()
        assert body["paths"] == english["paths"]
        assert not any(path.startswith(prefix + "/") for path in body["paths"])
