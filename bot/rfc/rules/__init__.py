"""The lint rules, one module per family (``structure``, ``metadata`` ...); the registry that
collects them is ``bot.rfc.rules.registry``, whose names this face re-exports."""

from bot.rfc.rules.registry import RULES, RULES_BY_ID, LintContext, Rule, check

__all__ = ["RULES", "RULES_BY_ID", "LintContext", "Rule", "check"]
