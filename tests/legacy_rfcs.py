"""Old RFCs and edits of them, shared by the legacy tests (pure, feature, CLI, end to end)."""

from __future__ import annotations

import difflib
from datetime import date

from sandbox.demo import demo_file

TODAY = date(2024, 6, 12)
PATH = "rfcs/0000-job-retries.md"
GOOD = demo_file("fixed.md")  # lints clean
PROMPT = "[Brief 1-2 sentence description of the feature/change]"
_SENTENCE = "Per-command retry policies chosen by the job's author.\n"
assert _SENTENCE in GOOD
# An RFC from before the template-prompt rule: ten prompts left in, ten errors today.
OLD = GOOD.replace(_SENTENCE, "".join(f"{PROMPT}\n\n" for _ in range(10)))
APPS = "**Target Application(s):** orchestrator, jobmaster"
# One line edited, with a new error on it (an unknown target application).
ONE_BAD_LINE = OLD.replace(APPS, APPS.replace("jobmaster", "job master"))
# The same edit, and the Status moved on.
PROPOSED = ONE_BAD_LINE.replace("**Status:** Draft", "**Status:** Proposed")


def unified(base: str, head: str, context: int = 3) -> str:
    """A unified diff of two texts, as GitHub's ``patch`` and ``git diff`` write it."""
    lines = difflib.unified_diff(base.splitlines(True), head.splitlines(True), n=context)
    return "".join(lines)


def without_section(text: str, heading: str) -> str:
    """``text`` without the section under ``heading``: up to the next heading of its level or
    a higher one."""
    lines = text.split("\n")
    start = lines.index(heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = next(
        (n for n in range(start + 1, len(lines)) if lines[n].startswith("#") and
         len(lines[n]) - len(lines[n].lstrip("#")) <= level),
        len(lines),
    )  # fmt: skip
    return "\n".join(lines[:start] + lines[end:])
