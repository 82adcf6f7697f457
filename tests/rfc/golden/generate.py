"""Regenerate the golden cases: ``python3 tests/rfc/golden/generate.py``.

Each case is ``valid.md`` with one realistic defect (or a whole input of its own). The expected
diagnostics are written here by hand, as (rule, severity, anchor) or (rule, severity, anchor,
message): the anchor is the exact text of the line the diagnostic must point at, looked up in the
case's own input; a message, when given, is the exact text the diagnostic must say. The golden
test then reads only the files: ``<case>.md`` (input), optional ``<case>.base.md`` (the old
version) and ``<case>.expected.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
VALID = (HERE / "valid.md").read_text(encoding="utf-8")
NEW_FILE = "new"  # base: None, the file is added by the change
NO_BASE = "none"  # base: NO_BASE, no change rules


@dataclass
class Case:
    name: str
    edits: list[tuple[str, str]]  # (old, new) replacements applied to valid.md
    # (rule, severity, anchor line text or number[, exact message])
    expected: list[tuple[str, str, str | int] | tuple[str, str, str | int, str]]
    path: str = "rfcs/0000-cache-warmup.md"
    today: str = "2024-04-01"
    base: str = NO_BASE  # NO_BASE, NEW_FILE, or "edits" to use base_edits on valid.md
    base_edits: list[tuple[str, str]] = field(default_factory=list)
    text: str | None = None  # the whole input, instead of valid.md with edits


def apply(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        if text.count(old) != 1:
            raise ValueError(f"edit anchor must occur exactly once: {old!r}")
        text = text.replace(old, new)
    return text


def line_of(text: str, anchor: str | int) -> int:
    if isinstance(anchor, int):
        return anchor
    lines = [line.rstrip() for line in text.split("\n")]
    return lines.index(anchor) + 1


SCOPE = VALID[VALID.index("## Scope\n") : VALID.index("## Proposal\n")]
CHANGELOG = VALID[VALID.index("## Changelog\n") : VALID.index("## References\n")]
GOOD_DATE = ("**Last Updated:** 2024-03-11", "**Last Updated:** 2024-04-01")
CASES = [
    Case("valid", [], []),
    Case("valid-new-file", [], [], base=NEW_FILE),
    Case(
        "valid-numbered",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0042")],
        [],
        path="rfcs/0042-cache-warmup.md",
    ),
    Case("file-name-not-kebab", [], [("file-name", "error", 1)], path="rfcs/Cache_Warmup.md"),
    Case(
        "file-name-width",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 42")],
        [("file-name", "error", 1)],
        path="rfcs/042-cache-warmup.md",
    ),
    Case(
        "title-missing",
        [("# Cache Warmup for the API", "Cache Warmup for the API")],
        [("title-missing", "error", 1)],
    ),
    Case(
        "title-multiple",
        [("## Future Considerations", "# Future Considerations")],
        [
            ("title-multiple", "error", "# Future Considerations"),
            ("section-missing", "error", "## Discussion & History"),
        ],
    ),
    Case(
        "title-template",
        [("# Cache Warmup for the API", "# RFC Template")],
        [("title-template", "error", 1)],
    ),
    Case(
        "section-missing", [("### Goals\n", "\n")], [("section-missing", "error", "### Non-Goals")]
    ),
    Case(
        "section-missing-end-of-parent",
        [("### Feedback Summary\nNo feedback yet.\n", "")],
        [("section-missing", "error", "None yet.")],
    ),
    Case(
        "section-level", [("### Goals\n", "## Goals\n")], [("section-level", "error", "## Goals")]
    ),
    Case(
        "section-order",
        [
            ("### Goals\n- Keep p99", "### Non-Goals\n- Keep p99"),
            ("### Non-Goals\n- Changing", "### Goals\n- Changing"),
        ],
        [
            (
                "section-order",
                "error",
                "### Goals",
                # Not "after 'Why Now?'": it is after it already.
                "Section 'Goals' is out of the template's order; move it before 'Non-Goals' "
                "(line 23).",
            )
        ],
    ),
    Case(
        "section-order-block",
        [(SCOPE, ""), ("## Overview\n", SCOPE + "## Overview\n")],
        [
            (
                "section-order",
                "error",
                "## Scope",
                # One move, not one per subsection: they go with it.
                "Section 'Scope' is out of the template's order; move it, with its subsections, "
                "after 'Non-Goals' (line 37).",
            )
        ],
    ),
    Case(
        "section-order-early",
        [(CHANGELOG, ""), ("## Overview\n", CHANGELOG + "## Overview\n")],
        [
            (
                "section-order",
                "error",
                "## Changelog",
                # Its dated entries are no template sections: they go with it, unannounced.
                "Section 'Changelog' is out of the template's order; move it after "
                "'Feedback Summary' (line 200).",
            )
        ],
    ),
    Case(
        "section-empty",
        [("### Non-Goals\n- Changing cache eviction.\n", "### Non-Goals\n\n")],
        [("section-empty", "error", "### Non-Goals")],
    ),
    Case(
        "metadata-missing",
        [("**Created:** 2024-03-04  \n", "")],
        [("metadata-missing", "error", "**Last Updated:** 2024-03-11")],
    ),
    Case(
        "metadata-unknown",
        [("**Author(s):**", "**Authors:**")],
        [
            ("metadata-unknown", "error", "**Authors:** Jane Doe (@jdoe), @bob-smith"),
            ("metadata-missing", "error", "**Authors:** Jane Doe (@jdoe), @bob-smith"),
        ],
    ),
    Case(
        "metadata-duplicate",
        [("@bob-smith  \n", "@bob-smith  \n**Status:** Proposed\n")],
        [("metadata-duplicate", "error", "**Status:** Proposed")],
    ),
    Case(
        "metadata-order",
        [
            (
                "**Created:** 2024-03-04  \n**Last Updated:** 2024-03-11  \n",
                "**Last Updated:** 2024-03-11  \n**Created:** 2024-03-04  \n",
            )
        ],
        [("metadata-order", "warning", "**Created:** 2024-03-04")],
    ),
    Case(
        "status-invalid",
        [("**Status:** Draft", "**Status:** In review")],
        [("status-invalid", "error", "**Status:** In review")],
    ),
    Case(
        "status-case",
        [("**Status:** Draft", "**Status:** draft")],
        [("status-case", "warning", "**Status:** draft")],
    ),
    Case(
        "target-apps",
        [
            (
                "**Target Application(s):** api, shared",
                "**Target Application(s):** api, jobmaster gui, scheduler",
            )
        ],
        [("target-apps", "error", "**Target Application(s):** api, jobmaster gui, scheduler")] * 2,
    ),
    Case(
        "target-apps-empty",
        [("**Target Application(s):** api, shared", "**Target Application(s):**")],
        [("target-apps", "error", "**Target Application(s):**")],
    ),
    Case(
        "date-format",
        [
            ("**Created:** 2024-03-04", "**Created:** 03/04/2024"),
            ("**Last Updated:** 2024-03-11", "**Last Updated:** 2024-02-30"),
        ],
        [
            ("date-format", "error", "**Created:** 03/04/2024"),
            ("date-format", "error", "**Last Updated:** 2024-02-30"),
        ],
    ),
    Case(
        "date-future",
        [],
        [("date-future", "error", "**Last Updated:** 2024-03-11")],
        today="2024-03-08",
    ),
    Case(
        "date-order",
        [("**Created:** 2024-03-04", "**Created:** 2024-03-12")],
        [("date-order", "error", "**Last Updated:** 2024-03-11")],
    ),
    Case(
        "authors",
        [("Jane Doe (@jdoe), @bob-smith", "Jane Doe (@jane.doe), @-bob")],
        [
            (
                "authors",
                "error",
                "**Author(s):** Jane Doe (@jane.doe), @-bob",
                f"'@{login}' is not a valid GitHub username (1-39 letters, digits or single "
                "hyphens, no hyphen at either end); write each author as 'Jane Doe (@jdoe)', "
                "'@jdoe', 'Jane Doe <jane@example.com>' or a name.",
            )
            for login in ("jane.doe", "-bob")
        ],
    ),
    Case(
        "authors-forms",
        # An e-mail's "@" is no handle; names, e-mails and handles mix with , ; and "and".
        [
            (
                "Jane Doe (@jdoe), @bob-smith",
                "priya@example.com; Tomas (@t) and Ana Souza <ana@example.com>, Kenji Mori",
            )
        ],
        [],
    ),
    Case(
        "file-empty",
        [],
        [
            (
                "file-empty",
                "error",
                1,
                "The file is empty; start from the template: delete it and run "
                '`rfc-bot new "Cache warmup"`, which writes the RFC with every section to fill in.',
            )
        ],
        text="",
    ),
    Case("file-empty-whitespace", [], [("file-empty", "error", 1)], text="\n   \n\t\n"),
    Case(
        "rfc-number-set-early",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0042")],
        [("rfc-number", "error", "**RFC Number:** 0042")],
    ),
    Case(
        "rfc-number-mismatch",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0041")],
        [("rfc-number", "error", "**RFC Number:** 0041")],
        path="rfcs/0042-cache-warmup.md",
    ),
    Case(
        "template-prompt",
        [
            (
                "Warm the API's response cache after each deploy so the first requests are fast.",
                "[Brief 1-2 sentence description of the feature/change]",
            ),
            ("#### Phase 1: Route list", "#### Phase 1: [Phase Name]"),
            ("| Low | High |", "| [High/Medium/Low] | High |"),
        ],
        [
            ("template-prompt", "error", "[Brief 1-2 sentence description of the feature/change]"),
            ("template-prompt", "error", "#### Phase 1: [Phase Name]"),
            (
                "template-prompt",
                "error",
                "| Warmup overloads the database | [High/Medium/Low] | High "
                "| Concurrency limit of 8 |",
            ),
        ],
    ),
    Case(
        "risks-table-columns",
        [
            (
                "| Risk | Probability | Impact | Mitigation Strategy |",
                "| Risk | Likelihood | Impact | Mitigation |",
            )
        ],
        [("risks-table", "error", "| Risk | Likelihood | Impact | Mitigation |")],
    ),
    Case(
        "risks-table-missing",
        [
            (
                "| Risk | Probability | Impact | Mitigation Strategy |\n"
                "|------|-------------|--------|-------------------|\n"
                "| Warmup overloads the database | Low | High | Concurrency limit of 8 |\n",
                "Warmup could overload the database.\n",
            )
        ],
        [("risks-table", "error", "## Risks and Mitigations")],
    ),
    Case(
        "risks-rating",
        [("| Low | High |", "| Unlikely | 8/10 |")],
        [
            (
                "risks-rating",
                "error",
                "| Warmup overloads the database | Unlikely | 8/10 | Concurrency limit of 8 |",
            )
        ]
        * 2,
    ),
    Case(
        "success-metrics",
        [("- **Deploy p99:**", "**Deploy p99:**")],
        [("success-metrics", "error", "## Success Metrics")],
    ),
    Case(
        "changelog-entry",
        [
            ("### 2024-03-04 - Version 1.0", "### Version 1.0"),
            ("### 2024-03-11 - Version 1.1", "### Version 1.1"),
        ],
        [("changelog-entry", "error", "## Changelog")],
    ),
    Case(
        "changelog-date",
        [("**Last Updated:** 2024-03-11", "**Last Updated:** 2024-03-10")],
        [("changelog-date", "error", "### 2024-03-11 - Version 1.1")],
    ),
    # Change rules: base is valid.md (optionally edited), input is the new version.
    Case(
        "number-changed",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0043"), GOOD_DATE],
        [
            ("number-changed", "error", "**RFC Number:** 0043"),
            ("rfc-number", "error", "**RFC Number:** 0043"),
        ],
        path="rfcs/0042-cache-warmup.md",
        base="edits",
        base_edits=[("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0042")],
    ),
    Case(
        "number-kept",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0042")],
        [],
        path="rfcs/0042-cache-warmup.md",
        base="edits",
        base_edits=[("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0042")],
    ),
    Case(
        "created-changed",
        [("**Created:** 2024-03-04", "**Created:** 2024-03-05"), GOOD_DATE],
        [("created-changed", "error", "**Created:** 2024-03-05")],
        base="edits",
    ),
    Case(
        "status-transition",
        [("**Status:** Draft", "**Status:** Final"), GOOD_DATE],
        [("status-transition", "error", "**Status:** Final")],
        base="edits",
    ),
    Case(
        "status-transition-allowed",
        [("**Status:** Draft", "**Status:** Proposed"), GOOD_DATE],
        [],
        base="edits",
    ),
    Case(
        "status-initial",
        [("**Status:** Draft", "**Status:** Proposed")],
        [("status-initial", "error", "**Status:** Proposed")],
        base=NEW_FILE,
    ),
    Case(
        "number-preassigned",
        [("**RFC Number:** [Assigned when merged]", "**RFC Number:** 0042")],
        [("number-preassigned", "error", 1)],
        path="rfcs/0042-cache-warmup.md",
        base=NEW_FILE,
    ),
    Case(
        "last-updated-stale",
        [("Two weeks.", "Three weeks.")],
        [("last-updated-stale", "warning", "**Last Updated:** 2024-03-11")],
        base="edits",
    ),
    Case("last-updated-bumped", [("Two weeks.", "Three weeks."), GOOD_DATE], [], base="edits"),
    Case(
        "tracking-issue-by-app",
        [("@bob-smith  \n", "@bob-smith  \n**Tracking Issue:** #12  \n")],
        [("tracking-issue-by-app", "warning", "**Tracking Issue:** #12")],
        base=NEW_FILE,
    ),
]


def expected_entry(text: str, expected: tuple[str, ...]) -> dict[str, object]:
    rule, severity, anchor, *message = expected
    entry: dict[str, object] = {"rule": rule, "severity": severity, "line": line_of(text, anchor)}
    if message:
        entry["message"] = message[0]
    return entry


def write(case: Case) -> None:
    text = case.text if case.text is not None else apply(VALID, case.edits)
    base: str | None = case.base
    if case.base == "edits":
        base = f"{case.name}.base.md"
        (HERE / base).write_text(apply(VALID, case.base_edits), encoding="utf-8")
    if case.name != "valid":
        (HERE / f"{case.name}.md").write_text(text, encoding="utf-8")
    expected = {
        "path": case.path,
        "today": case.today,
        "base": base,
        "diagnostics": [expected_entry(text, expected) for expected in case.expected],
    }
    (HERE / f"{case.name}.expected.json").write_text(
        json.dumps(expected, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    for case in CASES:
        write(case)
    print(f"wrote {len(CASES)} cases to {HERE}")
