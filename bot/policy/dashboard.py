"""The live dashboard's decisions: which rows a viewer sees, and who must act on each. Pure.

A ``PullCard`` is one open pull request that touches RFCs, as the App last read it: its RFCs
are the very ``RfcPanel`` values the status panel is rendered from (one fold, one truth; see
``bot.features.dashboard``). ``build_view`` turns the cards and a viewer into what the page
shows:

- only the repositories the viewer may read (the caller says which): a hidden repository is
  not counted, named or hinted at anywhere;
- per RFC, its status, the check's conclusion and the decision in progress, with who must act
  now (``next_action``), judged at ``now``: a comment period that ran out since the card was
  read shows as due, not as running;
- "waiting on me": the rows whose next action names the viewer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from bot.policy.decisions import DecisionState, Phase
from bot.policy.panel import RfcPanel
from bot.policy.text import plural

# Check conclusions as the page names them; anything else GitHub says is shown as "other".
CHECK_STATES = ("success", "failure", "neutral", "action_required", "pending", "missing")


class Urgency(Enum):
    """How soon a row needs someone, in the order rows are listed."""

    BLOCKED = 0  # a concern or an impossible quorum: nothing moves until someone acts
    WAITING = 1  # approvals wanted, or a failing check
    COUNTDOWN = 2  # a comment period is running: it ends by itself
    DUE = 3  # the App makes the move at its next sweep
    IDLE = 4  # no decision and nothing failing: the authors move it when ready


@dataclass(frozen=True, slots=True)
class PullCard:
    """An open pull request that touches RFCs, as last read from GitHub."""

    repo: str
    number: int
    title: str
    url: str
    author: str
    check: str  # one of CHECK_STATES, or another conclusion GitHub gives
    check_url: str
    rfcs: tuple[RfcPanel, ...]
    private: bool = False


@dataclass(frozen=True, slots=True)
class CachedCard:
    """A card as read, with what proves it still current: the pull request's ``updated_at``
    in the (conditional) listing, which every push, comment, review and label change moves,
    and when it was read (the roster and the clock move it too, so it ages out)."""

    mark: str
    read_at: float  # monotonic seconds
    card: PullCard | None  # None: the pull request touches no RFC

    def current(self, mark: str, now: float, max_age: float) -> bool:
        return self.mark == mark and now - self.read_at < max_age


def check_state(runs: Iterable[Mapping[str, object]], app_id: int | None) -> tuple[str, str]:
    """The App's own check run on the head, as (state, link): its conclusion when completed,
    ``pending`` while it runs, ``missing`` when there is none. Another App's run of the same
    name is never taken for ours."""
    for run in runs:
        app = run.get("app")
        owner = app.get("id") if isinstance(app, Mapping) else None
        if app_id is not None and owner != app_id:
            continue
        url = str(run.get("html_url") or "")
        if run.get("status") != "completed":
            return "pending", url
        return str(run.get("conclusion") or "neutral"), url
    return "missing", ""


@dataclass(frozen=True, slots=True)
class NextAction:
    """Who must act on an RFC now and what they must do; ``logins`` lower-cased."""

    what: str
    logins: tuple[str, ...] = ()
    urgency: Urgency = Urgency.IDLE


@dataclass(frozen=True, slots=True)
class Row:
    card: PullCard
    rfc: RfcPanel
    decision: DecisionState  # as of ``now``
    action: NextAction
    mine: bool  # the action names the viewer


@dataclass(frozen=True, slots=True)
class DashboardView:
    viewer: str
    now: datetime
    rows: tuple[Row, ...]  # what the chosen tab shows, most urgent first
    total: int  # rows the viewer may see, all tabs
    waiting_on_viewer: int
    statuses: tuple[tuple[str, int], ...]  # status -> rows, over the rows the viewer may see
    repositories: int  # readable repositories with at least one row
    mine_only: bool


def as_of(state: DecisionState, now: datetime) -> DecisionState:
    """The decision as it stands at ``now``: a comment period that has ended is due."""
    running_out = state.phase is Phase.COMMENT_PERIOD and state.period_end is not None
    if running_out and not state.move_due and state.period_end <= now:  # type: ignore[operator]
        return replace(state, move_due=True)
    return state


def next_action(card: PullCard, rfc: RfcPanel, state: DecisionState) -> NextAction:
    """Who must act on ``rfc`` now, from the same state the status panel shows."""
    if state.running:
        return _decision_action(card, state)
    if card.check == "failure":
        author = (card.author.lower(),) if card.author else ()
        return NextAction("fix what the RFC validation check found", author, Urgency.WAITING)
    if not rfc.moves:
        return NextAction(f"nothing: {rfc.status} is final")
    return NextAction("nothing pending: the next move is the authors' or maintainers' call")


def _decision_action(card: PullCard, state: DecisionState) -> NextAction:
    target = state.target or "?"
    if state.move_due:
        return NextAction(f"the App moves it to {target} at its next sweep", (), Urgency.DUE)
    if state.concerns:
        raisers = _unique(concern.raised_by.lower() for concern in state.concerns)
        names = ", ".join(concern.name for concern in state.concerns[:5])
        what = f"resolve the open concerns ({names}): whoever raised each, or a maintainer"
        return NextAction(what, raisers, Urgency.BLOCKED)
    if state.hold is not None:
        what = f"a maintainer: on hold by {state.hold.by} (/rfc unhold lifts it)"
        return NextAction(what, (), Urgency.BLOCKED)
    eligible = len(state.approvals) + len(state.waiting_on)
    if state.required > eligible:
        what = (
            f"a maintainer: {state.required} approvals are needed but only {eligible} people "
            "are eligible (cancel, or change the decision rule)"
        )
        return NextAction(what, (), Urgency.BLOCKED)
    if state.phase is Phase.COMMENT_PERIOD:
        return NextAction(
            f"nobody, unless someone objects: it moves to {target} when the period ends",
            (),
            Urgency.COUNTDOWN,
        )
    waiting = tuple(login.lower() for login in state.waiting_on)
    what = f"{plural(state.needed, 'more approval')} to move it to {target}"
    return NextAction(what, waiting, Urgency.WAITING)


def _unique(logins: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(logins))


def build_view(
    cards: Iterable[PullCard],
    viewer: str,
    may_read: Callable[[str], bool],
    now: datetime,
    *,
    mine_only: bool = False,
) -> DashboardView:
    """The rows ``viewer`` may see (``may_read(repo)``), most urgent first; with
    ``mine_only``, only those waiting on the viewer. Counts cover readable rows only."""
    login = viewer.lower()
    rows: list[Row] = []
    for card in cards:
        if not may_read(card.repo):
            continue
        for rfc in card.rfcs:
            state = as_of(rfc.decision, now)
            action = next_action(card, rfc, state)
            rows.append(Row(card, rfc, state, action, login in action.logins))
    rows.sort(key=_row_order)
    statuses = Counter(row.rfc.status for row in rows)
    shown = [row for row in rows if row.mine] if mine_only else rows
    return DashboardView(
        viewer=viewer,
        now=now,
        rows=tuple(shown),
        total=len(rows),
        waiting_on_viewer=sum(row.mine for row in rows),
        statuses=tuple(sorted(statuses.items(), key=lambda item: (-item[1], item[0]))),
        repositories=len({row.card.repo for row in rows}),
        mine_only=mine_only,
    )


def _row_order(row: Row) -> tuple[object, ...]:
    ends = row.decision.period_end
    return (
        not row.mine,
        row.action.urgency.value,
        ends.timestamp() if ends is not None else float("inf"),
        row.card.repo.lower(),
        row.card.number,
        row.rfc.path,
    )
