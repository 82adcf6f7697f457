"""The status panel: its markdown, as GitHub renders it, for the states a decision goes through.

The golden files in tests/policy/golden/panel-*.md are the panel for a few states (docs/decisions.md
shows one of them); regenerate them with ``RFC_BOT_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.policy.decisions import (
    Approved,
    Cancelled,
    ConcernRaised,
    ConcernResolved,
    DecisionState,
    Event,
    Held,
    Moved,
    Roster,
    Started,
    TextChanged,
    decision_state,
)
from bot.policy.markers import PANEL
from bot.policy.panel import MoveOption, RfcPanel, render_panel
from bot.policy.text import MAX_COMMENT_CHARS
from bot.rfc.config.public import DecisionRule

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RFC_BOT_UPDATE_GOLDEN") == "1"
MARKDOWN = MarkdownIt("commonmark").enable("table")

PATH = "rfcs/0000-job-retries.md"
PULL = "https://github.com/octo-org/services/pull/42"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
RULE = DecisionRule(remind_after=timedelta(days=3))
ROSTER = Roster.of(["alice", "bob", "carol"], maintainers=["alice", "bob", "carol"])
MOVES = (
    MoveOption("Final", ("maintainers",), RULE),
    MoveOption("Draft", ("author", "maintainers")),
)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


START = Started(at(0), "alice", PATH, "Proposed", "Final", f"{PULL}#issuecomment-101")
BOB = Approved(at(2), "bob", None, f"{PULL}#pullrequestreview-202", "review")
CONCERN = ConcernRaised(at(5), "carol", PATH, "retry-budget", f"{PULL}#issuecomment-303")
HOLD = Held(
    at(4), "bob", PATH, "waiting for the <b>security</b> review", f"{PULL}#issuecomment-606"
)
EARLY = ConcernRaised(at(-5), "carol", PATH, "retry-budget", f"{PULL}#issuecomment-99")
RESOLVED = ConcernResolved(at(30), "carol", PATH, "retry-budget", f"{PULL}#issuecomment-404")

STAGES: dict[str, tuple[list[Event], datetime]] = {
    "none": ([], at(0)),
    "collecting": ([START], at(1)),
    "comment-period": ([START, BOB], at(3)),
    "paused": ([START, BOB, CONCERN], at(6)),
    "restarted": (
        [START, BOB, CONCERN, RESOLVED, TextChanged(at(31), PATH, "f00d")],
        at(32),
    ),
    "due": ([START, BOB, CONCERN, RESOLVED], at(30 + 7 * 24)),
    "done": (
        [START, BOB, CONCERN, RESOLVED, Moved(at(30 + 7 * 24 + 0.1), PATH, "Final")],
        at(30 + 7 * 24 + 0.2),
    ),
    "cancelled": ([START, Cancelled(at(1), "alice", PATH, f"{PULL}#issuecomment-505")], at(2)),
    "held": ([START, BOB, HOLD], at(5)),
    "early-concern": ([EARLY, HOLD], at(5)),
}


def panel_for(stage: str) -> tuple[DecisionState, str]:
    events, now = STAGES[stage]
    state = decision_state(PATH, events, RULE, ROSTER, now)
    status = "Final" if stage == "done" else "Proposed"
    moves = () if stage == "done" else MOVES
    rfc = RfcPanel(PATH, "Job Retries", status, moves, state, RULE)
    return state, render_panel([rfc], now)


@pytest.mark.parametrize("stage", list(STAGES))
def test_panel_matches_its_golden_file(stage: str) -> None:
    _, text = panel_for(stage)
    golden = GOLDEN / f"panel-{stage}.md"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), "RFC_BOT_UPDATE_GOLDEN=1 to regenerate"


def _inline_text(tokens: list[Token]) -> list[str]:
    return [token.content for token in tokens if token.type == "inline"]


def _list_items(tokens: list[Token]) -> list[str]:
    """The text of each bullet list item, as rendered (the task-list box is its text start)."""
    items, inside = [], 0
    for token in tokens:
        if token.type == "list_item_open":
            inside += 1
        elif token.type == "list_item_close":
            inside -= 1
        elif token.type == "inline" and inside:
            items.append(token.content)
    return items


@pytest.mark.parametrize("stage", ["collecting", "paused", "restarted"])
def test_the_panel_renders_as_a_task_list_and_a_table(stage: str) -> None:
    state, text = panel_for(stage)
    tokens = MARKDOWN.parse(text)
    assert text.startswith(PANEL) and tokens[0].type == "html_block"
    types = [token.type for token in tokens]
    assert "table_open" in types
    header = [tokens[n + 1].content for n, t in enumerate(tokens) if t.type == "th_open"]
    assert header == ["move", "who may make it", "what it takes"]
    boxes = [item for item in _list_items(tokens) if item.startswith(("[x] ", "[ ] "))]
    # One checkbox per eligible approver, ticked exactly for the approvals counted.
    assert len(boxes) == len(ROSTER.approvers)
    ticked = {item.split("`")[1] for item in boxes if item.startswith("[x]")}
    assert ticked == state.approved_by


def test_the_panel_links_each_approval_and_concern() -> None:
    _, text = panel_for("paused")
    html = MARKDOWN.render(text)
    assert f'<a href="{PULL}#pullrequestreview-202">approved in a review</a>' in html
    assert f'<a href="{PULL}#issuecomment-303">raised</a>' in html
    assert "2024-05-08 11:00 UTC" not in text  # paused: no end is promised
    _, running = panel_for("comment-period")
    assert "**2024-05-08 11:00 UTC**" in running  # two hours after the start, plus a week


@pytest.mark.parametrize(
    ("stage", "step"),
    [
        ("none", "`/rfc status final` (maintainers, starts a decision)"),
        ("collecting", "1 more approval from `bob`, `carol`: comment `/rfc approve`"),
        ("comment-period", "the App moves the RFC to **Final** at **2024-05-08 11:00 UTC**"),
        ("paused", "resolve the open concerns (`/rfc resolve retry-budget`)"),
        ("due", "none: the comment period is over, and the App moves the RFC to **Final**."),
        ("done", "none: the decision is made and the RFC is **Final**."),
        ("cancelled", "The last decision was cancelled by `alice`."),
    ],
)
def test_the_next_step_is_exact(stage: str, step: str) -> None:
    _, text = panel_for(stage)
    [line] = [line for line in text.splitlines() if line.startswith("**Next step:**")]
    assert step in line


def test_several_rfcs_name_their_path_in_every_command() -> None:
    other = RfcPanel("rfcs/0000-other.md", "Other", "Draft", (MoveOption("Proposed", ("author",)),))
    state = decision_state(PATH, [START], RULE, ROSTER, at(1))
    text = render_panel(
        [RfcPanel(PATH, "Job Retries", "Proposed", MOVES, state, RULE), other], at(1)
    )
    assert f"`/rfc approve {PATH}`" in text
    assert "`/rfc status proposed rfcs/0000-other.md` (the RFC's authors)" in text


def test_an_impossible_quorum_says_how_to_get_out() -> None:
    rule = DecisionRule(approvals=5)
    state = decision_state(PATH, [START], rule, ROSTER, at(1))
    text = render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, rule)], at(1))
    assert "needs 5 approvals but only 3 people are eligible" in text
    assert "`/rfc cancel`" in text


def test_roster_changes_are_shown_one_way_or_both() -> None:
    roster = Roster.of(["alice"])
    gone = Started(at(0), "alice", PATH, "Proposed", "Final", roster=frozenset({"alice", "zed"}))
    came = Started(at(0), "alice", PATH, "Proposed", "Final", roster=frozenset())
    for start, line in (
        (gone, "Roster changes: no longer eligible: `zed`."),
        (came, "Roster changes: eligible since it started: `alice`."),
    ):
        state = decision_state(PATH, [start], RULE, roster, at(1))
        assert line in render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, RULE)], at(1))


def test_roster_changes_and_dismissed_approvals_are_shown() -> None:
    rule = DecisionRule(dismiss_on_change=True, approvals="majority", comment_period=timedelta(0))
    start = Started(at(0), "alice", PATH, "Proposed", "Final", roster=frozenset({"alice", "zed"}))
    events: list[Event] = [start, TextChanged(at(1), PATH, "abc")]
    state = decision_state(PATH, events, rule, ROSTER, at(2))
    text = render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, rule)], at(2))
    assert (
        "Roster changes: no longer eligible: `zed`; eligible since it started: `bob`, `carol`."
        in (text)
    )
    assert "Approvals given before it were withdrawn (`dismiss_on_change`)." in text
    assert "**Comment period:** none, not started" in text


def test_quorum_words_and_final_statuses_read_well() -> None:
    moves = (
        MoveOption("Final", ("maintainers",), DecisionRule(approvals="all")),
        MoveOption("Rejected", ("maintainers",), DecisionRule(approvals="majority")),
    )
    text = render_panel([RfcPanel(PATH, "T", "Proposed", moves)], at(0))
    assert "approvals from all of `maintainers`" in text
    assert "approvals from a majority of `maintainers`" in text
    final = render_panel([RfcPanel(PATH, "T", "Deprecated")], at(0))
    assert "No moves are open from **Deprecated**." in final
    assert "**Next step:** none: **Deprecated** is final." in final
    assert "This pull request changes no RFC." in render_panel([], at(0))


# --- Attacks: hostile titles, oversized panels --------------------------------------------


@given(st.text(max_size=300))
@example("<!-- rfc-bot:panel --> @everyone [x](javascript:alert(1)) | a | b |\n# Heading")
@example("``` ~~~ <script>alert(1)</script> **bold** ![img](https://x)")
def test_a_hostile_title_stays_one_line_of_text(title: str) -> None:
    text = render_panel([RfcPanel(PATH, title, "Proposed", MOVES)], at(0))
    tokens = MARKDOWN.parse(text)
    assert text.count(PANEL) == 1
    assert [t.type for t in tokens].count("html_block") == 1  # only the marker
    heading = next(t for t in tokens if t.type == "inline" and t.content.startswith("`rfcs/"))
    assert all(child.type in ("code_inline", "text") for child in heading.children or [])
    assert "@" not in "".join(c.content for c in heading.children or []).replace("@\u2060", "")


def test_hostile_links_are_not_linked() -> None:
    approved = Approved(at(1), "bob", PATH, "javascript:alert(1)")
    state = decision_state(PATH, [START, approved], RULE, ROSTER, at(2))
    text = render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, RULE)], at(2))
    assert "javascript:" not in text
    assert "- [x] `bob`: approved on 2024-05-01 10:00 UTC" in text


def test_a_huge_roster_is_listed_up_to_a_bound() -> None:
    roster = Roster.of([f"user{n:04d}" for n in range(3000)])
    state = decision_state(PATH, [START], RULE, roster, at(1))
    text = render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, RULE)], at(1))
    assert text.count("- [ ] ") == 50 and "- …and 2950 more" in text
    assert "and 2990 more: comment" in text


def test_many_rfcs_fit_the_comment_limit_with_a_note() -> None:
    state = decision_state(PATH, [START, BOB, CONCERN], RULE, ROSTER, at(6))
    rfcs = [
        RfcPanel(f"rfcs/0000-rfc-{n:04d}.md", "T" * 150, "Proposed", MOVES, state, RULE)
        for n in range(400)
    ]
    text = render_panel(rfcs, at(6))
    assert len(text) <= MAX_COMMENT_CHARS
    shown = text.count("### `rfcs/")
    assert 0 < shown < 400
    assert f"…and {400 - shown} more RFCs, not shown: GitHub limits a comment to 65,536" in text
    assert text.rstrip().endswith("Each RFC's check run has its details._")


def test_many_concerns_are_bounded() -> None:
    concerns: list[Event] = [
        ConcernRaised(at(1), "carol", PATH, f"c{n}", f"{PULL}#c{n}") for n in range(70)
    ]
    state = decision_state(PATH, [START, *concerns], RULE, ROSTER, at(2))
    text = render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, RULE)], at(2))
    assert "- …and 20 more" in text and "**Concerns:** 70 open" in text


def test_nobody_eligible() -> None:
    state = decision_state(PATH, [START], RULE, Roster.of([]), at(1))
    text = render_panel([RfcPanel(PATH, "T", "Proposed", MOVES, state, RULE)], at(1))
    assert "- nobody is eligible to approve" in text


def test_the_docs_show_the_panel_as_the_golden_files_have_it() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "decisions.md").read_text()
    for stage in ("paused", "comment-period"):
        assert (GOLDEN / f"panel-{stage}.md").read_text(encoding="utf-8") in docs, stage
