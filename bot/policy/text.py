"""Markdown that holds any user text, and GitHub's size limits. Pure."""

from __future__ import annotations

import re

from bot.policy.markers import defuse

MAX_COMMENT_CHARS = 65_536  # GitHub refuses a longer issue comment (422)
MAX_OUTPUT_BYTES = 65_535  # a check run's output summary and text, in UTF-8 bytes
# A line break would end a code span's line (a heading, a table row) or, doubled, the span.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
NEWLINE_SYMBOL = "\u2424"  # shown where user text in a code span had a line break


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """``text`` on one line: each line break shown as ``NEWLINE_SYMBOL``."""
    return _LINE_BREAK.sub(NEWLINE_SYMBOL, text)


def inline_text(text: str) -> str:
    """User text for a one-backtick code span: no backtick or line break may end it early,
    and no marker of the App's may form in it."""
    return defuse(one_line(text.replace("`", "'")))


def _longest_run(text: str, char: str = "`") -> int:
    longest = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        longest = max(longest, run)
    return longest


def code(text: str) -> str:
    """A code span that holds any text on one line (the delimiter outgrows the text's backtick
    runs); no marker of the App's forms in it."""
    text = defuse(one_line(text))
    ticks = "`" * (_longest_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(text: str, info: str = "") -> str:
    ticks = "`" * max(3, _longest_run(text) + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


def fit_comment(body: str, limit: int = MAX_COMMENT_CHARS) -> str:
    """``body`` cut to GitHub's comment limit with a note saying so, never refused."""
    if len(body) <= limit:
        return body
    note = f"\n\n_…cut here: GitHub limits a comment to {limit:,} characters._"
    return body[: limit - len(note)] + note
