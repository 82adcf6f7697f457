"""Legacy problems: what an RFC already had before a change, on lines the change did not touch,
reported below its severity (config ``legacy``), so that a new rule or template does not turn
every later edit of an old RFC red on lines nobody touched.

A problem is legacy when all of these hold:

- the RFC exists on the base (a new RFC must pass whole), and the change keeps its Status
  (a status change is a decision about the whole document: then every line must pass);
- the change touched none of the problem's lines (it wrote none of them and removed nothing
  between two of them), as its diff says;
- the base version has the same problem at the same place: the same rule, on the line the
  head's line came from, with the same message but for its numbers (messages cite other
  lines, which move). So a problem the change causes somewhere else, like a required
  section it deletes, whose finding lands on an untouched line, is still an error.

Change rules (status moves, the number, dates against the base) are about the change itself,
and a file that could not be checked (unreadable, empty, out of time) is never legacy.

``review`` decides what it can from the head's findings alone; only when some finding could
be legacy does it ask for the base's findings (``Pending.finish``), so linting the base costs
nothing for an RFC without errors.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.rules import RULES
from bot.rfc.touched import Touched, lone_carriage_return, parse_patch

# Findings that say the file could not be checked: nothing to compare with the base.
_UNCHECKED = frozenset({"file-unreadable", "file-empty", "lint-timeout"})
_CHANGE_FAMILY = "changes"
_NUMBERS = re.compile(r"\d+")
LEGACY_NOTE = " (legacy: the base already had this, on lines this change does not touch)"

# Why a file's legacy problems count in full, as the check and the CLI say it.
HELD_STATUS = "its Status changes here, so the whole RFC must pass"
HELD_NO_DIFF = (
    "GitHub sent no diff for this file (it leaves out diffs over 500 KB or 20,000 lines), so "
    "every line counts as touched"
)
HELD_BAD_DIFF = "its diff could not be read, so every line counts as touched"
HELD_BASE_UNREADABLE = "its base version cannot be linted, so nothing can be compared with it"
HELD_CARRIAGE = (
    "it breaks lines with a lone carriage return (\\r), so the diff's line numbers are not "
    "the RFC's; every line counts as touched"
)
HELD_BASE_MOVED = (
    "the base branch changed this RFC since the pull request branched, so its diff is not "
    "against the base checked; merge the base branch in to fix this"
)
HELD_HEAD_MOVED = "its diff is not of the version checked (a newer push will be checked)"


@dataclass(frozen=True, slots=True)
class Legacy:
    """One file's findings after the legacy pass.

    ``lowered``: how many legacy problems were reported at a lower severity, by that severity;
    ``hidden``: how many were not reported (``off``). ``held``: why the file's problems all
    count in full although some would otherwise be legacy (empty: nothing was held).
    """

    diagnostics: tuple[Diagnostic, ...]
    lowered: tuple[tuple[Severity, int], ...] = ()
    hidden: int = 0
    held: str = ""

    @property
    def count(self) -> int:
        return sum(count for _, count in self.lowered) + self.hidden


@dataclass(frozen=True, slots=True)
class Pending:
    """Some findings could be legacy: ``finish`` with the base's own findings decides."""

    diagnostics: tuple[Diagnostic, ...]
    candidates: frozenset[int]  # indexes into diagnostics of the untouched, lowerable ones
    touched: Touched
    config: Config = field(repr=False)

    def finish(self, base_diagnostics: Iterable[Diagnostic]) -> Legacy:
        """Lower each candidate the base also had (each base finding excuses one)."""
        known = Counter(_key(d.rule, d.line, d.message) for d in base_diagnostics)
        kept: list[Diagnostic] = []
        lowered: Counter[Severity] = Counter()
        hidden = 0
        for index, diagnostic in enumerate(self.diagnostics):
            key = _key(diagnostic.rule, self.touched.base_line(diagnostic.line), diagnostic.message)
            if index not in self.candidates or not known[key]:
                kept.append(diagnostic)
                continue
            known[key] -= 1
            cap = cap_for(diagnostic.rule, self.config)
            if cap == "off":
                hidden += 1
                continue
            kept.append(_lower(diagnostic, Severity(cap)))
            lowered[Severity(cap)] += 1
        order = sorted(lowered.items(), key=lambda item: -item[0].rank)
        return Legacy(tuple(kept), tuple(order), hidden)


def could_be_legacy(diagnostics: Iterable[Diagnostic], config: Config) -> bool:
    """Whether any finding could be legacy at all (a caller can skip the diff if none)."""
    return any(_lowerable(diagnostic, config) for diagnostic in diagnostics)


def review(
    diagnostics: Sequence[Diagnostic],
    *,
    patch: str | None,
    status_before: str | None,
    status_after: str | None,
    head: bytes | str,
    base: bytes | str | None,
    config: Config,
) -> Legacy | Pending:
    """The legacy pass over one file's findings, as far as they alone decide it.

    ``patch``: the change's unified diff of the file (None: unknown, every line touched).
    ``status_before``: the base's status, canonical (as ``lint`` gives it with a base);
    ``status_after``: the head's, as written. ``base``: the base's text, None for a new file.
    """
    found = tuple(diagnostics)
    lowerable = [i for i, d in enumerate(found) if _lowerable(d, config)]
    if base is None or not lowerable:
        return Legacy(found)
    head_text, base_text = _text(head), _text(base)
    if base_text is None or head_text is None:
        return Legacy(found, held=HELD_BASE_UNREADABLE)
    if config.canonical_status(status_after) != status_before:
        return Legacy(found, held=HELD_STATUS)
    touched, held = _line_map(patch, head_text, base_text)
    if touched is None:
        return Legacy(found, held=held)
    untouched = frozenset(
        i for i in lowerable if not touched.touches(found[i].line, found[i].end_line)
    )
    if not untouched:
        return Legacy(found)
    return Pending(found, untouched, touched, config)


def cap_for(rule: str, config: Config) -> str:
    """The most a legacy problem of ``rule`` is reported as: a severity, or ``off``."""
    return config.legacy.rules.get(rule, config.legacy.untouched_lines)


@functools.cache
def never_legacy() -> frozenset[str]:
    """The rules whose findings are never legacy: the change rules and the unchecked file."""
    changes = {rule.id for rule in RULES if rule.family == _CHANGE_FAMILY}
    return _UNCHECKED | changes


def _lowerable(diagnostic: Diagnostic, config: Config) -> bool:
    cap = cap_for(diagnostic.rule, config)
    if diagnostic.rule in never_legacy():
        return False
    return cap == "off" or Severity(cap).rank < diagnostic.severity.rank


def _text(content: bytes | str) -> str | None:
    """The text as the diff sees it (a byte-order mark kept), None when it is not UTF-8."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _line_map(patch: str | None, head_text: str, base_text: str) -> tuple[Touched | None, str]:
    """The change's touched lines, or None and why they cannot be trusted."""
    if patch is None:
        return None, HELD_NO_DIFF
    touched = parse_patch(patch)
    if touched is None:
        return None, HELD_BAD_DIFF
    if lone_carriage_return(head_text) or lone_carriage_return(base_text):
        return None, HELD_CARRIAGE
    base_fits, head_fits = touched.fits(base_text, head_text)
    if not base_fits:
        return None, HELD_BASE_MOVED
    if not head_fits:
        return None, HELD_HEAD_MOVED
    return touched, ""


def _key(rule: str, line: int, message: str) -> tuple[str, int, str]:
    return rule, line, _NUMBERS.sub("#", message)


def _lower(diagnostic: Diagnostic, severity: Severity) -> Diagnostic:
    return replace(diagnostic, severity=severity, message=diagnostic.message + LEGACY_NOTE)
