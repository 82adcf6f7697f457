"""The rule registry: importing the family modules registers their rules and checks; ``RULES``
in documentation order, ``check`` runs them all."""

from __future__ import annotations

import bot.rfc.rules.changes as changes
import bot.rfc.rules.follow_up as follow_up
import bot.rfc.rules.index as index
import bot.rfc.rules.metadata as metadata
import bot.rfc.rules.prompts as prompts
import bot.rfc.rules.structure as structure
import bot.rfc.rules.supersession as supersession
import bot.rfc.rules.tables as tables
from bot.rfc.diagnostics import Diagnostic
from bot.rfc.document import Document
from bot.rfc.rules.base import LintContext, Rule, registered_checks, registered_rules

# Documentation order: by family, then as each module defines them.
FAMILY_ORDER = (
    "file",
    "structure",
    "metadata",
    "supersession",
    "prompts",
    "tables",
    "changes",
    "follow-up",
    "index",
)
RULES: tuple[Rule, ...] = tuple(
    sorted(registered_rules(), key=lambda rule: FAMILY_ORDER.index(rule.family))
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
FAMILIES = (structure, metadata, supersession, prompts, tables, changes, follow_up, index)

__all__ = ["RULES", "RULES_BY_ID", "LintContext", "Rule", "check"]


def check(doc: Document, ctx: LintContext) -> list[Diagnostic]:
    """Run every registered check on ``doc``; returns the raw (un-overridden) diagnostics."""
    ctx.document = doc
    for run in registered_checks():
        run(doc, ctx)
    return ctx.diagnostics
