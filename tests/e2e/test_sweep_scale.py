"""The sweep with many repositories: an idle sweep costs no counted request however many
repositories there are (no cache smaller than the sweep), and a sweep that uses up the
installation's budget itself stops short of the reserve."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.serve.app import METRICS, RECONCILER
from tests.e2e.decision_helpers import MONA, open_edit, repo, say

__all__ = ["repo"]  # the fixture: a repository with a decision rule
from tests.e2e.helpers import rfc

# More repositories than any one cache of the App held before (configs: 256).
MANY = 300


def seed(sim: Any, count: int, owner: str = "octo-org") -> list[str]:
    names = [f"{owner}/rfcs-{i:03d}" for i in range(count)]
    for name in names:
        repo = sim.create_repo(name, files={"README.md": "# RFCs\n"})
        sim.open_pull_request(
            repo, head="rfc/x", files={"rfcs/0000-x.md": rfc("X")}, author="alice"
        )
    return names


async def test_an_idle_sweep_of_many_repositories_counts_no_request(sim: Any, bot_app: Any) -> None:
    names = seed(sim, MANY)
    sweeper = bot_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    first = await sweeper.sweep()
    assert first.repairs == Counter(check=MANY)
    sim.set_rate_remaining(names[0], 5000)  # the repairs spent most of the hour's budget
    await sweeper.sweep()  # the listings the repairs changed
    used, start = sim.api_usage(names[0]), len(sim.requests)

    idle = await sweeper.sweep()

    after = sim.api_usage(names[0])
    assert idle.errors == 0 and idle.repositories == MANY
    assert after.requests - used.requests == 0
    assert idle.requests == 0
    assert after.not_modified - used.not_modified >= 4 * MANY  # every listing asked, a 304
    # Each listing once per repository: the checks and the decisions share the open ones.
    listings = Counter(
        (r.path, r.query.get("state")) for r in sim.requests[start:] if r.path.endswith("/pulls")
    )
    assert set(listings.values()) == {1} and len(listings) == 2 * MANY  # open, closed


async def test_a_sweep_stops_before_the_reserve_and_finishes_later(sim: Any, bot_app: Any) -> None:
    names = seed(sim, 12)
    sweeper = bot_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    sim.set_rate_remaining(names[0], 560)  # RATE_BUDGET_RESERVE is 500: a few repairs' worth

    short = await sweeper.sweep()

    assert 0 < short.repositories < len(names)
    # Each of the 4 sweepers may start one repository's repairs just above the reserve.
    most = max(short.by_repository[name] for name in names)
    assert sim.api_usage(names[0]).remaining >= 500 - 4 * most
    metrics = bot_app.app[METRICS].render().decode()
    assert 'rfcbot_deferred_total{kind="sweep"} 1.0' in metrics
    sim.set_rate_remaining(names[0], 5000)  # a new window
    rest = await sweeper.sweep()
    assert short.repairs["check"] + rest.repairs["check"] == len(names)


async def test_an_idle_sweep_of_a_pull_request_in_a_decision_counts_no_request(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, bot_app, repo, pull.number, MONA, "/rfc status final")
    sweeper = bot_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    await sweeper.sweep()
    await sweeper.sweep()
    used = sim.api_usage(repo)

    idle = await sweeper.sweep()  # the decisions timer reads the RFC in the decision: a 304

    assert idle.errors == 0 and idle.requests == 0
    assert sim.api_usage(repo).requests == used.requests
