"""``LintSummary``: a lint's result as the App keeps it, the document cut to the facts it reads.

The lint pool sends these back from its processes and the handlers read them
(``bot.features.context``), so they live here, with ``lint()``, below both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import Document
from bot.rfc.lint import LintResult


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What the App reads of a linted ``Document`` (check summary, labels, permissions).

    A ``Document`` of a 1 MB RFC pickles to 1.9 MB, and its pickle round trip costs 11-15 % of
    its lint, mostly unpickling on the event loop; these four fields cost next to nothing."""

    title: str | None
    status: str | None
    target_apps: list[str]
    authors: list[str]

    @classmethod
    def of(cls, document: Document) -> DocumentSummary:
        return cls(document.title, document.status, document.target_apps, document.authors)


@dataclass(frozen=True, slots=True)
class LintSummary:
    """``LintResult`` with the document reduced to its ``DocumentSummary``."""

    path: str
    diagnostics: list[Diagnostic]
    document: DocumentSummary | None  # None: unusable content, or the lint ran out of time
    status_before: str | None = None  # see ``LintResult.status_before``

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    @classmethod
    def of(cls, result: LintResult) -> LintSummary:
        document = DocumentSummary.of(result.document) if result.document else None
        return cls(result.path, result.diagnostics, document, result.status_before)
