"""The official SARIF 2.1.0 schema (vendored under tests/data/sarif, see its LICENSE.md) as a
validator with format checking on: ``uri``, ``uri-reference`` and ``date-time`` are checked,
not skipped (jsonschema skips a format it has no checker for, silently)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
CHECKED_FORMATS = frozenset({"uri", "uri-reference", "date-time"})


@functools.cache
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    # FormatChecker() holds every format jsonschema knows, across drafts: the schema is
    # draft-04 but uses uri-reference (a draft-06 name), which Draft4's own checker lacks.
    checker = jsonschema.FormatChecker()
    missing = CHECKED_FORMATS - set(checker.checkers)
    assert not missing, f"install the test extra: no format checker for {sorted(missing)}"
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def sarif_errors(log: object) -> list[str]:
    """Every schema violation, as ``path: message``."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in sarif_validator().iter_errors(log)
    ]


def assert_valid_sarif(log: object) -> None:
    errors = sarif_errors(log)
    assert not errors, "\n".join(errors)
