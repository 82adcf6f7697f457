"""The supersession checks that need both files: ``supersession-target`` and
``supersession-mismatch``.

A repository-level check like ``index-outdated``: it looks at every RFC of a directory at once,
so it runs beside ``lint()`` (which sees one file). Pure: index entries in, diagnostics out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import REPLACES, SUPERSEDED_BY
from bot.rfc.edits import IndexEntry, RfcRef
from bot.rfc.rules.base import Rule
from bot.rfc.rules.supersession import DEPRECATED, SUPERSESSION_MISMATCH, SUPERSESSION_TARGET
from bot.rfc.spelling import fold


@dataclass(frozen=True, slots=True)
class _Finding:
    rule: Rule
    entry: IndexEntry
    ref: RfcRef
    message: str


def check_supersession(entries: Sequence[IndexEntry], config: Config) -> list[Diagnostic]:
    """Every broken or one-sided supersession among ``entries`` (the RFCs of one directory),
    reported on the line that names the other RFC, in path then line order."""
    by_number = {entry.number: entry for entry in entries if entry.number > 0}
    findings: list[_Finding] = []
    for entry in entries:
        if entry.superseded_by is not None:
            findings += _successor(entry, entry.superseded_by, by_number)
        for ref in entry.replaces:
            findings += _predecessor(entry, ref, by_number)
    diagnostics = [_diagnostic(finding, config) for finding in findings]
    kept = [diagnostic for diagnostic in diagnostics if diagnostic is not None]
    return sorted(kept, key=lambda d: (d.path, d.line, d.rule))


def _successor(entry: IndexEntry, ref: RfcRef, by_number: dict[int, IndexEntry]) -> list[_Finding]:
    successor = by_number.get(ref.number)
    if successor is None:
        return [_missing(entry, ref, SUPERSEDED_BY)]
    if successor.path == entry.path:
        return []  # naming itself: the per-file rule says so
    if fold(successor.status) == DEPRECATED:
        message = (
            f"RFC {ref.number} ({successor.path}) is Deprecated itself; "
            "name the RFC that holds now."
        )
        return [_Finding(SUPERSESSION_TARGET, entry, ref, message)]
    if entry.number not in {other.number for other in successor.replaces}:
        message = (
            f"RFC {ref.number} ({successor.path}) does not say '**{REPLACES}:** RFC "
            f"{entry.number or '(this one, once numbered)'}'; add it there."
        )
        return [_Finding(SUPERSESSION_MISMATCH, entry, ref, message)]
    return []


def _predecessor(
    entry: IndexEntry, ref: RfcRef, by_number: dict[int, IndexEntry]
) -> list[_Finding]:
    predecessor = by_number.get(ref.number)
    if predecessor is None:
        return [_missing(entry, ref, REPLACES)]
    said = predecessor.superseded_by
    if predecessor.path == entry.path or (said is not None and said.number == entry.number > 0):
        return []
    message = (
        f"RFC {ref.number} ({predecessor.path}) does not say '**{SUPERSEDED_BY}:** RFC "
        f"{entry.number or '(this one, once numbered)'}'; add it there."
    )
    return [_Finding(SUPERSESSION_MISMATCH, entry, ref, message)]


def _missing(entry: IndexEntry, ref: RfcRef, key: str) -> _Finding:
    message = f"'{key}' names RFC {ref.number}, but no numbered RFC has that number here."
    return _Finding(SUPERSESSION_TARGET, entry, ref, message)


def _diagnostic(finding: _Finding, config: Config) -> Diagnostic | None:
    setting = config.rules.get(finding.rule.id)
    if setting == "off":
        return None
    ref = finding.ref
    return Diagnostic(
        rule=finding.rule.id,
        severity=finding.rule.severity if setting is None else Severity(setting),
        path=finding.entry.path,
        line=ref.line,
        column=ref.column,
        end_line=ref.line,
        end_column=ref.end_column,
        message=finding.message,
        help=finding.rule.fix,
    )
