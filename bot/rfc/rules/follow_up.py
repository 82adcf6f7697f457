"""What follows acceptance: links between RFCs that must point at files that exist, and the
``**Tracking Issue:**`` line, which only the App writes (in the numbering commit)."""

from __future__ import annotations

import posixpath

from bot.rfc.diagnostics import Severity
from bot.rfc.document import TRACKING_ISSUE, Document
from bot.rfc.links import destinations, target
from bot.rfc.rules.base import NO_BASE, LintContext, checker, define

FAMILY = "follow-up"

LINK_TARGET = define(
    "rfc-link-target",
    Severity.ERROR,
    "A relative link to an RFC file points at a file that exists.",
    doc="Each relative link (or reference definition) that leads into the RFC directory and "
    "names a `.md` file names one that is there: a typo, or an RFC renamed by hand, leaves a "
    "link that goes nowhere. Checked when the linter knows the repository's files: the App "
    "lists the pull request's head, `rfc-bot lint` reads the working tree. The App rewrites "
    "links to an RFC it numbers itself (docs/numbering.md).",
    bad="See [the old retries RFC](0041-job-retry.md).\n\n(no rfcs/0041-job-retry.md)",
    good="See [the old retries RFC](0041-job-retries.md).",
    fix="Point the link at an RFC file that exists (`rfcs/NNNN-slug.md`).",
    family=FAMILY,
)
TRACKING_BY_APP = define(
    "tracking-issue-by-app",
    Severity.WARNING,
    "Only the App writes the Tracking Issue line.",
    doc="`**Tracking Issue:** #N` is recorded by the App in the numbering commit of an RFC "
    "merged accepted (with `follow_up.tracking_issue` on). A line added or changed in a pull "
    "request counts for nothing: the App finds its own issue and overwrites the line. Checked "
    "when lint has the earlier version (`--base`, and always in the App).",
    bad="(added in the pull request)\n**Tracking Issue:** #12",
    good="(no Tracking Issue line: the App adds it when the RFC merges)",
    fix="Remove the line: the App opens the tracking issue and records it when the RFC merges.",
    family=FAMILY,
)


@checker
def check_links(doc: Document, ctx: LintContext) -> None:
    known = ctx.known_files
    if known is None:
        return
    folder = ctx.config.rfc_dir
    for first_line, text in _runs_naming_md(doc):
        for found in destinations(text, needle=".md"):
            resolved = target(found.raw, ctx.path)
            if resolved is None or not resolved.path.casefold().endswith(".md"):
                continue
            if posixpath.dirname(resolved.path) != folder or resolved.path in known:
                continue
            ctx.report(
                LINK_TARGET,
                first_line + found.line - 1,
                f"The link points at `{resolved.path}`, which is not in the repository.",
                column=found.column,
                end_column=found.column + len(found.raw) - 1,
            )


def _runs_naming_md(doc: Document) -> list[tuple[int, str]]:
    """(first line, text) of each run of non-blank lines outside code that names a ``.md``
    file: a link never spans a blank line, so only these are parsed again (most of an RFC
    is not, and a document without such a line costs one pass over its lines)."""
    runs: list[tuple[int, str]] = []
    start, named = 0, False
    lines: list[str] = []
    for number, line in enumerate([*doc.lines, ""], start=1):
        if line.strip() and number not in doc.code_lines:
            if not lines:
                start = number
            lines.append(line)
            named = named or ".md" in line.casefold()
            continue
        if named:
            runs.append((start, "\n".join(lines)))
        lines, named = [], False
    return runs


@checker
def check_tracking_line(doc: Document, ctx: LintContext) -> None:
    found = doc.metadata.get(TRACKING_ISSUE)
    base = ctx.base
    if found is None or base is NO_BASE:
        return
    before = None if base is None else base.field(TRACKING_ISSUE)
    if before == found.value:
        return
    verb = "added" if before is None else f"changed from '{before}'"
    ctx.report(
        TRACKING_BY_APP,
        found.line,
        f"The Tracking Issue line was {verb} by hand; the App writes it when the RFC merges "
        "and ignores this value.",
        column=found.column,
        end_column=found.end_column,
    )
