"""The decision record, pure: every entry proven for its pull request, altered or missing
entries rejected, and a fold over the record that no replay order and no user edit changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.decisions.eligibility import Roster
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.record import (
    Entry,
    RecordBroken,
    merge,
    parse_record,
    record_key,
    render_record,
)
from bot.policy.decisions.record_view import inert, record_events, record_summary
from bot.rfc.config.public import DecisionRule

KEY = record_key(b"k" * 32)
REPO, PULL, PATH = "octo/rfcs", 7, "rfcs/0001-x.md"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
RULE = DecisionRule(approvals=2, approvers=("maintainers",), comment_period=timedelta(hours=1))
ROSTER = Roster.of(["mona", "nina", "omar"], ["mona"])


def entries() -> list[Entry]:
    start = {"current": "Proposed", "target": "Final", "roster": ["mona", "nina", "omar"]}
    return [
        Entry("start", PATH, "mona", T0, "1", "b1", start),
        Entry("approve", PATH, "nina", T0 + timedelta(minutes=1), "2", "b1"),
        Entry("concern", PATH, "omar", T0 + timedelta(minutes=2), "3", "b1", {"name": "naming"}),
        Entry("resolve", PATH, "omar", T0 + timedelta(minutes=3), "4", "b1", {"name": "naming"}),
    ]


def test_a_record_round_trips() -> None:
    text = render_record(KEY, REPO, PULL, entries())
    assert parse_record(KEY, REPO, PULL, text) == entries()


@pytest.mark.parametrize(
    ("repo", "pull", "key"),
    [("octo/other", PULL, KEY), (REPO, 8, KEY), (REPO, PULL, record_key(b"x" * 32))],
)
def test_an_entry_copied_to_another_pull_request_or_key_fails(
    repo: str, pull: int, key: bytes
) -> None:
    text = render_record(KEY, REPO, PULL, entries())
    with pytest.raises(RecordBroken):
        parse_record(key, repo, pull, text)


@given(st.integers(min_value=0, max_value=3), st.sampled_from(["actor", "at", "kind", "blob"]))
def test_an_altered_entry_is_rejected(index: int, name: str) -> None:
    data = json.loads(render_record(KEY, REPO, PULL, entries()))
    value = data["entries"][index][name]
    data["entries"][index][name] = (
        "approve" if name == "kind" and value != "approve" else value + "x"
    )
    with pytest.raises(RecordBroken):
        parse_record(KEY, REPO, PULL, json.dumps(data))


@given(st.permutations(entries()), st.permutations(entries()))
def test_the_fold_is_the_same_in_any_replay_order(first: list[Entry], second: list[Entry]) -> None:
    now = T0 + timedelta(minutes=30)
    one = decision_state(PATH, record_events(first), RULE, ROSTER, now, recorded=True)
    two = decision_state(
        PATH, record_events(merge(second, first)), RULE, ROSTER, now, recorded=True
    )
    assert one == two


def test_a_recorded_concern_stays_open_after_its_raiser_loses_access() -> None:
    recorded = entries()[:3]
    now = T0 + timedelta(minutes=30)
    state = decision_state(
        PATH, record_events(recorded), RULE, Roster.of(["mona", "nina"]), now, recorded=True
    )
    assert [c.name for c in state.concerns] == ["naming"]


@given(st.text(max_size=60))
def test_user_text_is_inert(text: str) -> None:
    shown = inert(text)
    assert "\n" not in shown and "<" not in shown and "@" not in shown and "|" not in shown
    assert "`" not in shown and "[" not in shown


HOLD = Entry("hold", PATH, "mona", T0 + timedelta(minutes=5), "5", "b1", {"reason": "legal"})
UNHOLD = Entry("unhold", PATH, "mona", T0 + timedelta(minutes=6), "6", "b1")


def test_holds_round_trip_and_fold_from_the_record() -> None:
    text = render_record(KEY, REPO, PULL, [*entries(), HOLD])
    assert parse_record(KEY, REPO, PULL, text) == [*entries(), HOLD]
    now = T0 + timedelta(minutes=10)
    held = decision_state(PATH, record_events([*entries(), HOLD]), RULE, ROSTER, now, recorded=True)
    assert held.held_by == "mona" and held.hold is not None and held.hold.reason == "legal"
    lifted = record_events([*entries(), HOLD, UNHOLD])
    assert decision_state(PATH, lifted, RULE, ROSTER, now, recorded=True).held_by is None


def test_the_record_table_shows_holds_with_their_reason_inert() -> None:
    forged = Entry("hold", PATH, "mona", T0, "7", "b1", {"reason": "<!-- rfc-bot:panel --> @x"})
    summary = record_summary([forged, UNHOLD])
    assert "| hold: &#60;&#33;-- rfc-bot&#58;panel --&#62; &#64;x |" in summary
    assert "| unhold |" in summary
    assert "<!--" not in summary and "@x" not in summary


@given(st.lists(st.sampled_from(["perf", "naming", "api"]), min_size=1, max_size=3, unique=True))
@example(["perf", "naming"])  # the bug: one comment's second concern was merged away
def test_several_concerns_of_one_comment_are_all_kept(names: list[str]) -> None:
    raised = [Entry("concern", PATH, "omar", T0, "9", "b1", {"name": name}) for name in names]
    kept = merge(raised, raised)  # and a replica wrote them again
    assert sorted(str(e.extra["name"]) for e in kept) == sorted(names)
