"""The RFC directory's index: a repository-level rule, checked by `rfc-bot lint` on a
directory (the App regenerates the index itself when it numbers an RFC)."""

from __future__ import annotations

from bot.rfc.diagnostics import Severity
from bot.rfc.rules.base import define

FAMILY = "index"

INDEX_OUTDATED = define(
    "index-outdated",
    Severity.WARNING,
    "The RFC index table lists every numbered RFC as the files say.",
    doc="`rfcs/README.md` (the configured `index_file`) holds a table of every numbered RFC "
    "between `<!-- rfc-index:start -->` and `<!-- rfc-index:end -->`: number, linked title, "
    "status, target applications, authors and last update. When a file changes and the "
    "table does not, the index is out of date. Reported on the start marker's line when "
    "`rfc-bot lint` is given the RFC directory.",
    bad="<!-- rfc-index:start -->\n| RFC | Title | Status | ...\n| 0001 | [Audit Log](...) "
    "| Draft | ...\n<!-- rfc-index:end -->\n\n(while rfcs/0001-audit-log.md says "
    "**Status:** Final)",
    good="<!-- rfc-index:start -->\n| RFC | Title | Status | ...\n| 0001 | [Audit Log](...) "
    "| Final | ...\n<!-- rfc-index:end -->",
    fix="Run `rfc-bot index` to regenerate the table; text outside the markers is kept.",
    family=FAMILY,
)
