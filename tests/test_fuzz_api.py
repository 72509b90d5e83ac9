"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis), in-process, real model and Chroma.

Every operation in /api/openapi.json gets generated requests, valid and invalid; checks:
no 5xx, responses match the documented schema and content type, invalid data is
rejected (4xx), and valid data is not. The admin token is configured so the admin
operation is reachable; the reindex it runs is a no-op (nothing changed on disk).
"""
from __future__ import annotations

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, settings
from schemathesis import checks as sc

from assistant.api import create_app
from assistant.service import Assistant

TOKEN = "fuzz-admin-token"


@pytest.fixture(scope="module")
def api_schema(assistant, tmp_path_factory):
    s = assistant.settings.model_copy(
        update={"rate_limit": "1000000/minute", "feedback_log": tmp_path_factory.mktemp("fuzz") / "feedback.jsonl", "admin_token": TOKEN}
    )
    a = Assistant(s, assistant.prompts)
    a._loaded = assistant._ready()
    app = create_app(a, ui=False)
    served = schemathesis.openapi.from_asgi("/api/openapi.json", app)  # the schema as served
    spec = _with_error_bodies(copy.deepcopy(served.raw_schema))
    loaded = schemathesis.openapi.from_dict(spec)
    loaded.app = app
    loaded.served = served.raw_schema
    return loaded


ERROR_BODY = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}},
}


def _with_error_bodies(spec: dict) -> dict:
    """The 422 the app really sends ({"detail": str, "errors": [...]}) in place of FastAPI's default
    (``detail`` as an array): see test_documented_422_matches_what_the_app_sends, which fails until api.py documents it."""
    for path in spec.get("paths", {}).values():
        for op in path.values():
            if isinstance(op, dict) and "422" in op.get("responses", {}):
                op["responses"]["422"] = {"description": "Invalid request", "content": {"application/json": {"schema": ERROR_BODY}}}
    return spec


def _utf8(value) -> bool:
    """No lone surrogates anywhere in a generated body or query (bytes and other values pass)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_utf8(k) and _utf8(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_utf8(v) for v in value)
    return True


CHECKS = [sc.not_a_server_error, sc.response_schema_conformance, sc.content_type_conformance, sc.negative_data_rejection]
# Operations and their example budgets (question answering costs ~50-100 ms a call on this machine).
BUDGET = {"/api/ask": 30, "/api/ask/stream": 20}
OPERATIONS = ["POST /api/ask", "POST /api/ask/stream", "GET /api/health", "GET /api/sources/{chunk_id}", "POST /api/feedback", "POST /api/admin/reindex", "GET /api/origin"]


def _operations(api_schema):
    ops = {}
    for result in api_schema.get_all_operations():
        op = result.ok()
        ops[f"{op.method.upper()} {op.path}"] = op
    return ops


def test_every_api_operation_is_fuzzed(api_schema):
    # schemathesis.pytest.from_fixture does not work with pytest 9 (Function._nodeid), so operations are listed here
    assert sorted(_operations(api_schema)) == sorted(OPERATIONS)


# ``schemathesis.pytest.from_fixture`` is broken on pytest 9 (AttributeError: 'Function' object has no
# attribute '_nodeid'), so each operation's strategy is drawn from inside an ordinary test.
@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("name", OPERATIONS)
def test_api_from_its_schema(api_schema, name, mode):
    op = _operations(api_schema)[name]
    admin = op.path.startswith("/api/admin")
    headers = {"Authorization": f"Bearer {TOKEN}"} if admin else None
    budget = BUDGET.get(op.path, 40)
    if mode is schemathesis.GenerationMode.NEGATIVE:
        budget = max(budget // 2, 10)
    if mode is schemathesis.GenerationMode.NEGATIVE and name in ("GET /api/health", "GET /api/origin", "GET /api/sources/{chunk_id}", "POST /api/admin/reindex"):
        # nothing to make invalid: no input, an unconstrained string path parameter, the rebuild flag (tested below)
        pytest.skip("no input that can be made invalid")
    strategy = op.as_strategy(generation_mode=mode, query={"rebuild": False} if admin else None)

    @given(case=strategy)
    @settings(max_examples=budget, deadline=None, suppress_health_check=list(HealthCheck), database=None, phases=[Phase.generate])
    def run(case):
        # lone surrogates crash the tokenizer (a known bug, xfailed in test_hostile.py::test_lone_surrogate_in_json_is_clear)
        assume(_utf8(case.body) and _utf8(case.query) and _utf8(case.path_parameters))
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def test_admin_rebuild_flag_parsing(api_schema):
    """The ``rebuild`` query flag, fuzzed apart from a rebuild: bad values are 422, never 5xx."""
    app = api_schema.app
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        for value in ["maybe", "", "2", "%00", "true" * 100, "[]"]:
            r = c.post(f"/api/admin/reindex?rebuild={value}", headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 422, (value, r.status_code, r.text)


def test_documented_422_matches_what_the_app_sends(api_schema):
    from fastapi.testclient import TestClient

    spec = api_schema.served
    schema = spec["paths"]["/api/ask"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    with TestClient(api_schema.app) as c:
        body = c.post("/api/ask", json={"question": ""}).json()
    documented = schema["properties"]["detail"].get("type")
    sent = {str: "string", list: "array"}[type(body["detail"])]
    assert documented == sent, f"documented detail type {documented!r}, sent {sent!r}"
    assert set(body) <= set(schema["properties"])
