"""The `**Key:** value` metadata block under the title."""

from __future__ import annotations

import re

import bot.rfc.authors as authors
from bot.rfc.diagnostics import Severity
from bot.rfc.document import (
    KNOWN_METADATA_KEYS,
    METADATA_KEYS,
    OPTIONAL_METADATA_KEYS,
    Document,
    MetadataField,
)
from bot.rfc.rules.base import LintContext, Rule, checker, define, parse_date
from bot.rfc.spelling import suggest

FAMILY = "metadata"
_UNASSIGNED = frozenset({"", "tbd", "[assigned when merged]"})
_NUMBER = re.compile(r"^#?(\d+)$")

METADATA_MISSING = define(
    "metadata-missing",
    Severity.ERROR,
    "Every metadata field of the template is present.",
    doc="The block under the title has each field of the template: "
    + ", ".join(f"`**{key}:**`" for key in METADATA_KEYS)
    + ". The diagnostic points where the field belongs.",
    bad="# Job Retries\n\n**Status:** Draft  \n**RFC Number:** [Assigned when merged]",
    good="# Job Retries\n\n**Status:** Draft  \n**Target Application(s):** orchestrator  \n"
    "**RFC Number:** [Assigned when merged]",
    fix="Add the missing `**Field:** value` line to the metadata block.",
    family=FAMILY,
)
METADATA_UNKNOWN = define(
    "metadata-unknown",
    Severity.ERROR,
    "No fields other than the template's.",
    doc="A `**Key:** value` line in the metadata block must be one of the template's fields, "
    "or one of the optional fields "
    + ", ".join(f"`**{key}:**`" for key in OPTIONAL_METADATA_KEYS)
    + " (see the supersession and follow-up rules). Near misses get a suggestion.",
    bad="**Authors:** @jdoe",
    good="**Author(s):** @jdoe",
    fix="Rename the field to the template's spelling, or move the line into a section.",
    family=FAMILY,
)
METADATA_DUPLICATE = define(
    "metadata-duplicate",
    Severity.ERROR,
    "Each metadata field appears once.",
    doc="A field written twice is ambiguous; the bot reads the first one.",
    bad="**Status:** Draft  \n**Status:** Proposed",
    good="**Status:** Draft",
    fix="Delete the repeated line.",
    family=FAMILY,
)
METADATA_ORDER = define(
    "metadata-order",
    Severity.WARNING,
    "Metadata fields follow the template's order.",
    doc="Fields are listed in the template's order so every RFC reads the same.",
    bad="**RFC Number:** [Assigned when merged]  \n**Status:** Draft",
    good="**Status:** Draft  \n**RFC Number:** [Assigned when merged]",
    fix="Reorder the lines as in the template.",
    family=FAMILY,
)
STATUS_INVALID = define(
    "status-invalid",
    Severity.ERROR,
    "Status is one of the configured statuses.",
    doc="`**Status:**` is one of `statuses` (default Draft, Proposed, Final, Deprecated).",
    bad="**Status:** In review",
    good="**Status:** Proposed",
    fix="Use one of the configured statuses; a new RFC starts as Draft.",
    family=FAMILY,
)
STATUS_CASE = define(
    "status-case",
    Severity.WARNING,
    "Status is written with the configured capitalisation.",
    doc="A status that matches only case-insensitively (`draft`) is understood, but written "
    "as configured (`Draft`) so labels and the index stay consistent.",
    bad="**Status:** draft",
    good="**Status:** Draft",
    fix="Write the status exactly as configured.",
    family=FAMILY,
)
TARGET_APPS = define(
    "target-apps",
    Severity.ERROR,
    "Target Application(s) lists one or more known applications.",
    doc="A comma-separated list with at least one entry, each one of `target_apps` (default "
    "api, orchestrator, jobmaster, jobmaster-gui, shared). Near misses get a suggestion.",
    bad="**Target Application(s):** jobmaster gui, scheduler",
    good="**Target Application(s):** jobmaster-gui, orchestrator",
    fix="List the affected applications by their configured names, separated by commas.",
    family=FAMILY,
)
DATE_FORMAT = define(
    "date-format",
    Severity.ERROR,
    "Created and Last Updated are real YYYY-MM-DD dates.",
    doc="Both dates are ISO calendar dates (`2024-05-01`), not other formats or impossible days.",
    bad="**Created:** 05/01/2024  \n**Last Updated:** 2024-02-30",
    good="**Created:** 2024-05-01  \n**Last Updated:** 2024-05-03",
    fix="Write the date as YYYY-MM-DD.",
    family=FAMILY,
)
DATE_FUTURE = define(
    "date-future",
    Severity.ERROR,
    "Dates are not in the future.",
    doc="Created and Last Updated are not later than today (UTC).",
    bad="**Created:** 2999-01-01",
    good="**Created:** 2024-05-01",
    fix="Use today's date or the real date of the change.",
    family=FAMILY,
)
DATE_ORDER = define(
    "date-order",
    Severity.ERROR,
    "Last Updated is not before Created.",
    doc="An RFC cannot be updated before it was created.",
    bad="**Created:** 2024-05-03  \n**Last Updated:** 2024-05-01",
    good="**Created:** 2024-05-01  \n**Last Updated:** 2024-05-03",
    fix="Correct whichever date is wrong.",
    family=FAMILY,
)
AUTHORS = define(
    "authors",
    Severity.ERROR,
    "Author(s) names at least one author; each GitHub @username in it is a valid login.",
    doc="Authors are separated by commas, semicolons or 'and'; each is written "
    "`Name (@login)`, `@login`, `Name <email>`, an e-mail address or a name, for example "
    "`Jane Doe (@jdoe); priya@example.com and @bob`. An `@` that starts a word begins a "
    "GitHub username, which must be a valid login (1-39 letters, digits or single hyphens, "
    "not starting or ending with a hyphen); the `@` of an e-mail address does not. The "
    "logins decide who may move the RFC's status, so give each author's.",
    bad="**Author(s):** Jane Doe (@jane.doe), @-bob",
    good="**Author(s):** Jane Doe (@jdoe); priya@example.com and @bob",
    fix="Write each GitHub username as @login, e.g. 'Jane Doe (@jdoe)'.",
    family=FAMILY,
)
RFC_NUMBER = define(
    "rfc-number",
    Severity.ERROR,
    "RFC Number matches the file: unassigned on 0000 files, the file's number otherwise.",
    doc="On an unnumbered file (`0000-slug.md`) the number stays unassigned: "
    "`[Assigned when merged]`, `TBD` or empty; the bot assigns it on merge. On a numbered "
    "file it equals the number in the file name.",
    bad="rfcs/0000-job-retries.md: **RFC Number:** 0042",
    good="rfcs/0000-job-retries.md: **RFC Number:** [Assigned when merged]",
    fix="Leave the number to the bot on new RFCs; on numbered files use the file's number.",
    family=FAMILY,
)


def _at_value(ctx: LintContext, rule: Rule, found: MetadataField, message: str) -> None:
    ctx.report(rule, found.line, message, column=found.column, end_column=found.end_column)


@checker
def check_fields(doc: Document, ctx: LintContext) -> None:
    seen: dict[str, MetadataField] = {}
    known_order: list[MetadataField] = []
    for found in doc.metadata_fields:
        key_span = {"column": found.key_column, "end_column": found.key_end_column}
        if not found.known:
            hint = suggest(found.key, KNOWN_METADATA_KEYS)
            ctx.report(
                METADATA_UNKNOWN,
                found.line,
                f"Unknown metadata field '{found.key}'{hint}.",
                **key_span,
            )
        elif found.key in seen:
            ctx.report(
                METADATA_DUPLICATE,
                found.line,
                f"'{found.key}' is repeated (first on line {seen[found.key].line}); "
                "delete this line.",
                **key_span,
            )
        else:
            seen[found.key] = found
            known_order.append(found)
    _check_order(ctx, known_order)
    _check_missing(doc, ctx, seen)


def _check_order(ctx: LintContext, fields: list[MetadataField]) -> None:
    rank = {key: index for index, key in enumerate(KNOWN_METADATA_KEYS)}
    highest: MetadataField | None = None
    for found in fields:
        if highest is not None and rank[found.key] < rank[highest.key]:
            ctx.report(
                METADATA_ORDER,
                found.line,
                f"'{found.key}' comes before '{highest.key}' in the template; move it up.",
                column=found.key_column,
                end_column=found.key_end_column,
            )
        elif highest is None or rank[found.key] > rank[highest.key]:
            highest = found


def _check_missing(doc: Document, ctx: LintContext, seen: dict[str, MetadataField]) -> None:
    fallback = (doc.title_line or 0) + 1
    for index, key in enumerate(METADATA_KEYS):
        if key in seen:
            continue
        following = next((seen[k] for k in METADATA_KEYS[index + 1 :] if k in seen), None)
        preceding = next((seen[k] for k in reversed(METADATA_KEYS[:index]) if k in seen), None)
        line = following.line if following else (preceding.line + 1 if preceding else fallback)
        line = min(line, max(1, len(doc.lines)))
        ctx.report(METADATA_MISSING, line, f"Missing metadata field '**{key}:**'; add it here.")


def _filled(doc: Document, ctx: LintContext, key: str) -> MetadataField | None:
    """The field when it holds a real value; prompts are left to the template-prompt rule."""
    found = doc.metadata.get(key)
    if found is None or ctx.template.is_prompt(found.value):
        return None
    return found


@checker
def check_status(doc: Document, ctx: LintContext) -> None:
    found = _filled(doc, ctx, "Status")
    if found is None:
        return
    statuses = ctx.config.statuses
    if found.value in statuses:
        return
    canonical = ctx.config.canonical_status(found.value)
    if canonical is not None:
        _at_value(
            ctx, STATUS_CASE, found, f"Write the status as '{canonical}', not '{found.value}'."
        )
        return
    shown = found.value or "empty"
    _at_value(
        ctx,
        STATUS_INVALID,
        found,
        f"Status '{shown}' is not one of {', '.join(statuses)}"
        f"{suggest(found.value, statuses) if found.value else ''}.",
    )


@checker
def check_target_apps(doc: Document, ctx: LintContext) -> None:
    found = _filled(doc, ctx, "Target Application(s)")
    if found is None:
        return
    apps = doc.target_apps
    allowed = ctx.config.target_apps
    if not apps:
        _at_value(
            ctx, TARGET_APPS, found, f"List at least one target application: {', '.join(allowed)}."
        )
        return
    source = doc.lines[found.line - 1]
    start = found.column - 1
    for app in apps:
        position = source.find(app, start)
        start = position + len(app)
        if app in allowed:
            continue
        ctx.report(
            TARGET_APPS,
            found.line,
            f"Unknown target application '{app}'{suggest(app, allowed)}; "
            f"known: {', '.join(allowed)}.",
            column=position + 1,
            end_column=position + len(app),
        )


@checker
def check_dates(doc: Document, ctx: LintContext) -> None:
    dates = {}
    for key in ("Created", "Last Updated"):
        found = _filled(doc, ctx, key)
        if found is None:
            continue
        value = parse_date(found.value)
        if value is None:
            _at_value(
                ctx, DATE_FORMAT, found, f"{key} '{found.value}' is not a real YYYY-MM-DD date."
            )
        elif value > ctx.today:
            _at_value(
                ctx, DATE_FUTURE, found, f"{key} {value} is in the future (today is {ctx.today})."
            )
        else:
            dates[key] = (value, found)
    if len(dates) == 2 and dates["Last Updated"][0] < dates["Created"][0]:
        _at_value(
            ctx,
            DATE_ORDER,
            dates["Last Updated"][1],
            f"Last Updated {dates['Last Updated'][0]} is before Created {dates['Created'][0]}.",
        )


def author_problems(value: str) -> list[str]:
    """What is wrong with an Author(s) value, one message per problem, in order; [] when fine.
    Public: `rfc-bot new --author` refuses what this rule would then reject."""
    return [message for _, message in authors.problems(value)]


@checker
def check_authors(doc: Document, ctx: LintContext) -> None:
    found = _filled(doc, ctx, "Author(s)")
    if found is None:
        return
    for handle, message in authors.problems(found.value):
        if handle is None:
            _at_value(ctx, AUTHORS, found, message)
            continue
        column = found.column + handle.start
        end_column = column + len(handle.login)
        ctx.report(AUTHORS, found.line, message, column=column, end_column=end_column)


@checker
def check_rfc_number(doc: Document, ctx: LintContext) -> None:
    found = doc.metadata.get("RFC Number")
    if found is None or ctx.name is None:
        return
    value = found.value
    if not ctx.name.assigned:
        if value.lower() not in _UNASSIGNED:
            _at_value(
                ctx,
                RFC_NUMBER,
                found,
                f"RFC Number '{value}' is set on an unnumbered file; write "
                "'[Assigned when merged]': the number is assigned on merge.",
            )
        return
    number = _NUMBER.match(value)
    if number is None or int(number[1]) != ctx.name.number:
        expected = f"{ctx.name.number:0{ctx.config.number_width}d}"
        _at_value(
            ctx,
            RFC_NUMBER,
            found,
            f"RFC Number '{value or 'empty'}' does not match the file name; write '{expected}'.",
        )
