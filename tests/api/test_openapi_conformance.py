"""schemathesis against the OpenAPI spec: generated requests to every operation (uploads included), every default check.

The app runs over a private copy of the test index, so generated uploads and deletions never touch the index the
other tests read. The number of examples is bounded and generation is derandomized, so a run takes about a minute on
2 cores and repeats itself.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from rag.settings import Settings
from tests.api.conftest import scratch_settings

MAX_EXAMPLES = 100
CASES: list[str] = []


async def _no_app(scope, receive, send):
    raise RuntimeError("every call passes app= (the app over the test index)")


# The spec does not depend on settings, so it is read at collection from an app that loads nothing (the index comes
# from a fixture); every call then goes to that fixture's app. (schemathesis.pytest.from_fixture would do this, but
# its pytest integration does not run under pytest 9.2.)
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
schema.app = _no_app


@pytest.fixture(scope="module")
def conformance_app(api_settings, built_index, tmp_path_factory):
    from rag.pipeline import Pipeline

    s = scratch_settings(api_settings, tmp_path_factory.mktemp("schemathesis"))
    # Limits in bytes the schema cannot state (a 2000-character question may be 24 KB of JSON escapes): set above
    # anything generated, so a 413 here would be a real failure.
    s.api.max_body_bytes = s.api.max_upload_bytes = 1024 * 1024
    yield create_app(s, pipeline=Pipeline(s))
    operations = {c.rsplit(" ", 1)[0] for c in CASES}
    print(f"\nschemathesis: {len(CASES)} cases, {len(operations)} method-path pairs "
          f"(the 9 operations and undeclared methods), statuses {sorted({c.rsplit(' ', 1)[1] for c in CASES})}")


def _refused_for_what_no_schema_can_state(case, response) -> bool:
    """A 422 for a schema-valid request that depends on data or a rule JSON Schema cannot express: a source filter
    naming no source in this index, year_from after year_to (a rule between two fields, stated in their
    descriptions), or uploaded files none of which could be read."""
    if response.status_code != 422:
        return False
    error = response.json().get("error")
    body = case.body if isinstance(case.body, dict) else {}
    if case.method == "POST" and case.path == "/v1/answers":
        years = body.get("filters") if isinstance(body.get("filters"), dict) else {}
        numbers = all(isinstance(years.get(k), (int, float)) and not isinstance(years[k], bool) for k in ("year_from", "year_to"))
        after = numbers and years["year_from"] > years["year_to"]  # 1957.0 is a year too: JSON has one number type
        return error == "invalid_filter" or (error == "invalid_request" and after)
    return case.method == "POST" and case.path == "/v1/documents" and error == "no_documents_added"


def positive_data_acceptance_but_data_dependent(ctx, response, case):
    """schemathesis's positive_data_acceptance (a schema-valid request must not get a 4xx other than 401, 403,
    404, 409, 429), except for the refusals above."""
    if not _refused_for_what_no_schema_can_state(case, response):
        return positive_data_acceptance(ctx, response, case)
    return None


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_openapi_spec(case, conformance_app):
    r = case.call_and_validate(app=conformance_app, excluded_checks=[positive_data_acceptance],
                           additional_checks=[positive_data_acceptance_but_data_dependent])
    CASES.append(f"{case.method} {case.path} {r.status_code}")


def test_a_successful_upload_and_delete_conform_too(conformance_app):
    # Generated files never make a readable document (schemathesis names a file part after its field, and a file
    # must have a known extension), so the 201 and the 204 are checked here with a real file, by the same checks.
    from fastapi.testclient import TestClient

    text = b"# Ward kettles\n\nElectric kettles on wards should be descaled every four weeks.\n"
    with TestClient(conformance_app) as c:
        r = c.post("/v1/documents", files=[("files", ("kettles.md", text, "text/markdown"))])
        assert r.status_code == 201, r.text
        schema["/v1/documents"]["POST"].Case(body={"files": [text]}, media_type="multipart/form-data").validate_response(r)
        doc_id = r.json()["added"][0]["doc_id"]
        r = c.delete(f"/v1/documents/{doc_id}")
        assert r.status_code == 204
        schema["/v1/documents/{doc_id}"]["DELETE"].Case(path_parameters={"doc_id": doc_id}).validate_response(r)


# --- the three problems an earlier schemathesis run found, each pinned down ---------------------------------------


def test_an_unreadable_body_is_the_documented_422_not_an_undocumented_400(client):
    r = client.post("/v1/answers", content=b'{"question": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request" and "could not be read" in r.json()["message"]
    r = client.post("/v1/documents", content=b"--x\r\nno headers, no end", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "400" not in op["responses"], (method, path)
            if "requestBody" in op:
                assert "422" in op["responses"], (method, path)


def test_the_spec_states_the_year_range_rule_and_the_question_limits(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    years = schemas["FiltersIn"]["properties"]
    assert "must not be after year_to" in years["year_from"]["description"]
    assert "must not be before year_from" in years["year_to"]["description"]
    question = schemas["AnswerRequest"]["properties"]["question"]
    assert (question["minLength"], question["maxLength"], question["pattern"]) == (1, 2000, r"\S")
    r = client.post("/v1/answers", json={"question": "q?", "filters": {"year_from": 2020, "year_to": 2010}})
    assert r.status_code == 422 and "year_from is after year_to" in r.json()["message"]


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/v1/conversations/" + "a" * 32, "GET, DELETE"),
    ("OPTIONS", "/v1/conversations/" + "a" * 32, "GET, DELETE"),
    ("PATCH", "/v1/documents", "GET, POST"),
    ("GET", "/v1/documents/some-id", "DELETE"),
    ("GET", "/v1/answers", "POST"),
    ("POST", "/healthz", "GET"),
])
def test_a_405_allows_every_method_of_its_path(client, method, path, allowed):
    r = client.request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allowed
    assert r.json()["error"] == "method_not_allowed"
