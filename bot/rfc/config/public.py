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
    LabelConfig,
    LegacyConfig,
    NumberingStrategy,
    RuleSetting,
)
from bot.rfc.config.json_schema import config_schema
from bot.rfc.config.markdown import keys_table
from bot.rfc.config.problems import ConfigError, ConfigProblem
from bot.rfc.config.scalar_kinds import format_duration
from bot.rfc.config.yaml_file import default_config_yaml, read_config

__all__ = [
    "CONFIG_PATH",
    "DEFAULT_DECISIONS",
    "DEFAULT_OPTIONAL_SECTIONS",
    "DEFAULT_PERMISSIONS",
    "DEFAULT_STATUSES",
    "DEFAULT_TARGET_APPS",
    "DEFAULT_TRANSITIONS",
    "MAINTAINERS_GROUP",
    "NUMBERING_STRATEGIES",
    "PERMISSION_ROLES",
    "RULE_SETTINGS",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "DecisionRule",
    "LabelConfig",
    "LegacyConfig",
    "NumberingStrategy",
    "RuleSetting",
    "default_config_yaml",
    "format_duration",
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
