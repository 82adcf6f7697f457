"""The config's field table and what it drives, knowing nothing of the rule registry.

The engine's low modules (rules, paths, template) import ``Config`` from here; everything
else imports ``bot.rfc.config``, which adds the rule registry (the ids ``rules:`` may name).
"""

from bot.rfc.config.fields import (
    CONFIG_PATH,
    DEFAULT_DECISIONS,
    DEFAULT_OPTIONAL_SECTIONS,
    DEFAULT_PERMISSIONS,
    DEFAULT_STATUSES,
    DEFAULT_TARGET_APPS,
    DEFAULT_TRANSITIONS,
    NUMBERING_STRATEGIES,
    PERMISSION_ROLES,
    RULE_SETTINGS,
    Config,
    DecisionRule,
    LabelConfig,
    NumberingStrategy,
    RuleSetting,
)
from bot.rfc.config.problems import ConfigError, ConfigProblem

__all__ = [
    "CONFIG_PATH",
    "DEFAULT_DECISIONS",
    "DEFAULT_OPTIONAL_SECTIONS",
    "DEFAULT_PERMISSIONS",
    "DEFAULT_STATUSES",
    "DEFAULT_TARGET_APPS",
    "DEFAULT_TRANSITIONS",
    "NUMBERING_STRATEGIES",
    "PERMISSION_ROLES",
    "RULE_SETTINGS",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "DecisionRule",
    "LabelConfig",
    "NumberingStrategy",
    "RuleSetting",
]
