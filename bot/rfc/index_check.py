"""The ``index-outdated`` check: does the RFC index table say what the RFC files say?

A repository-level rule: it looks at the index file and every RFC file's index entry at once,
so it runs beside ``lint()`` (which sees one file) rather than inside it. Pure: the index's
text and the entries in, diagnostics out.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.edits import INDEX_START, IndexEntry, index_is_current
from bot.rfc.rules.index import INDEX_OUTDATED

MESSAGE = "The RFC index is out of date."


def index_check_enabled(config: Config) -> bool:
    """False when the repository's config turns ``index-outdated`` off."""
    return config.rules.get(INDEX_OUTDATED.id) != "off"


def check_index(
    path: str,
    text: str,
    entries: Sequence[IndexEntry],
    config: Config,
    *,
    fix: str | None = None,
) -> list[Diagnostic]:
    """One ``index-outdated`` finding on the start marker's line (the first line without
    one) when regenerating the index from ``entries`` would change ``text``; none when it is
    current or the rule is off. ``fix``: how to regenerate it in the caller's terms (the
    rule's own fix text by default)."""
    if not index_check_enabled(config) or index_is_current(text, entries):
        return []
    setting = config.rules.get(INDEX_OUTDATED.id)
    lines = text.splitlines()
    line = next((n for n, body in enumerate(lines, 1) if INDEX_START in body), 1)
    width = len(lines[line - 1]) if lines else 1
    return [
        Diagnostic(
            rule=INDEX_OUTDATED.id,
            severity=INDEX_OUTDATED.severity if setting is None else Severity(setting),
            path=path,
            line=line,
            column=1,
            end_line=line,
            end_column=max(width, 1),
            message=MESSAGE,
            help=INDEX_OUTDATED.fix if fix is None else fix,
        )
    ]
