"""Check requests against GitHub's official REST description (the vendored subset).

The simulator calls :meth:`Contract.check` for every request it receives, so an end-to-end
test fails when the App uses an undocumented path, an unknown query parameter or a request
body that GitHub's schema rejects — exactly the mistakes a hand-written fake would accept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SUBSET_PATH = Path(__file__).with_name("github-subset.json")

# Query parameters GitHub accepts on any endpoint without documenting them per operation.
UNIVERSAL_QUERY = frozenset({"access_token"})


class _NoBody:
    """Marker: the request had no body at all (distinct from a JSON ``null``)."""


NO_BODY: Any = _NoBody()


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    multi_segment: bool


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    body_required: bool
    body_validator: Draft202012Validator | None
    pattern: re.Pattern[str] = field(compare=False)

    def path_params(self, path: str) -> dict[str, str] | None:
        """The decoded path parameters when ``path`` (raw, still URL-encoded) matches."""
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}

    @property
    def literal_weight(self) -> int:
        # Longer literal text wins: /commits/{ref}/check-runs before /commits/{ref}.
        return len(re.sub(r"\{[^}]+\}", "", self.template))


class Contract:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.version: str = spec.get("info", {}).get("version", "unknown")
        components = to_json_schema(spec.get("components", {}))
        self._operations = sorted(
            (
                build_operation(spec, components, method, template, operation)
                for template, operations in spec["paths"].items()
                for method, operation in operations.items()
            ),
            key=lambda op: -op.literal_weight,
        )

    @classmethod
    def load(cls, path: Path = SUBSET_PATH) -> Contract:
        return _load_cached(path)

    @property
    def operations(self) -> list[Operation]:
        return list(self._operations)

    def match(self, method: str, path: str) -> Operation | None:
        method = method.lower()
        for operation in self._operations:
            if operation.method == method and operation.path_params(path) is not None:
                return operation
        return None

    def check(
        self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = NO_BODY
    ) -> list[str]:
        """Every way the request departs from GitHub's description (empty: it conforms)."""
        operation = self.match(method, path)
        where = f"{method.upper()} {path}"
        if operation is None:
            return [f"{where}: not a documented GitHub REST operation"]
        params = operation.path_params(path) or {}
        problems = check_path_params(operation, params)
        problems += check_query(operation, dict(query or {}))
        problems += check_body(operation, body)
        return [f"{where} ({operation.operation_id}): {problem}" for problem in problems]


@cache
def _load_cached(path: Path) -> Contract:
    return Contract(json.loads(path.read_text(encoding="utf-8")))


def build_operation(
    spec: dict[str, Any],
    components: dict[str, Any],
    method: str,
    template: str,
    operation: dict[str, Any],
) -> Operation:
    parameters = tuple(
        build_parameter(resolve(spec, raw)) for raw in operation.get("parameters", [])
    )
    multi = {p.name for p in parameters if p.location == "path" and p.multi_segment}
    body = operation.get("requestBody", {})
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    validator = None
    if schema is not None:
        # Components ride along at the root so "#/components/schemas/..." refs resolve.
        root = {**to_json_schema(schema), "components": components}
        validator = Draft202012Validator(root)
    return Operation(
        method=method,
        template=template,
        operation_id=operation.get("operationId", f"{method} {template}"),
        parameters=parameters,
        body_required=bool(body.get("required")),
        body_validator=validator,
        pattern=template_pattern(template, multi),
    )


def build_parameter(raw: dict[str, Any]) -> Parameter:
    return Parameter(
        name=raw["name"],
        location=raw["in"],
        required=bool(raw.get("required")),
        schema=to_json_schema(raw.get("schema", {})),
        multi_segment=bool(raw.get("x-multi-segment")),
    )


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return resolve(spec, target)


def template_pattern(template: str, multi_segment: set[str]) -> re.Pattern[str]:
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            pattern += f"(?P<{name}>.+)" if name in multi_segment else f"(?P<{name}>[^/]+)"
        else:
            pattern += re.escape(piece)
    return re.compile(pattern)


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema 2020-12: ``nullable: true`` allows null."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is not True:
        return converted
    kind = converted.get("type")
    if isinstance(kind, str):
        converted["type"] = [kind, "null"]
    elif "enum" not in converted:
        return {"anyOf": [converted, {"type": "null"}]}
    if "enum" in converted and None not in converted["enum"]:
        converted["enum"] = [*converted["enum"], None]
    return converted


def check_path_params(operation: Operation, values: dict[str, str]) -> list[str]:
    problems = []
    for parameter in operation.parameters:
        if parameter.location == "path" and parameter.name in values:
            problem = scalar_problem(parameter, values[parameter.name])
            if problem:
                problems.append(problem)
    return problems


def check_query(operation: Operation, query: dict[str, str]) -> list[str]:
    declared = {p.name: p for p in operation.parameters if p.location == "query"}
    problems = [
        f"undocumented query parameter {name!r}"
        for name in sorted(query)
        if name not in declared and name not in UNIVERSAL_QUERY
    ]
    for name, parameter in declared.items():
        if name not in query:
            if parameter.required:
                problems.append(f"missing required query parameter {name!r}")
            continue
        problem = scalar_problem(parameter, query[name])
        if problem:
            problems.append(problem)
    return problems


def scalar_problem(parameter: Parameter, raw: str) -> str | None:
    """Whether a URL parameter's text fits its declared scalar schema."""
    value: Any = raw
    kind = parameter.schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            return f"{parameter.location} parameter {parameter.name!r}={raw!r} is not an integer"
        value = int(raw)
    elif kind == "boolean":
        if raw not in ("true", "false"):
            return f"{parameter.location} parameter {parameter.name!r}={raw!r} is not a boolean"
        value = raw == "true"
    enum = parameter.schema.get("enum")
    if enum is not None and value not in enum:
        return f"{parameter.location} parameter {parameter.name!r}={raw!r} is not one of {enum}"
    return None


# A bad 51-annotation body must not produce 51 screenfuls: keep the first few problems.
MAX_BODY_PROBLEMS = 5
MAX_MESSAGE = 160


def check_body(operation: Operation, body: Any) -> list[str]:
    if body is NO_BODY:
        return ["request body is required"] if operation.body_required else []
    if operation.body_validator is None:
        return ["request body sent to an operation that takes none"]
    problems = [describe(error) for error in operation.body_validator.iter_errors(body)]
    if len(problems) > MAX_BODY_PROBLEMS:
        hidden = len(problems) - MAX_BODY_PROBLEMS
        problems = [*problems[:MAX_BODY_PROBLEMS], f"... and {hidden} more body problems"]
    return problems


def describe(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    message = error.message
    if len(message) > MAX_MESSAGE:
        # The message quotes the whole instance; name the failed keyword instead.
        message = f"fails {error.validator!r}: {error.validator_value!r}"
    return f"request body at {where}: {message}"
