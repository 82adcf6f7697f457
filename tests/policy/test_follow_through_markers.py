"""The stale reminder's and the digest's markers: written in their place, read only there."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.policy.markers import DIGEST, PANEL, STALE, carries, defuse, digest_head, digest_week
from bot.policy.panel import RfcPanel, render_panel
from bot.policy.text import code


def test_the_digest_head_names_its_week() -> None:
    head = digest_head("2026-03-02")
    assert carries(head + "\nbody", DIGEST)
    assert digest_week(head + "\nbody") == "2026-03-02"


def test_a_week_anywhere_but_the_head_is_not_read() -> None:
    head = digest_head("2026-03-02")
    assert digest_week("text\n" + head) is None
    assert digest_week("x" + head) is None
    assert digest_week(DIGEST + "<!-- rfc-bot:digest-week 2026-3-2x -->") is None
    assert digest_week(DIGEST + "<!-- rfc-bot:digest-week 2026-03-02-->") is None
    assert not carries("quoted: " + STALE, STALE)


@given(st.text())
def test_user_text_echoed_never_forms_a_marker(text: str) -> None:
    echoed = "\n".join([STALE, defuse(text)])
    assert digest_week(defuse(text)) is None
    assert carries(echoed, STALE)
    assert not carries(code(text), STALE) and not carries(code(text), DIGEST)


def test_the_panel_shows_the_stale_line_below_its_head() -> None:
    line = "**Stale since 2026-05-01 09:00 UTC:** no activity for 60 days."
    body = render_panel(
        [RfcPanel("rfcs/0001-x.md", "X", "Proposed")], datetime(2026, 5, 2, tzinfo=UTC), notice=line
    )
    assert carries(body, PANEL)
    head, _, rest = body.partition(line)
    assert "## RFC status" in head and "### `rfcs/0001-x.md`" in rest
    assert line not in render_panel([], datetime(2026, 5, 2, tzinfo=UTC))
