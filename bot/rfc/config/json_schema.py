"""The JSON Schema of ``.github/rfc-bot.yml``, derived from the field table.

Published as docs/rfc-bot.schema.json so editors (yaml-language-server) complete and check
the file. The schema is for editors: the reader (``yaml_file.read_config``) stays the judge,
and everything the schema accepts, the reader accepts.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.rfc.config.fields import CONFIG_PATH, Config
from bot.rfc.config.kinds import JsonSchema
from bot.rfc.config.sections import section_schema

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
        "properties": body["properties"],
        "additionalProperties": False,
    }
