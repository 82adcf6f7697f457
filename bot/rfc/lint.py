"""``lint()``: one parse, every rule, the repository's severity overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import Document, parse
from bot.rfc.paths import parse_name
from bot.rfc.rules import check
from bot.rfc.rules.base import NO_BASE, LintContext, NoBase
from bot.rfc.rules.structure import FILE_UNREADABLE, report_empty
from bot.rfc.template import bundled
from bot.rfc.workflow import Provenance

__all__ = ["MAX_BYTES", "NO_BASE", "LintResult", "apply_overrides", "decode", "lint"]

MAX_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class LintResult:
    path: str
    diagnostics: list[Diagnostic]
    document: Document | None  # None when the content was unusable (see file-unreadable)
    # The status before this change (the initial status for a new file), when lint had a base.
    status_before: str | None = None

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def decode(content: str | bytes) -> tuple[str | None, str | None]:
    """(text, None) for usable content, else (None, why it is unusable)."""
    size = (
        len(content.encode("utf-8", "surrogatepass")) if isinstance(content, str) else len(content)
    )
    if size > MAX_BYTES:
        return None, f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}"
    if isinstance(content, bytes):
        if b"\x00" in content:
            return None, "the file is binary (it contains NUL bytes)"
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as error:
            return None, f"the file is not valid UTF-8 (byte {error.start + 1})"
    if "\x00" in content:
        return None, "the file is binary (it contains NUL characters)"
    return content.removeprefix("\ufeff"), None


def lint(
    path: str,
    content: str | bytes,
    config: Config,
    *,
    base: str | bytes | NoBase | None = NO_BASE,
    today: date | None = None,
    provenance: Provenance | None = None,
    known_files: frozenset[str] | None = None,
) -> LintResult:
    """Lint one RFC file. ``base``: NO_BASE (no change rules), None (new file) or the old text.

    ``provenance`` (the App's knowledge of who changed the status) turns on
    ``status-unauthorised``; without it any allowed workflow move passes. ``known_files``
    (the repository's files) turns on ``rfc-link-target``.
    """
    ctx = LintContext(
        path=path,
        config=config,
        today=today or datetime.now(UTC).date(),
        template=bundled(),
        name=parse_name(path),
        base=_base_document(base),
        provenance=provenance,
        known_files=known_files,
    )
    text, problem = decode(content)
    if text is None:
        ctx.report(FILE_UNREADABLE, 1, f"Cannot lint {path}: {problem}.", end_column=1)
        return LintResult(path, apply_overrides(ctx.diagnostics, config), None)
    document = parse(text)
    if text.strip():
        diagnostics = check(document, ctx)
    else:
        # Every rule would fail on an empty file: one diagnostic says what to do instead.
        report_empty(document, ctx)
        diagnostics = ctx.diagnostics
    return LintResult(path, apply_overrides(diagnostics, config), document, _status_before(ctx))


def _status_before(ctx: LintContext) -> str | None:
    if ctx.base is None:
        return ctx.config.initial_status
    if ctx.base is NO_BASE:
        return None
    return ctx.config.canonical_status(ctx.base.status)


def _base_document(base: str | bytes | NoBase | None) -> Document | NoBase | None:
    if base is None or base is NO_BASE:
        return base
    text, _ = decode(base)
    # An unusable old version cannot be compared against: skip the change rules.
    return NO_BASE if text is None else parse(text)


def apply_overrides(diagnostics: list[Diagnostic], config: Config) -> list[Diagnostic]:
    """The repository's severity overrides applied (``off`` drops), sorted by place."""
    overrides = config.rules
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        setting = overrides.get(diagnostic.rule)
        if setting == "off":
            continue
        if setting is not None and setting != diagnostic.severity:
            diagnostic = diagnostic.with_severity(Severity(setting))
        kept.append(diagnostic)
    kept.sort(key=lambda d: d.sort_key)
    return kept
