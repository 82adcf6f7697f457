"""The document model: line numbers, metadata columns, sections, tables and task items."""

from __future__ import annotations

from pathlib import Path

from bot.rfc.document import parse

EXAMPLE = Path(__file__).parents[2] / "examples" / "rfcs" / "0000-job-retries.md"

SMALL = """\
# Title Here

**Status:**  Draft\x20\x20
**Target Application(s):** api, jobmaster-gui\x20\x20
**Author(s):** Jane Doe (@jdoe), @bob\x20\x20

## One
Text.

### One A

### One B
- [ ] open task
- [x] done task
- plain item

## Two

| A | B |
|---|---|
| a1 | b1 |
| a2 | b2 |

```
## not a heading
```
"""


def test_title_and_metadata_positions() -> None:
    doc = parse(SMALL)
    assert (doc.title, doc.title_line) == ("Title Here", 1)
    status = doc.metadata["Status"]
    assert (status.value, status.line, status.column, status.end_column) == ("Draft", 3, 14, 18)
    assert doc.lines[2][status.column - 1 : status.end_column] == "Draft"
    assert doc.status == "Draft"
    assert doc.target_apps == ["api", "jobmaster-gui"]
    assert doc.authors == ["jdoe", "bob"]
    assert doc.field("Created") is None


def test_section_tree_and_spans() -> None:
    doc = parse(SMALL)
    outline = [(s.level, s.title, s.line, s.end_line) for s in doc.sections]
    assert outline == [
        (2, "One", 7, 15),
        (3, "One A", 10, 10),
        (3, "One B", 12, 15),
        (2, "Two", 17, 26),
    ]
    one, one_a, one_b, two = doc.sections
    assert one.children == [one_a, one_b] and one_a.parent is one
    assert one.own_content and not one_a.has_content and one_b.has_content
    assert doc.section_at(13) is one_b
    assert doc.section_at(25) is two


def test_content_only_in_subsections_counts_for_the_parent() -> None:
    doc = parse("# T\n\n## Parent\n\n### Child\nWords.\n")
    parent = doc.sections[0]
    assert not parent.own_content and parent.has_content


def test_tables_and_task_items() -> None:
    doc = parse(SMALL)
    (table,) = doc.tables
    assert [c.text for c in table.header] == ["A", "B"]
    assert [[c.text for c in row] for row in table.rows] == [["a1", "b1"], ["a2", "b2"]]
    assert [row[0].line for row in table.rows] == [21, 22]
    assert table.rows[1][1].column == doc.lines[21].index("b2") + 1
    assert [(t.line, t.checked, t.text) for t in doc.task_items] == [
        (13, False, "open task"),
        (14, True, "done task"),
    ]
    assert [item.line for item in doc.list_items] == [13, 14, 15]


def test_fenced_code_is_not_structure() -> None:
    doc = parse(SMALL)
    assert "## not a heading" not in [s.title for s in doc.sections]
    assert {24, 25, 26} <= doc.code_lines


def test_crlf_line_numbers_match_lf() -> None:
    crlf = parse(SMALL.replace("\n", "\r\n"))
    lf = parse(SMALL)
    assert [(s.title, s.line) for s in crlf.sections] == [(s.title, s.line) for s in lf.sections]
    assert crlf.metadata["Status"].column == lf.metadata["Status"].column


def test_metadata_only_read_before_the_first_section() -> None:
    doc = parse("# T\n\n**Status:** Draft\n\n## S\n**Created:** 2024-01-01\n")
    assert list(doc.metadata) == ["Status"]


def test_second_h1_is_recorded_but_not_a_section() -> None:
    doc = parse("# First\n\n## A\nx\n\n# Second\n\n## B\ny\n")
    assert doc.h1_lines == [1, 6]
    b = doc.sections[1]
    assert (b.title, b.parent) == ("B", None)


def test_empty_and_odd_input() -> None:
    for text in ("", "\n\n", "####", "| a |\n|--|", "- [ ]", "**Status:**"):
        doc = parse(text)
        assert doc.title is None


def test_example_outline_matches_the_template_sections() -> None:
    doc = parse(EXAMPLE.read_text(encoding="utf-8"))
    assert doc.title == "Job Retries with Backoff in the Orchestrator"
    assert len(doc.metadata) == 6
    assert [s.title for s in doc.sections if s.level == 2][:3] == ["Overview", "Scope", "Proposal"]
