"""Schemathesis against the live OpenAPI description: generated requests to every operation,
valid and invalid, over HTTP to the live test server, on data of every state (conftest.world).
No answer may be a server error or break the description (status, content type, body)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]
EXAMPLES = 15  # per operation and mode: about a minute for the whole API


def test_the_live_api_keeps_its_openapi_description(live_server, world):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    assert schema.raw_schema["openapi"] == "3.1.0"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    unnegatable = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def keeps_description(case):
                case.call_and_validate(checks=CHECKS)

            try:
                keeps_description()
            except Unsatisfiable:
                # Nothing to make invalid: a path's slug is any text, and the operation has
                # no other parameter.
                assert mode == GenerationMode.NEGATIVE, operation.label
                unnegatable.append(operation.label)
    assert len(unnegatable) <= 4, unnegatable
