"""User text in code spans stays one span on one line: a line break in it (a file name may hold
one) neither ends the span nor the line it sits on. Pure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.policy.text import NEWLINE_SYMBOL, code, inline_text

BREAKS = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\x85"]


def test_line_breaks_show_as_a_symbol() -> None:
    assert code("a\nb") == f"`a{NEWLINE_SYMBOL}b`"
    assert inline_text("a\r\n\nb") == f"a{NEWLINE_SYMBOL}{NEWLINE_SYMBOL}b"


@given(st.lists(st.text(max_size=12) | st.sampled_from(["@evil", "<img src=x>", *BREAKS])))
def test_a_heading_with_a_code_span_stays_one_heading(pieces: list[str]) -> None:
    text = "rfcs/" + "".join(pieces)  # a file name: never empty
    tokens = MarkdownIt("commonmark").parse(f"### {code(text)}: title\n\nnext")
    assert [t.type for t in tokens][:3] == ["heading_open", "inline", "heading_close"]
    children = [c.type for c in tokens[1].children or []]
    assert children[0] == "code_inline" and "html_inline" not in children
