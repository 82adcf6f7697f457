"""The engine's linear-time replacements give the answers of the simple code they replaced.

Each fast path is checked against a reference (the old regex, difflib itself, a rescan), with
an ``@example`` for each input that used to take seconds. Timing is the benchmark's job
(bench/bench_hostile.py); these tests pin the behaviour the fixes must keep.
"""

from __future__ import annotations

import bisect
import difflib
import re
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.rfc.config.public import Config
from bot.rfc.document import Document, Section, parse
from bot.rfc.lint import lint
from bot.rfc.nearest import NearestKeys
from bot.rfc.template import blank_code_spans, bundled
from tests.rfc.strategies import MARKDOWNISH

_OLD_CODE_SPAN = re.compile(r"(`+).+?\1")  # cubic on long backtick runs: small inputs only


def _old_blank(text: str) -> str:
    return _OLD_CODE_SPAN.sub(lambda match: " " * len(match[0]), text)


BACKTICKY = st.text(alphabet="``` a[\n]", max_size=60) | st.lists(
    st.sampled_from(["`", "``", "```", "`" * 7, "a", "[", "\n", "]"]), max_size=30
).map("".join)


@settings(max_examples=500, deadline=None)
@given(BACKTICKY)
@example("[" + "`" * 300)  # no closing run: the old pattern tried every width at every tick
@example("[" + "`" * 301 + "x")
@example("`" * 9 + "a" + "``" + "[x]" + "`" * 4)
@example("``a`\n`b``c`")
def test_code_spans_are_blanked_like_the_old_pattern(text: str) -> None:
    blanked = blank_code_spans(text)
    assert blanked == _old_blank(text)
    assert len(blanked) == len(text)


def test_a_long_backtick_run_with_a_bracket_keeps_its_prompt() -> None:
    # 12 s before the scanner (10 KB). As with the old pattern, a run of 2k + 1 backticks
    # closes itself (k ticks, one character, k ticks); the prompt before it is still found.
    line = "[Phase Name] " + "`" * 20_000 + " [x"
    assert blank_code_spans(line) == "[Phase Name] " + " " * 19_999 + "` [x"
    found = bundled().prompts_in(line)
    assert [(match.text, match.column) for match in found] == [("Phase Name", 1)]
    closed = "`" * 5_000 + " [Phase Name] " + "`" * 5_000
    assert bundled().prompts_in(closed) == []


TITLES = st.sampled_from([spec.key for spec in bundled().fixed_sections])


@st.composite
def near_titles(draw: st.DrawFn) -> str:
    """A template title with a few letters changed or added: a rename candidate."""
    title = list(draw(TITLES))
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(title)))
        letter = draw(st.sampled_from("aeiostx -é"))
        if draw(st.booleans()) and position < len(title):
            title[position] = letter
        else:
            title.insert(position, letter)
    return "".join(title)


@settings(max_examples=300, deadline=None)
@given(st.lists(near_titles(), max_size=25), st.lists(TITLES, max_size=20))
@example(["non goals", "non-goals", "goal", "goals x"], ["goals", "non-goals", "goals"])
@example(
    ["ontextandmotivationc", "contextand motivation", "context and motivatio"],
    ["context and motivation"],
)
@example(["gooals", "goaaals", "gggoals", "goals\x00", "goals é"], ["goals", "goals é"])
@example(["a" * 1_200, "a" * 999 + "b", "x" * 600], ["a" * 1_000, "a" * 600, "goals"])
def test_rename_suggestions_are_difflibs(titles: list[str], wanted: list[str]) -> None:
    sections = [Section(2, title, line, line) for line, title in enumerate(titles, start=1)]
    reference = {section.key: section for section in sections}
    candidates = NearestKeys((section.key, section) for section in sections)
    for key in wanted:
        near = difflib.get_close_matches(key, list(reference), n=1, cutoff=0.75)
        assert candidates.pop_closest(key) is (reference.pop(near[0]) if near else None)


def test_many_h1s_with_paragraphs_read_metadata_only_before_the_first_section() -> None:
    # Quadratic before (every paragraph rescanned the headings): 400 KB took 43 s.
    preamble = "".join(f"# T{i}\n\n**Status:** v{i}\n\n" for i in range(3_000))
    doc = parse(preamble + "## Summary\n\n**Created:** 2024-01-01\n")
    assert len(doc.metadata_fields) == 3_000
    assert doc.status == "v0" and doc.field("Created") is None
    assert len(doc.h1_lines) == 3_000 and doc.sections[0].title == "Summary"


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
@example("# T\n**Status:** a\n\n## S\n**Created:** b\n\n# U\n**Owner:** c\n")
def test_metadata_comes_from_paragraphs_before_the_first_h2_or_deeper(text: str) -> None:
    doc = parse(text)
    first_section = min((section.line for section in doc.sections), default=len(doc.lines) + 1)
    assert all(found.line < first_section for found in doc.metadata_fields)


def _escaped_pipe_table(columns: int) -> str:
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n|" + "x\\|y|" * columns + "\n"


@settings(max_examples=200, deadline=None)
@given(MARKDOWNISH)
@example(_escaped_pipe_table(3_000))  # a failed search per cell rescanned the row: quadratic
@example("| a | b |\n|---|---|\n| x \\| y | `z\\|w` |\n")
@example("| a | b |\n|---|---|\n\x00")  # markdown-it reads NUL as U+FFFD; the lines must too
def test_cells_point_at_their_source_text(text: str) -> None:
    doc = parse(text)
    for table in doc.tables:
        for row in (table.header, *table.rows):
            for cell in row:
                if cell.text:
                    source = doc.lines[cell.line - 1][cell.column - 1 : cell.end_column]
                    assert source == cell.text.replace("|", "\\|")


def test_a_rating_with_an_escaped_pipe_points_at_its_cell() -> None:
    text = (
        "## Risks and Mitigations\n\n| Risk | Probability | Impact | Mitigation Strategy |\n"
        "|---|---|---|---|\n| Storms | High \\| Low | High | Backoff |\n"
    )
    result = lint("rfcs/0000-x.md", text, Config(), today=date(2024, 1, 1))
    (rating,) = [d for d in result.diagnostics if d.rule == "risks-rating"]
    assert (rating.line, rating.column, rating.end_column) == (5, 12, 22)
    assert text.splitlines()[4][11:22] == "High \\| Low"


def _old_section_at(doc: Document, line: int) -> Section | None:
    starts = [section.line for section in doc.sections]
    index = bisect.bisect_right(starts, line) - 1
    while index >= 0:
        section = doc.sections[index]
        if section.line <= line <= section.end_line:
            return section
        index -= 1
    return None


@settings(max_examples=200, deadline=None)
@given(MARKDOWNISH)
@example("## A\n### B\nx\n\n\n## C\n#### D\ny\n")
def test_section_at_finds_the_innermost_section(text: str) -> None:
    doc = parse(text)
    for line in range(0, len(doc.lines) + 2):
        assert doc.section_at(line) is _old_section_at(doc, line)


def test_an_empty_file_gets_one_diagnostic_not_one_per_missing_section() -> None:
    for empty in ("", "\n\n", " \t\r\n", "\ufeff", b"\xef\xbb\xbf\n"):
        result = lint("rfcs/0000-x.md", empty, Config(), today=date(2024, 1, 1))
        assert [(d.rule, d.line) for d in result.diagnostics] == [("file-empty", 1)]
