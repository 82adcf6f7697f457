"""Rules as data: each rule is a `Rule` record registered with `define`; checks are functions
registered with `@checker` that report diagnostics through a `LintContext`.

Adding a rule touches one place: the family module that defines and checks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from bot.rfc.config.fields import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import Document
from bot.rfc.paths import RfcName
from bot.rfc.template import Template
from bot.rfc.workflow import Provenance


class NoBase(Enum):
    """Sentinel type: lint without comparing against an earlier version."""

    NO_BASE = "no-base"


NO_BASE = NoBase.NO_BASE


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    doc: str  # what it checks, for docs/rules.md
    bad: str = ""  # a failing example (markdown snippet)
    good: str = ""  # the same snippet fixed
    fix: str = ""  # how to fix; also the diagnostic's help text
    family: str = ""


_REGISTRY: dict[str, Rule] = {}
_KEBAB = re.compile(r"^[a-z]+(?:-[a-z0-9]+)*$")


def define(
    rule_id: str,
    severity: Severity,
    summary: str,
    *,
    doc: str,
    bad: str,
    good: str,
    fix: str,
    family: str,
) -> Rule:
    """Register a rule; ids are stable kebab-case and unique."""
    if not _KEBAB.match(rule_id) or rule_id in _REGISTRY:
        raise ValueError(f"rule id {rule_id!r} is not kebab-case or is already defined")
    rule = Rule(
        rule_id,
        severity,
        summary,
        doc.strip(),
        bad.strip("\n"),
        good.strip("\n"),
        fix.strip(),
        family,
    )
    _REGISTRY[rule_id] = rule
    return rule


def registered_rules() -> tuple[Rule, ...]:
    return tuple(_REGISTRY.values())


@dataclass
class LintContext:
    """Everything a check may look at, plus the list it reports into."""

    path: str
    config: Config
    today: date
    template: Template
    name: RfcName | None  # parsed file name, None when it is not NNNN-slug.md
    base: Document | NoBase | None = NO_BASE  # None: the file is new in this change
    # Who changed the status in this change (the App's view); None: any allowed workflow move.
    provenance: Provenance | None = None
    # The repository's files (paths from its root) where links may point; None: not known.
    known_files: frozenset[str] | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    document: Document | None = None

    def report(
        self,
        rule: Rule,
        line: int,
        message: str,
        *,
        column: int = 1,
        end_column: int | None = None,
        end_line: int | None = None,
    ) -> None:
        """Record a finding; without columns it spans the whole line."""
        if end_column is None:
            end_column = self._line_length(end_line or line)
        self.diagnostics.append(
            Diagnostic(
                rule=rule.id,
                severity=rule.severity,
                path=self.path,
                line=line,
                column=column,
                end_line=end_line or line,
                end_column=max(end_column, column),
                message=message,
                help=rule.fix,
            )
        )

    def _line_length(self, line: int) -> int:
        lines = self.document.lines if self.document else []
        return max(1, len(lines[line - 1].rstrip())) if 0 < line <= len(lines) else 1


Check = Callable[[Document, LintContext], None]
_CHECKS: list[Check] = []


def checker(function: Check) -> Check:
    """Register a check function; checks run in registration order."""
    _CHECKS.append(function)
    return function


def registered_checks() -> tuple[Check, ...]:
    return tuple(_CHECKS)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str) -> date | None:
    """A strict YYYY-MM-DD calendar date, or None."""
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
