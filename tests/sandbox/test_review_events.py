"""``pull_request_review`` webhooks: GitHub's example shape, the review as ``submit_review``
made it (state in lower case, as webhooks write it), dismissals and edits."""

from __future__ import annotations

import pytest

from sandbox.sim_events import example
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI

RFC = "rfcs/0000-x.md"


def test_the_vendored_review_payloads_are_real_examples() -> None:
    for action in ("submitted", "edited", "dismissed"):
        payload = example(f"pull_request_review.{action}")
        assert payload["action"] == action
        assert {"review", "pull_request", "installation", "organization"} <= set(payload)
    assert example("pull_request_review.dismissed")["review"]["state"] == "dismissed"


@pytest.mark.parametrize(
    ("state", "webhook_state"),
    [
        ("APPROVED", "approved"),
        ("CHANGES_REQUESTED", "changes_requested"),
        ("COMMENTED", "commented"),
    ],
)
async def test_a_submitted_review_matches_the_rest_answer(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI, state: str, webhook_state: str
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    sim.set_permission(repo, "mona", "maintain")
    body = "" if state == "APPROVED" else "please look at the motivation"
    review = sim.submit_review(repo, pr.number, "mona", state, body)
    payload = sim.event_pull_request_review(repo, pr.number, review)
    assert payload["action"] == "submitted" and "changes" not in payload
    sent = payload["review"]
    assert set(example("pull_request_review.submitted")["review"]) <= set(sent)
    assert sent["state"] == webhook_state
    assert sent["body"] == (body or None)
    assert sent["user"]["login"] == "mona" and payload["sender"]["login"] == "mona"
    assert sent["html_url"].endswith(f"/pull/{pr.number}#pullrequestreview-{review.id}")
    assert sent["author_association"] == "MEMBER"
    (listed,) = [r async for r in gh.getiter(f"/repos/octo-org/rfcs/pulls/{pr.number}/reviews")]
    for key in ("id", "submitted_at", "commit_id", "html_url"):
        assert sent[key] == listed[key]
    assert listed["state"] == state
    assert payload["pull_request"]["number"] == pr.number
    assert payload["pull_request"]["head"]["sha"] == pr.head_sha == sent["commit_id"]
    assert payload["repository"]["full_name"] == "octo-org/rfcs"
    assert payload["installation"]["id"] == repo.installation_id


def test_the_pull_request_keeps_the_shorter_review_form(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    review = sim.submit_review(repo, pr.number, "mona", "APPROVED")
    pull = sim.event_pull_request_review(repo, pr.number, review)["pull_request"]
    assert set(pull) == set(example("pull_request_review.submitted")["pull_request"])
    assert "merged" not in pull  # GitHub's review events carry no merge state


def test_submitted_at_follows_the_clock(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    sim.clock.freeze()
    sim.clock.advance(3600)
    review = sim.submit_review(repo, pr.number, "mona", "APPROVED")
    sent = sim.event_pull_request_review(repo, pr.number, review)["review"]
    assert sent["submitted_at"] == sim.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_dismissal_changes_the_state_everywhere(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    review = sim.submit_review(repo, pr.number, "wendy", "APPROVED")
    with pytest.raises(ValueError, match="dismiss the review first"):
        sim.event_pull_request_review(repo, pr.number, review, "dismissed")
    sim.dismiss_review(repo, review.id, "the text changed", by="ada")
    payload = sim.event_pull_request_review(repo, pr.number, review, "dismissed")
    assert payload["review"]["state"] == "dismissed"
    assert payload["review"]["user"]["login"] == "wendy"
    assert payload["sender"]["login"] == "ada"
    (listed,) = [r async for r in gh.getiter(f"/repos/octo-org/rfcs/pulls/{pr.number}/reviews")]
    assert listed["state"] == "DISMISSED"


def test_github_refuses_what_it_refuses(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    comment = sim.submit_review(repo, pr.number, "mona", "COMMENTED", "nit")
    with pytest.raises(ValueError, match="cannot dismiss a COMMENTED"):
        sim.dismiss_review(repo, comment.id, "no")
    approval = sim.submit_review(repo, pr.number, "mona", "APPROVED")
    with pytest.raises(ValueError, match="message"):
        sim.dismiss_review(repo, approval.id, "")
    sim.dismiss_review(repo, approval.id, "stale")
    with pytest.raises(ValueError, match="cannot dismiss a DISMISSED"):
        sim.dismiss_review(repo, approval.id, "again")
    with pytest.raises(ValueError, match="action"):
        sim.event_pull_request_review(repo, pr.number, comment, "deleted")


def test_a_forged_review_of_another_pull_request_is_refused(sim: Simulator, repo: Repo) -> None:
    first = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    second = sim.open_pull_request(repo, "rfc/y", {"rfcs/0000-y.md": "# Y\n"}, author="alice")
    review = sim.submit_review(repo, first.number, "mona", "APPROVED")
    with pytest.raises(ValueError, match="is not a review of"):
        sim.event_pull_request_review(repo, second.number, review)
    other = sim.create_repo("octo-org/elsewhere", files={"README.md": "x\n"})
    other_pr = sim.open_pull_request(other, "rfc/x", {RFC: "# X\n"}, author="alice")
    assert other_pr.number == first.number
    with pytest.raises(ValueError, match="is not a review of"):
        sim.event_pull_request_review(other, first.number, review)


def test_an_edit_carries_the_previous_body(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice")
    review = sim.submit_review(repo, pr.number, "mona", "COMMENTED", "first")
    review.body = "second"
    edited = sim.event_pull_request_review(
        repo, pr.number, review, "edited", changes={"body": {"from": "first"}}
    )
    assert edited["action"] == "edited"
    assert edited["changes"] == {"body": {"from": "first"}}
    assert edited["review"]["body"] == "second"
    default = sim.event_pull_request_review(repo, pr.number, review, "edited")
    assert default["changes"] == {"body": {"from": "second"}}
