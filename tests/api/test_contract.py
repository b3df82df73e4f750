"""The API keeps its contract: every operation of the served OpenAPI document, fuzzed by
schemathesis through the WSGI application, against a small archive built in code.

Every check schemathesis has that applies to a read-only API without authentication runs on
every case: no server error; status codes, content types, headers and bodies as documented;
schema-valid requests accepted and schema-violating ones (wrong types, empty or repeated values,
unknown enums) refused; other methods refused with a 405 and its `Allow`.

The suite runs a small, fixed budget (`CONTRACT_EXAMPLES`, 25 by default, derandomized, so the
same cases each time); `make contract` runs 500 for a thorough search.
"""

import os
from pathlib import Path

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

# Loaded from the application itself, as a client would read it; generating the document runs
# no query, so it needs no database at collection time.
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
