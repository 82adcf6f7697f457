"""Supersession: ``**Superseded By:** RFC NNNN`` on the old RFC, ``**Replaces:** RFC NNNN`` on
the new one. The per-file checks live here; the checks that need both files run on a directory
(``bot.rfc.supersession``), as the index check does."""

from __future__ import annotations

from bot.rfc.diagnostics import Severity
from bot.rfc.document import REPLACES, SUPERSEDED_BY, Document
from bot.rfc.rules.base import LintContext, checker, define
from bot.rfc.spelling import fold

FAMILY = "supersession"
DEPRECATED = "deprecated"  # the status a superseded RFC is in, matched in any case

SUPERSESSION_FORMAT = define(
    "supersession-format",
    Severity.ERROR,
    "Superseded By and Replaces name RFCs by number.",
    doc="`**Superseded By:**` names the one RFC that replaces this one, and `**Replaces:**` "
    "the RFCs this one replaces (comma-separated), each as `RFC 0042` (`RFC-42`, `#42` and "
    "`0042` are read too). An RFC never names itself. Both fields are optional; "
    "`/rfc status deprecated superseded-by NNNN` writes `Superseded By` for you.",
    bad="rfcs/0007-retries.md:\n**Superseded By:** the new retries RFC",
    good="rfcs/0007-retries.md:\n**Superseded By:** RFC 0012",
    fix="Write the number of the RFC, e.g. `RFC 0012`.",
    family=FAMILY,
)
SUPERSEDED_STATUS = define(
    "superseded-status",
    Severity.WARNING,
    "An RFC that is superseded is Deprecated.",
    doc="An RFC with `**Superseded By:**` no longer holds, so its status is Deprecated "
    "(checked when the configured statuses include Deprecated).",
    bad="**Status:** Final  \n**Superseded By:** RFC 0012",
    good="**Status:** Deprecated  \n**Superseded By:** RFC 0012",
    fix="Deprecate the RFC (`/rfc status deprecated superseded-by NNNN`), or remove the line.",
    family=FAMILY,
)
SUPERSESSION_TARGET = define(
    "supersession-target",
    Severity.ERROR,
    "The RFC named by Superseded By or Replaces exists, and a successor is not Deprecated.",
    doc="Checked when `rfc-bot lint` is given the RFC directory: each RFC named by "
    "`**Superseded By:**` or `**Replaces:**` is a numbered RFC of that directory, and the RFC "
    "named by `**Superseded By:**` is not Deprecated itself (point to the RFC that holds now).",
    bad="rfcs/0007-retries.md:\n**Superseded By:** RFC 0099\n\n(no rfcs/0099-*.md)",
    good="rfcs/0007-retries.md:\n**Superseded By:** RFC 0012\n\n(rfcs/0012-retries-v2.md is Final)",
    fix="Name the RFC that replaces this one and still holds.",
    family=FAMILY,
)
SUPERSESSION_MISMATCH = define(
    "supersession-mismatch",
    Severity.WARNING,
    "Both ends of a supersession agree.",
    doc="Checked when `rfc-bot lint` is given the RFC directory: when RFC A says "
    "`**Superseded By:** RFC B`, RFC B says `**Replaces:** RFC A`, and the other way round, "
    "so a reader of either file finds the other.",
    bad="rfcs/0007-retries.md: **Superseded By:** RFC 0012\n"
    "rfcs/0012-retries-v2.md: (no Replaces line)",
    good="rfcs/0007-retries.md: **Superseded By:** RFC 0012\n"
    "rfcs/0012-retries-v2.md: **Replaces:** RFC 0007",
    fix="Add the missing `**Replaces:**` or `**Superseded By:**` line to the other RFC.",
    family=FAMILY,
)


@checker
def check_supersession_fields(doc: Document, ctx: LintContext) -> None:
    own = ctx.name.number if ctx.name is not None and ctx.name.assigned else None
    for key in (SUPERSEDED_BY, REPLACES):
        found = doc.metadata.get(key)
        if found is None:
            continue
        numbers = doc.rfc_refs(key)
        at = {"column": found.column, "end_column": found.end_column}
        if numbers is None:
            message = f"'{found.value or 'empty'}' does not name an RFC; write e.g. 'RFC 0012'."
            ctx.report(SUPERSESSION_FORMAT, found.line, message, **at)
        elif key == SUPERSEDED_BY and len(numbers) > 1:
            message = "An RFC is superseded by one RFC; name only the one that replaces it."
            ctx.report(SUPERSESSION_FORMAT, found.line, message, **at)
        elif own is not None and own in numbers:
            message = f"RFC {own} cannot name itself in '{key}'."
            ctx.report(SUPERSESSION_FORMAT, found.line, message, **at)
    _check_superseded_status(doc, ctx)


def _check_superseded_status(doc: Document, ctx: LintContext) -> None:
    found = doc.metadata.get(SUPERSEDED_BY)
    has_deprecated = any(fold(status) == DEPRECATED for status in ctx.config.statuses)
    if found is None or not has_deprecated or fold(doc.status or "") == DEPRECATED:
        return
    ctx.report(
        SUPERSEDED_STATUS,
        found.line,
        f"This RFC is superseded but its status is '{doc.status or 'empty'}', not Deprecated.",
    )
