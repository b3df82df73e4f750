"""The API keeps its contract: every operation of the served OpenAPI document, fuzzed by
schemathesis through the WSGI application, against a small archive built in code.

Every check schemathesis has that applies to a read-only API without authentication runs on
every case: no server error; status codes, content types, headers and bodies as documented;
schema-valid requests accepted and schema-violating ones (wrong types, empty or repeated values,
unknown enums) refused; other methods refused with a 405 and its `Allow`.

The suite runs a small, fixed budget (`CONTRACT_EXAMPLES`, 25 by default, derandomized, so the
same cases each time); `make contract` runs 500 for a thorough search.

With `CONTRACT_URL` set (`make contract STACK=prod` sets it, see scripts/contract_prod.py) the
same checks run over HTTP against that site, the production stack with nginx in front: what
nginx answers by itself (a 414 for an address too long, a 405 for TRACE) is held to the
contract too, and the tests at the end check nginx's answers directly.
"""

import http.client
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from ..archives import build_small_archive

MAX_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "25"))
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"

# The rest of schemathesis's checks follow resources across calls or test authentication
# (use_after_free, ensure_resource_availability, ignored_auth, object_level_authorization):
# nothing here is created, deleted or protected.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
    checks.missing_required_header,
    checks.unsupported_method,
    checks.allow_header_conformance,
]

# The site under test: the WSGI application in this process, or a running stack's address.
BASE_URL = os.environ.get("CONTRACT_URL", "").rstrip("/")
through_the_stack = pytest.mark.skipif(
    not BASE_URL, reason="checks nginx in front: run `make contract STACK=prod`"
)

# Loaded from the application itself, as a client would read it; generating the document runs
# no query, so it needs no database at collection time.
if BASE_URL:
    schema = schemathesis.openapi.from_url(
        f"{BASE_URL}/api/openapi.json", config=SchemathesisConfig.from_path(str(CONFIG))
    )
else:
    schema = schemathesis.openapi.from_wsgi(
        "/api/openapi.json",
        get_wsgi_application(),
        config=SchemathesisConfig.from_path(str(CONFIG)),
    )


@pytest.fixture
def archive(db):
    """The small archive, served by the WSGI application inside the test's transaction.

    Django's own test client keeps the connection open across requests; schemathesis calls the
    WSGI application directly, whose end-of-request signal would close the connection, and the
    transaction holding the archive with it, on PostgreSQL. So, as the test client does, the
    signal is kept from closing it for the length of the test.
    """
    if BASE_URL:  # a running stack serves its own archive
        yield None
        return
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield build_small_archive()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # One archive serves every example of an operation: the API only reads.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_the_contract(case, archive):
    case.call_and_validate(checks=CHECKS)


DOCUMENT = "GET /api/openapi.json"


def test_the_contract_test_covers_every_operation_but_the_document_itself():
    documented = {
        f"{method.upper()} {path}"
        for path, item in schema.raw_schema["paths"].items()
        for method in item
    }
    tested = {operation.ok().label for operation in schema.get_all_operations()}
    # schemathesis leaves out the operation that serves the document it was loaded from.
    assert tested == documented - {DOCUMENT}
    assert {DOCUMENT, "GET /api/dialogues/"} <= documented


@pytest.mark.parametrize("method", ["post", "put", "delete", "options", "trace"])
def test_the_document_refuses_other_methods_as_it_documents(client, method):
    response = getattr(client, method)("/api/openapi.json")
    operation = schema.raw_schema["paths"]["/api/openapi.json"]["get"]
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] in operation["responses"]["405"]["content"]


def test_the_projects_settings_only_add_the_servers_414_to_schemathesiss_defaults():
    config = schema.config.checks_config_for(operation=None)
    negative = config.negative_data_rejection.expected_statuses
    positive = config.positive_data_acceptance.expected_statuses
    assert "414" in negative and "414" in positive
    # A bad value must still be refused with a 4xx, and a good one never answered with a 400.
    assert {"400", "404", "405"} <= set(negative)
    assert not {"400", "405", "422"} & set(positive)


def longest_q() -> int:
    """The `q` of /api/dialogues/'s maxLength, as the schema documents it."""
    document = schema.raw_schema
    for parameter in document["paths"]["/api/dialogues/"]["get"]["parameters"]:
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        if parameter["name"] == "q":
            return parameter["schema"]["maxLength"]
    raise AssertionError("/api/dialogues/ documents no q")


def stack_request(method: str, path: str) -> http.client.HTTPResponse:
    address = urlsplit(BASE_URL)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(method, path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@through_the_stack
@pytest.mark.parametrize(
    "path", ["/api/dialogues/", "/api/openapi.json", "/dialogues/", "/oai/", "/admin/login/"]
)
def test_nginx_s_own_405_for_trace_says_what_the_address_allows(path):
    response = stack_request("TRACE", path)
    assert response.status == 405
    allowed = response.getheader("Allow")
    assert allowed
    # The application's own 405 for a method it refuses lists the same methods.
    refused = stack_request("PATCH", path)
    if refused.status == 405:
        assert refused.getheader("Allow") == allowed


@through_the_stack
def test_the_longest_search_the_schema_allows_gets_through_nginx():
    length = longest_q()
    # Every character percent-encoded UTF-8 of four bytes: the longest such an address can be.
    response = stack_request("GET", "/api/dialogues/?q=" + "%F0%9F%95%8A" * length + "&era=")
    assert response.status == 200
    assert stack_request("GET", "/api/dialogues/?q=" + "%F0%9F%95%8A" * (4 * length)).status == 414


def test_nginx_s_buffers_hold_the_longest_search_the_schema_allows():
    import re

    from dialogues.listing.filters import MAX_QUERY_LENGTH

    root = Path(__file__).resolve().parents[2] / "deploy"
    config = (root / "nginx.conf.template").read_text()
    count, size = re.search(r"large_client_header_buffers (\d+) (\d+)k;", config).groups()
    # A request line must fit one buffer: the longest q, percent-encoded, and room beside it.
    assert int(size) * 1024 >= 12 * MAX_QUERY_LENGTH + 4096
    assert longest_q() == MAX_QUERY_LENGTH
    namespace: dict = {}
    exec((root / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["limit_request_line"] == 0  # gunicorn leaves the bound to nginx
