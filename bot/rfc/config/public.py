"""Project configuration: defaults drawn from the RFC template, overridable by
.github/rfc-bot.yml. The public face of ``bot.rfc.config`` for every caller outside it.

The field table and everything it drives know nothing of the rule registry (the rules import
``Config`` from ``bot.rfc.config.fields``). This module binds the two: the ``rules:`` key may
name only registered rule ids.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from types import MappingProxyType

from bot.rfc.config.effective import effective_yaml
from bot.rfc.config.extends import EXTENDS_KEY, OWNERS_KEY, ExtendsSpec, ExtendsTarget, is_owner
from bot.rfc.config.fields import (
    CONFIG_PATH,
    DEFAULT_DECISIONS,
    DEFAULT_OPTIONAL_SECTIONS,
    DEFAULT_PERMISSIONS,
    DEFAULT_STATUSES,
    DEFAULT_TARGET_APPS,
    DEFAULT_TRANSITIONS,
    MAINTAINERS_GROUP,
    NUMBERING_STRATEGIES,
    PERMISSION_ROLES,
    RULE_SETTINGS,
    Config,
    DecisionRule,
    DigestConfig,
    LabelConfig,
    LegacyConfig,
    NumberingStrategy,
    RuleSetting,
)
from bot.rfc.config.json_schema import config_schema
from bot.rfc.config.layers import (
    MAX_CONFIG_BYTES,
    ConfigFile,
    merge_layers,
    origins,
    parse_config_file,
    read_layers,
)
from bot.rfc.config.markdown import keys_table
from bot.rfc.config.problems import ConfigError, ConfigProblem
from bot.rfc.config.scalar_kinds import format_duration
from bot.rfc.config.yaml_file import default_config_yaml

__all__ = [
    "CONFIG_PATH",
    "DEFAULT_DECISIONS",
    "DEFAULT_OPTIONAL_SECTIONS",
    "DEFAULT_PERMISSIONS",
    "DEFAULT_STATUSES",
    "DEFAULT_TARGET_APPS",
    "DEFAULT_TRANSITIONS",
    "EXTENDS_KEY",
    "MAINTAINERS_GROUP",
    "MAX_CONFIG_BYTES",
    "NUMBERING_STRATEGIES",
    "OWNERS_KEY",
    "PERMISSION_ROLES",
    "RULE_SETTINGS",
    "Config",
    "ConfigError",
    "ConfigFile",
    "ConfigProblem",
    "DecisionRule",
    "DigestConfig",
    "ExtendsSpec",
    "ExtendsTarget",
    "LabelConfig",
    "LegacyConfig",
    "NumberingStrategy",
    "RuleSetting",
    "default_config_yaml",
    "effective_yaml",
    "format_duration",
    "is_owner",
    "json_schema_text",
    "keys_table",
    "load_config",
    "load_layers",
    "merge_layers",
    "origins",
    "parse_config_file",
]


def load_config(text: str, source: str = CONFIG_PATH) -> Config:
    """Parse YAML config text into a Config; raise ConfigError listing every problem, each
    with source, line and key. An empty file (or one holding only comments) means the defaults.

    ``_extends`` is checked, not followed: this reads one file (the App follows it, see
    ``bot.features.config``; ``load_layers`` reads a chain).
    """
    file = parse_config_file(text, source)
    try:
        config = load_layers([file])
    except ConfigError as error:
        raise ConfigError.of([*file.problems, *error.problems]) from None
    if file.problems:
        raise ConfigError.of(file.problems)
    return config


def load_layers(files: list[ConfigFile]) -> Config:
    """The Config of config files merged, nearest first (``_extends``); ConfigError names
    every problem in its own file. The files' directive problems are theirs to report."""
    return read_layers(files, rule_summaries())


def json_schema_text() -> str:
    """docs/rfc-bot.schema.json: the JSON Schema of the config file, rule ids included."""
    return json.dumps(config_schema(rule_summaries()), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def rule_summaries() -> Mapping[str, str]:
    """Registered rule id -> summary."""
    from bot.rfc.rules import RULES  # lazy: `rfc-bot new` and `config --defaults` skip the engine

    return MappingProxyType({rule.id: rule.summary for rule in RULES})
