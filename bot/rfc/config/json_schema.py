"""The JSON Schema of ``.github/rfc-bot.yml``, derived from the field table.

Published as docs/rfc-bot.schema.json so editors (yaml-language-server) complete and check
the file. The schema is for editors: the reader (``yaml_file.read_config``) stays the judge,
and everything the schema accepts, the reader accepts.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.rfc.config.extends import (
    EXTENDS_KEY,
    MAX_OWNERS,
    MAX_VALUE_LENGTH,
    OWNERS_KEY,
)
from bot.rfc.config.fields import CONFIG_PATH, Config
from bot.rfc.config.kinds import JsonSchema
from bot.rfc.config.sections import section_schema

# The grammar of ``extends.parse_extends`` (which stays the judge), for editors.
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
_NAME = r"[A-Za-z0-9._-]{1,100}"
_NO_DOTS = r"(?!\.{1,2}(?::|$))(?!.*[/:]\.{1,2}(?:/|$))"
EXTENDS_PATTERN = f"^{_NO_DOTS}(?:{_OWNER}/)?{_NAME}(?::{_NAME}(?:/{_NAME}){{0,19}}\\.ya?ml)?$"
DIRECTIVES: JsonSchema = {
    EXTENDS_KEY: {
        "type": "string",
        "maxLength": MAX_VALUE_LENGTH,
        "pattern": EXTENDS_PATTERN,
        "description": "Start from another repository's file (its default branch): .github, "
        "REPO, OWNER/REPO or OWNER/REPO:PATH.yml; this file's keys win, mappings merge, "
        "lists are replaced. See docs/config.md.",
    },
    OWNERS_KEY: {
        "type": "array",
        "items": {"type": "string", "pattern": f"^{_OWNER}$"},
        "maxItems": MAX_OWNERS,
        "uniqueItems": True,
        "description": "Other accounts whose files _extends may reach (by default only this "
        "repository's owner).",
    },
}

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_schema(rules: Mapping[str, str]) -> JsonSchema:
    """The schema; ``rules`` maps each rule id the ``rules`` key may name to its summary."""
    body = section_schema(Config, rules)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": f"rfc-bot configuration ({CONFIG_PATH})",
        "description": "Every key is optional; an empty file means the defaults. "
        "Read from the repository's default branch.",
        # An empty file (or one holding only comments) is null in YAML: the defaults.
        "type": ["object", "null"],
        "properties": {**body["properties"], **DIRECTIVES},
        "additionalProperties": False,
    }
