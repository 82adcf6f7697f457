"""Property tests: parse and lint never raise, whatever the input."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rfc.config.public import Config
from bot.rfc.document import parse
from bot.rfc.lint import lint
from tests.rfc.strategies import MARKDOWNISH

CONFIG = Config()


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_parse_never_raises_and_spans_are_in_range(text: str) -> None:
    doc = parse(text)
    for section in doc.sections:
        assert 1 <= section.line <= section.end_line <= len(doc.lines)
    for found in doc.metadata.values():
        assert 1 <= found.line <= len(doc.lines)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH, st.one_of(st.none(), MARKDOWNISH))
def test_lint_never_raises_on_text(text: str, base: str | None) -> None:
    result = lint("rfcs/0000-x.md", text, CONFIG, base=base, today=date(2024, 1, 1))
    for diagnostic in result.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.end_column >= diagnostic.column


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["rfcs/0000-x.md", "rfcs/x.md", "a/0042-y.md"]))
def test_lint_never_raises_on_bytes(content: bytes, path: str) -> None:
    result = lint(path, content, CONFIG, base=content)
    assert (result.document is None) == any(d.rule == "file-unreadable" for d in result.diagnostics)
