"""Tracking issues on acceptance, end to end: an RFC merged Final gets one issue (title,
labels, the authors GitHub can assign, a checklist from its sections, links both ways), the
numbering commit records it beside the number and rewrites the links to the renamed file in
an RFC, the index and a doc, and the pull request's Rendered link follows the file."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import REPO, bot_comments, numbering_commits, send
from tests.e2e.tracking_helpers import (
    GUIDE,
    INDEX,
    NUMBERED,
    PATH,
    RENDERED_NEW,
    RENDERED_OLD,
    accepted_rfc,
    claim_refs,
    merged,
    seed,
    tracking_issues,
)


def changed_by_head(repo: Any) -> set[str]:
    """The paths the default branch's head commit changed against its parent."""
    head = repo.objects.commits[repo.branches["main"]]
    before = repo.objects.files_at(head.parents[0])
    after = repo.objects.files_at(head.sha)
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


async def test_an_accepted_rfc_gets_one_tracking_issue_recorded_with_its_number(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [issue] = tracking_issues(sim, repo)
    assert issue["title"] == "Tracking issue for RFC 0002: Job Retries"
    assert [label["name"] for label in issue["labels"]] == ["rfc: tracking"]
    assert [person["login"] for person in issue["assignees"]] == ["alice"]  # bob: read only
    body = issue["body"]
    assert body.startswith("<!-- rfc-bot:tracking ")
    assert f"[RFC 0002: Job Retries]({RENDERED_NEW}), accepted in #{pull.number}." in body
    assert (
        "### Success Metrics\n- [ ] **Failures:** under 1% of jobs\n- [ ] Dashboards live" in body
    )
    assert "### Rollout Plan\n- [ ] Canary on one queue first" in body

    # One commit: the number, the tracking issue, and the links of an RFC, the index, a doc.
    [message] = numbering_commits(sim, repo, pull.number)
    assert changed_by_head(repo) == {PATH, NUMBERED, INDEX, GUIDE}
    text = sim.file(repo, NUMBERED)
    assert f"**Tracking Issue:** #{issue['number']}  \n" in text
    assert "**RFC Number:** 0002  \n" in text
    assert "[the goals](0002-job-retries.md#goals)" in text
    assert "Start with [retries](0002-job-retries.md)." in sim.file(repo, INDEX)
    assert sim.file(repo, GUIDE) == (
        "# Guide\n\nRead [the retries RFC](../rfcs/0002-job-retries.md) first.\n\n"
        "```\n[kept](../rfcs/0000-job-retries.md)\n```\n"
    )
    assert "Links to the renamed files rewritten in: docs/guide.md." in message

    # Both ways: the announcement names the issue, and the Rendered link follows the file.
    [announcement] = bot_comments(sim, repo, pull.number)
    assert f"Assigned RFC 0002: [{NUMBERED}]" in announcement
    assert f"tracked in #{issue['number']}" in announcement
    assert sim.pull_request(repo, pull.number).body == (
        f"Our proposal.\n\n[Rendered]({RENDERED_NEW})\n\nSee also [the site](https://example.org).\n"
    )


async def test_a_redelivery_opens_nothing_more(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    event = sim.event_pull_request(repo, pull.number, "closed")
    await send(bot_app, "pull_request", event, delivery_id="first")
    head = sim.head(repo, "main")
    start = len(sim.requests)

    await send(bot_app, "pull_request", event, delivery_id="second")

    assert len(tracking_issues(sim, repo)) == 1
    assert sim.head(repo, "main") == head
    writes = [r.operation_id for r in sim.requests[start:] if r.method in ("POST", "PATCH")]
    assert writes in ([], ["issues/add-labels"])  # the label is put on again, as always


@pytest.mark.parametrize(
    ("config", "status"),
    [("follow_up:\n  tracking_issue: {}\n", "Draft"), ("", "Final")],
)
async def test_no_issue_unless_accepted_and_turned_on(
    sim: Any, bot_app: Any, config: str, status: str
) -> None:
    repo = seed(sim, config)
    pull = merged(sim, repo, accepted_rfc(status=status))
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert tracking_issues(sim, repo) == []
    assert claim_refs(repo) == {}
    assert "**Tracking Issue:**" not in sim.file(repo, NUMBERED)
    assert "../rfcs/0002-job-retries.md" in sim.file(repo, GUIDE)  # links: on by default


async def test_links_are_left_alone_when_turned_off(sim: Any, bot_app: Any) -> None:
    repo = seed(sim, "follow_up:\n  links: null\n")
    pull = merged(sim, repo)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert "../rfcs/0000-job-retries.md" in sim.file(repo, GUIDE)
    assert "[the goals](0000-job-retries.md#goals)" in sim.file(repo, NUMBERED)
    assert RENDERED_NEW in sim.pull_request(repo, pull.number).body  # the PR's link still moves


@pytest.mark.parametrize("bot_app", [{"announce_after_seconds": 0.0}], indirect=True)
async def test_a_late_announcement_links_the_tracking_issue_too(sim: Any, bot_app: Any) -> None:
    sim.fail("POST", r".*/issues/\d+/comments$", 403, times=1)  # the writer cannot announce
    repo = seed(sim)
    pull = merged(sim, repo)
    event = sim.event_pull_request(repo, pull.number, "closed")
    await send(bot_app, "pull_request", event, delivery_id="writer")
    assert bot_comments(sim, repo, pull.number) == []

    await send(bot_app, "pull_request", event, delivery_id="later")

    [issue] = tracking_issues(sim, repo)
    [announcement] = bot_comments(sim, repo, pull.number)
    assert f"tracked in #{issue['number']}" in announcement


async def test_the_rendered_link_keeps_the_authors_later_edits(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    edited = f"Edited after the merge.\n\n[Rendered]({RENDERED_OLD}#goals)\n"
    sim.edit_pull_body(repo, pull.number, edited)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert sim.pull_request(repo, pull.number).body == (
        f"Edited after the merge.\n\n[Rendered]({RENDERED_NEW}#goals)\n"
    )


async def test_a_rendered_link_to_another_repository_is_not_touched(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    foreign = f"[Rendered](https://github.com/someone/fork/blob/x/{PATH})\n"
    sim.edit_pull_body(repo, pull.number, foreign)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert sim.pull_request(repo, pull.number).body == foreign
    assert f"https://github.com/{REPO}" not in foreign


async def test_the_number_command_after_a_refusal_opens_the_issue_and_moves_the_link(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(sim)
    sim.set_permission(repo, "mona", "admin")
    pull = merged(sim, repo)
    sim.protect_branch(repo, "main")
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))
    [refusal] = bot_comments(sim, repo, pull.number)
    assert "Protected branch update failed" in refusal
    [opened] = tracking_issues(sim, repo)  # opened before the refused commit: kept, reused

    repo.protected.discard("main")
    comment = sim.add_comment(repo, pull.number, "mona", "/rfc number")
    await send(bot_app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))

    assert [i["number"] for i in tracking_issues(sim, repo)] == [opened["number"]]
    assert f"**Tracking Issue:** #{opened['number']}" in sim.file(repo, NUMBERED)
    reply = bot_comments(sim, repo, pull.number)[-1]
    assert f"Assigned RFC 0002: [{NUMBERED}]" in reply
    assert f"tracked in #{opened['number']}" in reply
    assert RENDERED_NEW in sim.pull_request(repo, pull.number).body
