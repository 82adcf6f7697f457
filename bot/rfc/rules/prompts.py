"""Template prompts (`[Brief 1-2 sentence description ...]`) left in the RFC."""

from __future__ import annotations

from bot.rfc.diagnostics import Severity
from bot.rfc.document import Document
from bot.rfc.rules.base import LintContext, checker, define

TEMPLATE_PROMPT = define(
    "template-prompt",
    Severity.ERROR,
    "No template prompt is left unfilled.",
    doc="A paragraph, list item, table cell, metadata value or heading still holding one of the "
    "template's `[...]` prompts (for example `[Phase Name]`, `[Date] - [Decision Title]`, "
    "`[High/Medium/Low]`, `[YYYY-MM-DD]`) is unfinished. The prompts are read from the bundled "
    "template. Markdown links `[text](url)`, task boxes `[ ]`/`[x]`, code and the RFC Number's "
    "`[Assigned when merged]` placeholder are not prompts.",
    bad="### Summary\n[Brief 1-2 sentence description of the feature/change]",
    good="### Summary\nFailed jobs are retried with exponential backoff.",
    fix="Replace the bracketed prompt with your own text.",
    family="prompts",
)


@checker
def check_prompts(doc: Document, ctx: LintContext) -> None:
    template = ctx.template
    number_field = doc.metadata.get("RFC Number")
    skipped = {number_field.line} if number_field else set()
    for number, line in enumerate(doc.lines, start=1):
        if "[" not in line or number in skipped or number in doc.code_lines:
            continue
        found = template.prompts_in(line)
        if not found:
            continue
        shown = ", ".join(f"[{match.text}]" for match in found)
        plural = "s" if len(found) > 1 else ""
        ctx.report(
            TEMPLATE_PROMPT,
            number,
            f"Unfilled template prompt{plural} {shown}; replace with your own text.",
            column=found[0].column,
            end_column=found[-1].end_column,
        )
