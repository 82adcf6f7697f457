"""Change rules: the old and new version of one RFC file compared (lint's ``base``).

``compare`` is a pure function of the two documents; the registered check only calls it when
lint was given a base (``None`` meaning the file is new in this change).
"""

from __future__ import annotations

from bot.rfc.diagnostics import Severity
from bot.rfc.document import Document
from bot.rfc.rules.base import NO_BASE, LintContext, Rule, checker, define, parse_date
from bot.rfc.workflow import reachable, rfc_authors

FAMILY = "changes"
_UNASSIGNED = frozenset({"", "tbd", "[assigned when merged]"})

NUMBER_CHANGED = define(
    "number-changed",
    Severity.ERROR,
    "An assigned RFC Number never changes.",
    doc="Once an RFC has a number, it keeps it: links and the index refer to it.",
    bad="- **RFC Number:** 0042\n+ **RFC Number:** 0043",
    good="  **RFC Number:** 0042",
    fix="Restore the RFC Number from the base branch.",
    family=FAMILY,
)
CREATED_CHANGED = define(
    "created-changed",
    Severity.ERROR,
    "Created never changes.",
    doc="`**Created:**` records when the RFC was first written; edits bump Last Updated instead.",
    bad="- **Created:** 2024-05-01\n+ **Created:** 2024-06-01",
    good="  **Created:** 2024-05-01\n+ **Last Updated:** 2024-06-01",
    fix="Restore Created from the base branch and set Last Updated instead.",
    family=FAMILY,
)
STATUS_TRANSITION = define(
    "status-transition",
    Severity.ERROR,
    "Status moves only along the configured transitions.",
    doc="A changed Status must be an allowed next status of the old one (`transitions`; by "
    "default Draft -> Proposed, Proposed -> Final or Draft, Final -> Deprecated). An unchanged "
    "status is always fine. Prefer the `/rfc status <new>` command, which checks permissions.",
    bad="- **Status:** Draft\n+ **Status:** Final",
    good="- **Status:** Draft\n+ **Status:** Proposed",
    fix="Move one step at a time, e.g. with '/rfc status proposed'.",
    family=FAMILY,
)
STATUS_INITIAL = define(
    "status-initial",
    Severity.ERROR,
    "A new RFC starts with the initial status.",
    doc="An RFC added by this change starts as `initial_status` (default Draft).",
    bad="(new file) **Status:** Final",
    good="(new file) **Status:** Draft",
    fix="Start the RFC as the initial status; it moves on through review.",
    family=FAMILY,
)
STATUS_UNAUTHORISED = define(
    "status-unauthorised",
    Severity.ERROR,
    "A status changed by hand is a move the pull request's author may make.",
    doc="Checked by the App, which knows who opened the pull request and which moves it made "
    "itself: a Status changed in a pull request must be reachable from the base branch's "
    "status (the initial status for a new RFC) through moves its author may make "
    "(`permissions`; authorship comes from the base branch's Author(s) line) or moves the App "
    "committed on an authorised `/rfc status` command. A move with a decision rule "
    "(`decisions`, by default Proposed -> Final) is never made by hand, not even by a "
    "maintainer: only the App's move at the end of the decision passes. Editing "
    "`**Status:** Final` by hand does not make an RFC Final. Not checked by `rfc-bot lint`, "
    "which cannot know who edits.",
    bad="(opened by an author, not a maintainer)\n- **Status:** Proposed\n+ **Status:** Final",
    good="(the App's commit after '/rfc status final' by a maintainer)\n+ **Status:** Final",
    fix="Restore the Status line and ask for the move with the `/rfc status` command.",
    family=FAMILY,
)
NUMBER_PREASSIGNED = define(
    "number-preassigned",
    Severity.ERROR,
    "A new RFC is unnumbered.",
    doc="An RFC added by this change is named `0000-slug.md` with RFC Number "
    "`[Assigned when merged]`; with `numbering: sequential` the bot assigns the number on "
    "merge. Not checked with `numbering: pull-request`.",
    bad="(new file) rfcs/0042-job-retries.md",
    good="(new file) rfcs/0000-job-retries.md",
    fix="Name the file 0000-<slug>.md and leave RFC Number as '[Assigned when merged]'.",
    family=FAMILY,
)
LAST_UPDATED_STALE = define(
    "last-updated-stale",
    Severity.WARNING,
    "A content change comes with a newer Last Updated.",
    doc="When the text changes, Last Updated moves forward. It may stay the same only when the "
    "old Last Updated is already today; going backwards is always flagged.",
    bad="(text changed)\n  **Last Updated:** 2024-05-01",
    good="(text changed)\n- **Last Updated:** 2024-05-01\n+ **Last Updated:** 2024-05-09",
    fix="Set Last Updated to today's date.",
    family=FAMILY,
)


@checker
def check_changes(doc: Document, ctx: LintContext) -> None:
    if ctx.base is not NO_BASE:
        compare(ctx.base, doc, ctx)


def compare(old: Document | None, new: Document, ctx: LintContext) -> None:
    """Report what the change from ``old`` (None: no old version) to ``new`` breaks."""
    if old is None:
        _check_new(new, ctx)
        return
    _check_number(old, new, ctx)
    _check_created(old, new, ctx)
    _check_status(old, new, ctx)
    _check_last_updated(old, new, ctx)


def _canonical_status(value: str | None, ctx: LintContext) -> str | None:
    return ctx.config.canonical_status(value)


def _proven_reachable(
    old: Document | None, new: Document, before: str, after: str, ctx: LintContext
) -> bool:
    """The move ``before -> after`` is made of moves this pull request may contain."""
    provenance = ctx.provenance
    assert provenance is not None
    authors = rfc_authors(None if old is None else old.authors, new.authors, provenance.opener)
    return reachable(before, after, provenance.moves(ctx.config, authors))


def _unauthorised(new: Document, before: str, after: str, ctx: LintContext) -> None:
    command = f"/rfc status {after.lower()}"
    if _gated(before, after, ctx):
        message = (
            f"Status moved from {before} to {after} by hand, a move that needs a decision "
            f"(approvals and a comment period) whoever makes it; comment '{command}' to start "
            "it (the App makes the move when the decision completes)."
        )
    else:
        message = (
            f"Status moved from {before} to {after} by hand, a move this pull request's author "
            f"may not make; comment '{command}' to ask for it (the App makes the move when the "
            "commenter may)."
        )
    _at_field(ctx, new, "Status", STATUS_UNAUTHORISED, message)


def _gated(before: str, after: str, ctx: LintContext) -> bool:
    """Whether the way from ``before`` to ``after`` passes a move with a decision rule."""
    config = ctx.config
    ungated = [
        (current, target)
        for current in config.statuses
        for target in config.allowed_next(current)
        if config.decision_rule(current, target) is None
    ]
    return not reachable(before, after, ungated)


def _at_field(ctx: LintContext, doc: Document, key: str, rule: Rule, message: str) -> None:
    found = doc.metadata.get(key)
    if found is None:
        return
    ctx.report(rule, found.line, message, column=found.column, end_column=found.end_column)


def _check_new(new: Document, ctx: LintContext) -> None:
    status = _canonical_status(new.status, ctx)
    initial = ctx.config.initial_status
    if status is None or status == initial:
        pass
    elif ctx.provenance is None or not reachable(initial, status, _workflow(ctx)):
        _report_initial(new, status, ctx)
    elif not _proven_reachable(None, new, initial, status, ctx):
        _unauthorised(new, initial, status, ctx)
    _check_new_number(new, ctx)


def _workflow(ctx: LintContext) -> list[tuple[str, str]]:
    config = ctx.config
    return [(a, b) for a in config.statuses for b in config.allowed_next(a)]


def _report_initial(new: Document, status: str, ctx: LintContext) -> None:
    _at_field(
        ctx,
        new,
        "Status",
        STATUS_INITIAL,
        f"A new RFC starts as '{ctx.config.initial_status}', not '{status}'.",
    )


def _check_new_number(new: Document, ctx: LintContext) -> None:
    if ctx.config.numbering != "sequential":
        return
    number = (new.field("RFC Number") or "").lower()
    if ctx.name is not None and ctx.name.assigned:
        ctx.report(
            NUMBER_PREASSIGNED,
            1,
            f"A new RFC is named 0000-{ctx.name.slug}.md; the bot numbers it on merge.",
        )
    elif number not in _UNASSIGNED:
        _at_field(
            ctx,
            new,
            "RFC Number",
            NUMBER_PREASSIGNED,
            "A new RFC has no number yet; write '[Assigned when merged]'.",
        )


def _check_number(old: Document, new: Document, ctx: LintContext) -> None:
    before = (old.field("RFC Number") or "").strip()
    after = (new.field("RFC Number") or "").strip()
    if before.lower() in _UNASSIGNED or before == after:
        return
    if new.metadata.get("RFC Number") is None:
        ctx.report(NUMBER_CHANGED, 1, f"The RFC Number line ({before}) was removed; restore it.")
        return
    _at_field(
        ctx,
        new,
        "RFC Number",
        NUMBER_CHANGED,
        f"RFC Number changed from {before} to '{after}'; an assigned number never changes.",
    )


def _check_created(old: Document, new: Document, ctx: LintContext) -> None:
    before, after = old.field("Created"), new.field("Created")
    if before is None or parse_date(before) is None or before == after:
        return
    _at_field(
        ctx,
        new,
        "Created",
        CREATED_CHANGED,
        f"Created changed from {before} to '{after}'; restore {before}.",
    )


def _check_status(old: Document, new: Document, ctx: LintContext) -> None:
    before = _canonical_status(old.status, ctx)
    after = _canonical_status(new.status, ctx)
    if before is None or after is None or before == after:
        return
    if ctx.provenance is None:
        _check_transition(new, before, after, ctx)
    elif not _proven_reachable(old, new, before, after, ctx):
        if reachable(before, after, _workflow(ctx)):
            _unauthorised(new, before, after, ctx)
        else:
            _check_transition(new, before, after, ctx)


def _check_transition(new: Document, before: str, after: str, ctx: LintContext) -> None:
    allowed = ctx.config.allowed_next(before)
    if after not in allowed:
        options = ", ".join(allowed) if allowed else "nothing (it is final)"
        _at_field(
            ctx,
            new,
            "Status",
            STATUS_TRANSITION,
            f"Status cannot move from {before} to {after}; from {before} it can move to {options}.",
        )


def _check_last_updated(old: Document, new: Document, ctx: LintContext) -> None:
    if old.lines == new.lines:
        return
    before = parse_date(old.field("Last Updated") or "")
    after = parse_date(new.field("Last Updated") or "")
    if before is None or after is None:
        return
    if after < before or (after == before and before < ctx.today):
        _at_field(
            ctx,
            new,
            "Last Updated",
            LAST_UPDATED_STALE,
            f"The RFC changed but Last Updated is {after}; set it to {ctx.today}.",
        )
