"""The OpenAPI contract checker: documented requests pass, everything else is named."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.openapi.contract import Contract, to_json_schema


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load()


def test_subset_records_its_source_version(contract: Contract) -> None:
    assert contract.version != "unknown"
    assert len(contract.operations) == 53  # 44, tracking issues 7, the stale claim 1, App by slug 1


def test_undocumented_path_is_a_violation(contract: Contract) -> None:
    problems = contract.check("GET", "/repos/o/r/issues/5/timeline")
    assert problems == ["GET /repos/o/r/issues/5/timeline: not a documented GitHub REST operation"]


def test_undocumented_method_is_a_violation(contract: Contract) -> None:
    assert contract.check("DELETE", "/repos/o/r/check-runs/5") != []


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("GET", "/repos/o/r/contents/rfcs/deep/0001-x.md", "repos/get-content"),
        ("GET", "/repos/o/r/commits/abc123/check-runs", "checks/list-for-ref"),
        ("GET", "/repos/o/r/commits/abc123", "repos/get-commit"),
        ("GET", "/repos/o/r/git/ref/heads/rfc/x", "git/get-ref"),
        ("PATCH", "/repos/o/r/git/refs/heads/main", "git/update-ref"),
        ("PATCH", "/repos/o/r/issues/comments/7", "issues/update-comment"),
        ("DELETE", "/repos/o/r/issues/3/labels/rfc%3A%20draft", "issues/remove-label"),
    ],
)
def test_match_prefers_the_most_specific_template(
    contract: Contract, method: str, path: str, operation_id: str
) -> None:
    operation = contract.match(method, path)
    assert operation is not None
    assert operation.operation_id == operation_id


def test_path_parameters_are_decoded(contract: Contract) -> None:
    operation = contract.match("DELETE", "/repos/o/r/issues/3/labels/rfc%3A%20draft")
    assert operation is not None
    assert operation.path_params("/repos/o/r/issues/3/labels/rfc%3A%20draft") == {
        "owner": "o",
        "repo": "r",
        "issue_number": "3",
        "name": "rfc: draft",
    }


def test_good_body_passes(contract: Contract) -> None:
    body = {
        "name": "RFC validation",
        "head_sha": "a" * 40,
        "status": "completed",
        "conclusion": "failure",
        "output": {
            "title": "1 error",
            "summary": "s",
            "annotations": [
                {
                    "path": "rfcs/x.md",
                    "start_line": 1,
                    "end_line": 1,
                    "annotation_level": "failure",
                    "message": "m",
                }
            ],
        },
    }
    assert contract.check("POST", "/repos/o/r/check-runs", {}, body) == []


def test_missing_required_body_field_is_named(contract: Contract) -> None:
    problems = contract.check("POST", "/repos/o/r/check-runs", {}, {"name": "x"})
    assert len(problems) == 1
    assert "'head_sha' is a required property" in problems[0]


def test_wrong_enum_in_body_is_named(contract: Contract) -> None:
    body = {"name": "x", "head_sha": "a", "conclusion": "passed"}
    problems = contract.check("POST", "/repos/o/r/check-runs", {}, body)
    assert len(problems) == 1
    assert "conclusion" in problems[0]


def test_too_many_annotations_is_one_short_problem(contract: Contract) -> None:
    annotation = {
        "path": "p",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "notice",
        "message": "m",
    }
    body = {
        "name": "x",
        "head_sha": "a",
        "output": {"title": "t", "summary": "s", "annotations": [annotation] * 51},
    }
    problems = contract.check("POST", "/repos/o/r/check-runs", {}, body)
    assert len(problems) == 1
    assert "output/annotations" in problems[0]
    assert len(problems[0]) < 300


def test_missing_required_body(contract: Contract) -> None:
    problems = contract.check("POST", "/repos/o/r/issues/1/comments")
    assert problems == [
        "POST /repos/o/r/issues/1/comments (issues/create-comment): request body is required"
    ]


def test_unknown_and_mistyped_query_parameters(contract: Contract) -> None:
    problems = contract.check(
        "GET", "/repos/o/r/pulls/1/files", {"per_page": "lots", "sort": "name"}
    )
    assert any("'per_page'='lots' is not an integer" in p for p in problems)
    assert any("undocumented query parameter 'sort'" in p for p in problems)


def test_documented_query_parameters_pass(contract: Contract) -> None:
    assert (
        contract.check(
            "GET", "/repos/o/r/commits", {"sha": "main", "path": "rfcs/x.md", "per_page": "1"}
        )
        == []
    )
    assert contract.check("GET", "/repos/o/r/git/trees/abc", {"recursive": "1"}) == []


def test_non_integer_path_parameter(contract: Contract) -> None:
    assert contract.check("GET", "/repos/o/r/pulls/abc") == [
        "GET /repos/o/r/pulls/abc (pulls/get): path parameter 'pull_number'='abc' is not an integer"
    ]


def test_nullable_becomes_a_null_type() -> None:
    assert to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert to_json_schema({"enum": ["a"], "nullable": True}) == {"enum": ["a", None]}
    assert to_json_schema({"properties": {"x": {"type": "integer", "nullable": True}}}) == {
        "properties": {"x": {"type": ["integer", "null"]}}
    }


def test_tree_entry_with_null_sha_is_accepted(contract: Contract) -> None:
    body = {
        "base_tree": "a" * 40,
        "tree": [{"path": "rfcs/0000-x.md", "mode": "100644", "type": "blob", "sha": None}],
    }
    assert contract.check("POST", "/repos/o/r/git/trees", {}, body) == []


# ------------------------------------------------------------------ the contract checker


def tiny_spec() -> dict[str, Any]:
    """A one-operation description using features the vendored subset happens not to."""
    return {
        "info": {"version": "test"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "things/get",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {
                            "name": "full",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "boolean"},
                        },
                        {"name": "sort", "in": "query", "schema": {"enum": ["asc", "desc"]}},
                    ],
                },
                "post": {
                    "operationId": "things/create",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "tags": {"type": "array", "items": {"type": "string"}},
                                        "owner": {
                                            "nullable": True,
                                            "$ref": "#/components/schemas/user",
                                        },
                                    },
                                }
                            }
                        },
                    },
                },
            }
        },
        "components": {"schemas": {"user": {"type": "object", "required": ["login"]}}},
    }


def test_contract_checks_required_boolean_and_enum_query() -> None:
    contract = Contract(tiny_spec())
    assert contract.check("GET", "/things/1", {"full": "true", "sort": "asc"}) == []
    assert contract.check("GET", "/things/1", {"full": "yes", "sort": "up"}) == [
        "GET /things/1 (things/get): query parameter 'full'='yes' is not a boolean",
        "GET /things/1 (things/get): query parameter 'sort'='up' is not one of ['asc', 'desc']",
    ]
    assert contract.check("GET", "/things/x", {}) == [
        "GET /things/x (things/get): path parameter 'id'='x' is not an integer",
        "GET /things/x (things/get): missing required query parameter 'full'",
    ]


def test_contract_body_rules() -> None:
    contract = Contract(tiny_spec())
    assert contract.check("POST", "/things/1", {}, {"owner": None}) == []
    assert contract.check("POST", "/things/1", {}, {"owner": {}}) != []
    assert contract.check("GET", "/things/1", {"full": "true"}, {"x": 1}) == [
        "GET /things/1 (things/get): request body sent to an operation that takes none"
    ]
    many = contract.check("POST", "/things/1", {}, {"tags": list(range(8))})
    assert len(many) == 6
    assert many[-1].endswith("... and 3 more body problems")


def test_nullable_without_a_type_becomes_any_of() -> None:
    ref = {"$ref": "#/components/schemas/user"}
    assert to_json_schema({**ref, "nullable": True}) == {"anyOf": [ref, {"type": "null"}]}
