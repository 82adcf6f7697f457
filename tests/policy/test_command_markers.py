"""The parser's private marker word never occurs in the comment it marks, found in one pass."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.commands import _unused_word

STEM = "rfccommand"


@given(st.lists(st.one_of(st.just(STEM), st.text("0123456789", max_size=4), st.text(max_size=3))))
@example([STEM + "00", STEM + "01", STEM + "0"])
@example([STEM + str(n) for n in range(150)])
def test_the_marker_never_occurs_in_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    word = _unused_word(STEM, text)
    assert word.startswith(STEM) and word not in text


def test_a_comment_made_of_markers_takes_one_pass() -> None:
    """The 300 KB comment that took 1.3 s with the old search (a scan per candidate)."""
    text = " ".join(f"{STEM}{n}" for n in range(25_000))
    word = _unused_word(STEM, text)
    assert word not in text and len(word) == len(STEM) + 6
