"""Project configuration: defaults drawn from the RFC template, overridable by
.github/rfc-bot.yml. The public entry point for every caller outside the engine's low modules.

The field table and everything it drives live in ``bot.rfc.config``, which knows nothing
of the rule registry (the rules import ``Config`` from it). This module binds the two: the
``rules:`` key may name only registered rule ids.

``python3 -m bot.rfc.config schema`` prints docs/rfc-bot.schema.json;
``python3 -m bot.rfc.config keys`` prints the key table of docs/config.md.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Mapping
from types import MappingProxyType

import bot.rfc.config as config_table
from bot.rfc.config import *  # noqa: F403  (this module is the table's public face)
from bot.rfc.config import CONFIG_PATH, Config
from bot.rfc.config.json_schema import config_schema
from bot.rfc.config.markdown import keys_table
from bot.rfc.config.yaml_file import default_config_yaml, read_config

__all__ = [
    *config_table.__all__,
    "default_config_yaml",
    "json_schema_text",
    "keys_table",
    "load_config",
]


def load_config(text: str, source: str = CONFIG_PATH) -> Config:
    """Parse YAML config text into a Config; raise ConfigError listing every problem, each
    with source, line and key. An empty file (or one holding only comments) means the defaults.
    """
    return read_config(text, source, rule_summaries())


def json_schema_text() -> str:
    """docs/rfc-bot.schema.json: the JSON Schema of the config file, rule ids included."""
    return json.dumps(config_schema(rule_summaries()), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def rule_summaries() -> Mapping[str, str]:
    """Registered rule id -> summary."""
    from bot.rfc.rules import RULES  # lazy: `rfc-bot new` and `config --defaults` skip the engine

    return MappingProxyType({rule.id: rule.summary for rule in RULES})


def main(argv: list[str]) -> int:
    outputs = {"schema": json_schema_text, "keys": keys_table}
    if len(argv) != 1 or argv[0] not in outputs:
        print("usage: python3 -m bot.rfc.config schema|keys", file=sys.stderr)
        return 2
    sys.stdout.write(outputs[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
