"""One RFC pull request's dashboard card and its decision states, for the dashboard's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.policy.dashboard import PullCard
from bot.policy.decisions import NO_DECISION, Roster, Started, decision_state
from bot.policy.panel import MoveOption, RfcPanel
from bot.rfc.config.public import DecisionRule

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PATH = "rfcs/0000-retries.md"
RULE = DecisionRule(approvals="all", comment_period=timedelta(days=7))
ROSTER = Roster.of(["alice", "bob", "carol"], maintainers=["alice"])
START = Started(T0, "alice", PATH, "Proposed", "Final")
MOVES = (MoveOption("Final", ("maintainers",), RULE),)


def state(*events, now=T0 + timedelta(hours=1)):
    return decision_state(PATH, [START, *events], RULE, ROSTER, now)


def card(
    repo="octo/rfcs",
    number=1,
    *,
    decision=NO_DECISION,
    check="success",
    author="dana",
    status="Proposed",
    moves=MOVES,
):
    rfc = RfcPanel(PATH, "Retries", status, moves, decision, RULE)
    return PullCard(
        repo,
        number,
        "Add retries",
        f"https://github.com/{repo}/pull/{number}",
        author,
        check,
        "",
        (rfc,),
    )
