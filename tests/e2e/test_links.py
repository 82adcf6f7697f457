"""Links between RFCs, end to end: the check run reports a link to an RFC that is not at the
pull request's head; the numbering commit reads the configured folders within their bound and
says what it left."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import bot_comments, rfc, send
from tests.e2e.tracking_helpers import GUIDE, PATH, merged, seed


async def test_the_check_reports_a_link_to_an_rfc_that_is_not_there(sim: Any, bot_app: Any) -> None:
    repo = seed(sim, "")
    text = rfc() + "\nFollows [audit](0001-audit-log.md), not [gone](0009-gone.md).\n"
    pull = sim.open_pull_request(repo, "rfc/new", {PATH: text}, author="alice")
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))

    [run] = sim.check_runs(repo, head_sha=pull.head_sha)
    [annotation] = [a for a in run["annotations"] if a["title"] == "rfc-link-target"]
    assert "`rfcs/0009-gone.md`" in annotation["message"]
    assert annotation["annotation_level"] == "failure"


async def test_a_pull_request_without_links_lists_no_tree(sim: Any, bot_app: Any) -> None:
    repo = seed(sim, "")
    pull = sim.open_pull_request(repo, "rfc/new", {PATH: rfc()}, author="alice")
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))

    assert not [r for r in sim.requests if r.operation_id == "git/get-tree"]
    [run] = sim.check_runs(repo, head_sha=pull.head_sha)
    assert not [a for a in run["annotations"] if a["title"] == "rfc-link-target"]


async def test_markdown_files_past_the_bound_are_left_and_the_announcement_says_so(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(
        sim,
        "follow_up:\n  links:\n    max_files: 1\n",
        **{"docs/zz-later.md": "See [it](../rfcs/0000-job-retries.md).\n"},
    )
    pull = merged(sim, repo)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert "../rfcs/0002-job-retries.md" in sim.file(repo, GUIDE)  # first in path order
    assert "../rfcs/0000-job-retries.md" in sim.file(repo, "docs/zz-later.md")
    [announcement] = bot_comments(sim, repo, pull.number)
    assert "were not checked in 1 more markdown files" in announcement
