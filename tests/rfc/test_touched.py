"""The diff reader: the lines a unified diff touched, checked against difflib's own opcodes."""

from __future__ import annotations

import difflib

from hypothesis import example, given
from hypothesis import strategies as st

from bot.rfc.touched import Touched, lone_carriage_return, parse_patch

# Lines that look like a diff's own syntax, so that a file's text imitating a header, a
# removal or a "no newline" marker is exercised.
LINE = st.sampled_from(
    ["a", "b", "c", "", " ", "@@ -1 +1 @@", "@@ -1,2 +1,2 @@", "--- x", "+++ y", "-", "+",
     "\\ No newline at end of file", "## Motivation"]
)  # fmt: skip
TEXT = st.lists(LINE, max_size=30)


def _patch(base: list[str], head: list[str], context: int) -> str:
    old = [line + "\n" for line in base]
    new = [line + "\n" for line in head]
    return "".join(difflib.unified_diff(old, new, "a", "b", n=context))


def _expected(base: list[str], head: list[str]) -> tuple[set[int], set[int], dict[int, int]]:
    """(written head lines, gaps, head line -> base line of unchanged ones), from difflib."""
    written: set[int] = set()
    gaps: set[int] = set()
    same: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, head).get_opcodes():
        if tag in ("replace", "insert"):
            written.update(range(j1 + 1, j2 + 1))
        if tag in ("replace", "delete") and j1 >= 1:
            gaps.add(j1)
        if tag == "equal":
            same.update({j + 1: i + 1 for i, j in zip(range(i1, i2), range(j1, j2), strict=True)})
    return written, gaps, same


@given(TEXT, TEXT, st.integers(0, 4))
@example(["a", "b"], ["a", "@@ -1 +1 @@", "b"], 0)  # a header inside the file's text
@example(["a", "b", "c"], ["c"], 0)  # a removal at the very top
@example([], ["a"], 3)  # a new file: "@@ -0,0 +1 @@"
@example(["a"], [], 3)  # everything removed: "@@ -1 +0,0 @@"
# No context: the unchanged lines between two hunks keep the first hunk's offset (the reader
# once noted offsets only at context lines, and mapped "c" and "d" wrongly).
@example(["a", "b", "c", "d", "e"], ["a", "x", "B", "c", "d", "E"], 0)
def test_touched_lines_are_difflibs_changed_lines(
    base: list[str], head: list[str], context: int
) -> None:
    touched = parse_patch(_patch(base, head, context))
    assert touched is not None
    written, gaps, same = _expected(base, head)
    assert touched.lines() == written
    assert set(touched.gaps) == gaps
    assert {line: touched.base_line(line) for line in same} == same
    base_text, head_text = "".join(f"{x}\n" for x in base), "".join(f"{x}\n" for x in head)
    assert touched.fits(base_text, head_text) == (True, True)


@given(TEXT, TEXT, st.integers(0, 3), st.integers(1, 30), st.integers(0, 30))
def test_touches_is_a_span_query(
    base: list[str], head: list[str], context: int, first: int, length: int
) -> None:
    """``touches`` answers for a span what the line sets say: a written line in it, or a
    removal between two of its lines."""
    touched = parse_patch(_patch(base, head, context))
    assert touched is not None
    last = first + length
    written, gaps, _ = _expected(base, head)
    expected = any(first <= n <= last for n in written) or any(first <= k < last for k in gaps)
    assert touched.touches(first, last) is expected


def test_git_style_headers_and_no_newline_markers_are_read() -> None:
    patch = (
        "diff --git a/rfcs/x.md b/rfcs/x.md\nindex 1234567..89abcde 100644\n"
        "--- a/rfcs/x.md\n+++ b/rfcs/x.md\n"
        "@@ -2 +2 @@ ## Title\n-old\n+new\n"
        "@@ -9 +9,2 @@\n-end\n\\ No newline at end of file\n+end\n+more\n"
    )
    touched = parse_patch(patch)
    assert touched is not None
    assert touched.lines() == {2, 9, 10}
    assert touched.base_line(5) == 5


def test_nothing_changed_touches_nothing() -> None:
    touched = parse_patch("")
    assert touched == Touched()
    assert not touched.touches(1, 10**6)
    assert touched.base_line(7) == 7


def test_a_diff_that_does_not_add_up_is_no_answer() -> None:
    assert parse_patch("@@ -1,2 +1,2 @@\n a\n") is None  # cut short
    assert parse_patch("@@ -1 +1 @@\n-a\n+b\n+c\n") is None  # more than the header says
    assert parse_patch("@@ -5 +5 @@\n-a\n+b\n@@ -1 +1 @@\n-c\n+d\n") is None  # out of order
    assert parse_patch("@@ -1 +3 @@\n-a\n+b\n") is None  # unchanged lines that do not line up
    assert parse_patch("@@ -1 +1 @@\n-a\n+b\ngarbage\n") is None
    assert parse_patch("@@ -1 +1 @@ \n-a\n+b\n@@ -" + "9" * 5000 + " +1 @@\n") is None


def test_fits_tells_which_side_the_diff_was_not_made_from() -> None:
    touched = parse_patch("@@ -2 +2 @@\n-b\n+B\n")
    assert touched is not None
    assert touched.fits("a\nb\nc\n", "a\nB\nc\n") == (True, True)
    assert touched.fits("a\nx\nc\n", "a\nB\nc\n") == (False, True)  # the base moved on
    assert touched.fits("a\nb\nc\n", "a\nC\nc\n") == (True, False)  # another head
    assert touched.fits("a\nb\nc\n", "a\nB\nc\nd\n") == (True, False)  # a line more
    assert touched.fits("a\nb\nc", "a\nB\nc") == (True, True)  # no newline at the end


def test_lone_carriage_returns_are_told_apart_from_crlf() -> None:
    assert not lone_carriage_return("a\r\nb\r\n")
    assert lone_carriage_return("a\rb\n")
    assert lone_carriage_return("a\r\nb\r")
    assert not lone_carriage_return("plain\n")
