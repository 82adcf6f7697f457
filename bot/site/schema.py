"""``rfcs.json``: the document and its JSON Schema.

The site ships the schema next to the document (``rfcs.schema.json``), and the document names
it (``"$schema"``), so a consumer of a published site can validate what it fetched.
``python3 -m bot.site.schema`` prints docs/rfcs.schema.json (a test fails when it drifts).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.site.model import SiteRfc

FORMAT_VERSION = 1
SCHEMA_FILE = "rfcs.schema.json"  # beside rfcs.json in the built site

_DATE = {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"}
_NUMBERS = {"type": "array", "items": {"type": "integer", "minimum": 1}}
_STRINGS = {"type": "array", "items": {"type": "string"}}

_RFC_PROPERTIES: dict[str, tuple[dict[str, Any], str]] = {
    "number": ({"type": "integer", "minimum": 0}, "From the file name; 0 until merged."),
    "path": ({"type": "string"}, "The file, relative to the repository root."),
    "page": ({"type": "string"}, "The RFC's HTML page, relative to the site root."),
    "title": ({"type": "string"}, "The H1 title (the file name when there is none)."),
    "status": ({"type": "string"}, "The Status field as written; empty when missing."),
    "target_apps": (_STRINGS, "The Target Application(s), in order."),
    "authors": (_STRINGS, "The GitHub logins of the authors, without '@'."),
    "author_text": ({"type": "string"}, "The Author(s) field as written."),
    "created": (_DATE, "Created (YYYY-MM-DD), empty when missing or not a date."),
    "last_updated": (_DATE, "Last Updated (YYYY-MM-DD), empty when missing or not a date."),
    "superseded_by": (_NUMBERS, "The RFCs named by 'Superseded By'."),
    "replaces": (_NUMBERS, "The RFCs named by 'Replaces'."),
    "summary": ({"type": "string"}, "The Summary section's text, on one line, shortened."),
    "lint": (
        {
            "type": "object",
            "properties": {
                "errors": {"type": "integer", "minimum": 0},
                "warnings": {"type": "integer", "minimum": 0},
            },
            "required": ["errors", "warnings"],
            "additionalProperties": False,
        },
        "Lint findings on the file (an RFC with errors is listed, never dropped).",
    ),
}


def rfc_json(rfc: SiteRfc) -> dict[str, Any]:
    return {
        "number": rfc.number,
        "path": rfc.path,
        "page": rfc.page,
        "title": rfc.title,
        "status": rfc.status,
        "target_apps": rfc.target_apps,
        "authors": rfc.authors,
        "author_text": rfc.author_text,
        "created": rfc.created,
        "last_updated": rfc.last_updated,
        "superseded_by": rfc.superseded_by,
        "replaces": rfc.replaces,
        "summary": rfc.summary,
        "lint": {"errors": rfc.errors, "warnings": rfc.warnings},
    }


def rfcs_document(rfcs: Sequence[SiteRfc]) -> str:
    data = {
        "$schema": SCHEMA_FILE,
        "version": FORMAT_VERSION,
        "rfcs": [rfc_json(rfc) for rfc in rfcs],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def json_schema() -> dict[str, Any]:
    rfc = {
        "type": "object",
        "properties": {
            name: {**schema, "description": text}
            for name, (schema, text) in _RFC_PROPERTIES.items()
        },
        "required": list(_RFC_PROPERTIES),
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rfcs.json: every RFC of a site built by `rfc-bot site`",
        "type": "object",
        "properties": {
            "$schema": {
                "type": "string",
                "description": f"This document's JSON Schema: {SCHEMA_FILE}, beside it.",
            },
            "version": {"const": FORMAT_VERSION},
            "rfcs": {"type": "array", "items": {"$ref": "#/$defs/rfc"}},
        },
        "required": ["version", "rfcs"],
        "additionalProperties": False,
        "$defs": {"rfc": rfc},
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover - `python3 -m bot.site.schema`
    print(schema_text(), end="")
