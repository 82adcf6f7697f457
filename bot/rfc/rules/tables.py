"""Tables and lists with a required shape: risks, success metrics, the changelog."""

from __future__ import annotations

import re
from datetime import date

from bot.rfc.diagnostics import Severity
from bot.rfc.document import Cell, Document, Section, Table, normalize_title
from bot.rfc.rules.base import LintContext, checker, define, parse_date

FAMILY = "tables"
RISK_COLUMNS = ("Risk", "Probability", "Impact", "Mitigation Strategy")
RATINGS = ("High", "Medium", "Low")
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")

RISKS_TABLE = define(
    "risks-table",
    Severity.ERROR,
    "Risks and Mitigations has the template's table with at least one real row.",
    doc="The `## Risks and Mitigations` section holds a table with the columns "
    + " | ".join(RISK_COLUMNS)
    + " and at least one row that is not a template prompt.",
    bad="## Risks and Mitigations\n\nNone really.",
    good="## Risks and Mitigations\n\n| Risk | Probability | Impact | Mitigation Strategy |\n"
    "|---|---|---|---|\n| Retry storms | Medium | High | Jittered backoff, retry budget |",
    fix="Use the template's risk table and describe at least one risk.",
    family=FAMILY,
)
RISKS_RATING = define(
    "risks-rating",
    Severity.ERROR,
    "Risk Probability and Impact are High, Medium or Low.",
    doc="Each risk row rates Probability and Impact as High, Medium or Low (any case).",
    bad="| Retry storms | Likely | 8/10 | Jittered backoff |",
    good="| Retry storms | Medium | High | Jittered backoff |",
    fix="Rate the risk as High, Medium or Low.",
    family=FAMILY,
)
SUCCESS_METRICS = define(
    "success-metrics",
    Severity.ERROR,
    "Success Metrics lists at least one metric.",
    doc="`## Success Metrics` has at least one list item that is not a template prompt.",
    bad="## Success Metrics\n\nWe will know it when we see it.",
    good="## Success Metrics\n\n- **Job success rate:** from 97.1% to at least 99.5%",
    fix="Add a list item per metric, with its target value.",
    family=FAMILY,
)
CHANGELOG_ENTRY = define(
    "changelog-entry",
    Severity.ERROR,
    "The Changelog has at least one dated entry.",
    doc="`## Changelog` has at least one `### YYYY-MM-DD ...` heading with a real date.",
    bad="## Changelog\n\n- Initial draft",
    good="## Changelog\n\n### 2024-05-01 - Version 1.0\n- Initial draft",
    fix="Add a '### YYYY-MM-DD - Version N' heading for each revision.",
    family=FAMILY,
)
CHANGELOG_DATE = define(
    "changelog-date",
    Severity.ERROR,
    "The newest Changelog entry is not after Last Updated.",
    doc="The newest changelog entry is dated on or before `**Last Updated:**`; a later entry "
    "means Last Updated was not bumped.",
    bad="**Last Updated:** 2024-05-01\n...\n### 2024-05-09 - Version 1.1",
    good="**Last Updated:** 2024-05-09\n...\n### 2024-05-09 - Version 1.1",
    fix="Set Last Updated to the date of the newest changelog entry (or later).",
    family=FAMILY,
)


def _first_section(doc: Document, title: str) -> Section | None:
    found = doc.find_sections(title)
    return found[0] if found else None


def _tables_in(doc: Document, section: Section) -> list[Table]:
    return [t for t in doc.tables if section.line < t.line <= section.end_line]


def _is_real(ctx: LintContext, cells: tuple[Cell, ...]) -> bool:
    return any(c.text.strip() and not ctx.template.prompts_in(c.text) for c in cells)


@checker
def check_risks(doc: Document, ctx: LintContext) -> None:
    section = _first_section(doc, "Risks and Mitigations")
    if section is None:
        return
    tables = _tables_in(doc, section)
    if not tables:
        ctx.report(
            RISKS_TABLE,
            section.line,
            "Risks and Mitigations has no table; add one with the columns "
            + " | ".join(RISK_COLUMNS)
            + ".",
        )
        return
    table = tables[0]
    header = tuple(normalize_title(cell.text) for cell in table.header)
    if header != tuple(normalize_title(column) for column in RISK_COLUMNS):
        written = " | ".join(cell.text for cell in table.header)
        ctx.report(
            RISKS_TABLE,
            table.line,
            f"The risk table's columns are '{written}'; use " + " | ".join(RISK_COLUMNS) + ".",
        )
        return
    real_rows = [row for row in table.rows if _is_real(ctx, row)]
    if not real_rows:
        ctx.report(
            RISKS_TABLE, table.line, "The risk table has no real risk; describe at least one."
        )
    for row in real_rows:
        for cell in row[1:3]:
            _check_rating(ctx, cell)


def _check_rating(ctx: LintContext, cell: Cell) -> None:
    if ctx.template.prompts_in(cell.text):
        return  # reported by template-prompt
    if cell.text.strip().lower() in {rating.lower() for rating in RATINGS}:
        return
    shown = cell.text.strip() or "empty"
    ctx.report(
        RISKS_RATING,
        cell.line,
        f"Rating '{shown}' is not High, Medium or Low.",
        column=cell.column,
        end_column=cell.end_column,
    )


@checker
def check_success_metrics(doc: Document, ctx: LintContext) -> None:
    section = _first_section(doc, "Success Metrics")
    if section is None:
        return
    metrics = [
        item
        for item in doc.list_items
        if section.line < item.line <= section.end_line
        and item.text
        and not ctx.template.prompts_in(item.text)
    ]
    if not metrics:
        ctx.report(
            SUCCESS_METRICS,
            section.line,
            "Success Metrics lists no metric; add a list item per metric with its target.",
        )


@checker
def check_changelog(doc: Document, ctx: LintContext) -> None:
    section = _first_section(doc, "Changelog")
    if section is None:
        return
    entries: list[tuple[date, Section]] = []
    for child in section.children:
        match = _DATED.match(child.title)
        value = parse_date(match[1]) if match else None
        if value is not None:
            entries.append((value, child))
    if not entries:
        ctx.report(
            CHANGELOG_ENTRY,
            section.line,
            "The Changelog has no dated entry; add '### YYYY-MM-DD - Version 1.0'.",
        )
        return
    newest, entry = max(entries, key=lambda pair: pair[0])
    updated = parse_date(doc.field("Last Updated") or "")
    if updated is not None and newest > updated:
        ctx.report(
            CHANGELOG_DATE,
            entry.line,
            f"Changelog entry {newest} is after Last Updated {updated}; "
            f"set Last Updated to {newest} or later.",
        )
