"""The dashboard's data (``bot.features.dashboard``) against the simulator: what a view reads,
what it remembers, and what it does when GitHub is slow, failing or short of requests."""

from __future__ import annotations

from bot.features.dashboard import DashboardCache, open_cards
from bot.policy.dashboard import CachedCard
from bot.serve.app import DISPATCHER, RECONCILER
from sandbox.dashboard_demo import PRIVATE_REPO, PUBLIC_REPO, Scene


def clients(scene: Scene):
    factory = scene.app.app[DISPATCHER].clients
    assert factory is not None
    return factory


def remembered(scene: Scene) -> DashboardCache:
    """What the App's dashboard remembers between views."""
    return scene.app.context.caches.of(DashboardCache)


def number_of(scene: Scene, title: str) -> int:
    repo = scene.sim.find_repo(PUBLIC_REPO)
    return next(n for n, pull in repo.pulls.items() if pull.title == f"RFC: {title}")


async def test_a_view_reads_every_readable_pull_request_once_then_remembers(scene: Scene) -> None:
    ctx = scene.app.context
    found = await open_cards(clients(scene), ctx, "mona")
    assert len(found.cards) == 6 and found.readable == {PUBLIC_REPO, PRIVATE_REPO}
    assert (found.loading, found.unavailable, found.rate_limited) == (0, 0, False)
    assert all(isinstance(entry, CachedCard) for entry in remembered(scene).cards.values())
    installation = scene.sim.find_repo(PUBLIC_REPO).installation_id
    before = scene.sim.api_usage(installation).requests
    again = await open_cards(clients(scene), ctx, "alice")
    # Listings answer 304 and the cards are remembered: the one counted request asks whether
    # alice may read the private repository (she may not; that answer is remembered too).
    assert scene.sim.api_usage(installation).requests == before + 1
    await open_cards(clients(scene), ctx, "alice")
    assert scene.sim.api_usage(installation).requests == before + 1
    assert {card.repo for card in again.cards} == {PUBLIC_REPO}


async def test_the_sweep_refreshes_a_card_shown_here_when_its_pull_request_changed(
    scene: Scene,
) -> None:
    ctx = scene.app.context
    await open_cards(clients(scene), ctx, "mona")
    repo = scene.sim.find_repo(PUBLIC_REPO)
    number = number_of(scene, "Audit log")
    scene.sim.clock.advance(60)
    scene.sim.add_comment(repo, number, "omar", "/rfc resolve storage-cost")  # delivery lost
    stale = remembered(scene).cards[(PUBLIC_REPO, number)]
    await scene.app.app[RECONCILER].sweep()  # answers the command, then refreshes the card
    fresh = remembered(scene).cards[(PUBLIC_REPO, number)]
    assert fresh.mark != stale.mark
    assert fresh.card is not None and not fresh.card.rfcs[0].decision.concerns


async def test_a_closed_pull_request_leaves_the_board(scene: Scene) -> None:
    ctx = scene.app.context
    await open_cards(clients(scene), ctx, "mona")
    repo = scene.sim.find_repo(PUBLIC_REPO)
    number = number_of(scene, "Dark mode")
    scene.sim.close_pull_request(repo, number)
    await scene.deliver("pull_request", scene.sim.event_pull_request(repo, number, "closed"))
    assert (PUBLIC_REPO, number) not in remembered(scene).cards
    found = await open_cards(clients(scene), ctx, "mona")
    assert len(found.cards) == 5


async def test_short_of_requests_a_view_shows_only_what_it_read_already(scene: Scene) -> None:
    ctx = scene.app.context
    await open_cards(clients(scene), ctx, "mona")
    repo = scene.sim.find_repo(PUBLIC_REPO)
    scene.sim.clock.advance(60)
    scene.sim.add_comment(repo, number_of(scene, "Job retries"), "nina", "a remark")
    scene.sim.set_rate_remaining(repo, 10)
    found = await open_cards(clients(scene), ctx, "mona")
    assert found.rate_limited and len(found.cards) == 6  # the changed one as last read


async def test_a_view_that_runs_out_of_time_counts_what_it_could_not_read(scene: Scene) -> None:
    ctx = scene.app.context
    remembered(scene).cards.clear()
    scene.sim.time_out("GET", r".*/pulls/\d+/files.*", times=20, hang=5.0)
    found = await open_cards(clients(scene), ctx, "mona", budget=1.0)
    assert found.loading == 6 and found.cards == []


async def test_a_view_with_no_time_at_all_answers_anyway(scene: Scene) -> None:
    found = await open_cards(clients(scene), scene.app.context, "mona", budget=0.0)
    assert found.unavailable == 1 and found.cards == []


async def test_a_private_repository_is_hidden_when_github_cannot_say_who_may_read_it(
    scene: Scene,
) -> None:
    ctx = scene.app.context
    # Every attempt of the first view's question fails (the client retries a 5xx while the
    # view's time lasts).
    scene.sim.fail("GET", r".*/collaborators/mona/permission", 502, times=10_000)
    found = await open_cards(clients(scene), ctx, "mona", budget=1.0)
    assert PRIVATE_REPO not in found.readable
    scene.sim.faults.injections.clear()  # GitHub answers again
    # Not remembered: asked again.
    assert ("mona", PRIVATE_REPO.lower()) not in remembered(scene).read_access
    found = await open_cards(clients(scene), ctx, "mona")
    assert PRIVATE_REPO in found.readable


async def test_an_installation_github_does_not_answer_for_is_said(scene: Scene) -> None:
    # It fails for as long as the view may wait (the client retries a 5xx while time lasts).
    scene.sim.fail("GET", r"/installation/repositories.*", 502, times=10_000)
    found = await open_cards(clients(scene), scene.app.context, "mona", budget=1.0)
    assert found.unavailable == 1 and found.cards == []
