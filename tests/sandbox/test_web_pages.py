"""The simulator's pull request and check run pages: what a link from the App opens."""

from __future__ import annotations

import aiohttp

from sandbox.simulator import Simulator


async def test_a_pull_requests_page_shows_its_conversation_escaped(sim: Simulator) -> None:
    sim.link_here()
    repo = sim.create_repo("o/r")
    pull = sim.open_pull_request(repo, head="b", files={"x.md": "x"}, title="<b>Title</b>")
    comment = sim.add_comment(repo, pull.number, "alice", "<script>alert(1)</script>")
    review = sim.submit_review(repo, pull.number, "nina", "APPROVED")
    rendered = sim.event_pull_request(repo, pull.number, "opened")["pull_request"]
    assert rendered["html_url"] == f"{sim.base_url}/o/r/pull/{pull.number}"
    async with aiohttp.ClientSession() as browser:
        answer = await browser.get(rendered["html_url"])
        text = await answer.text()
    assert answer.status == 200 and answer.content_type == "text/html"
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;Title&lt;/b&gt;" in text
    assert f'id="issuecomment-{comment["id"]}"' in text
    assert f'id="pullrequestreview-{review.id}"' in text and "approved" in text


async def test_missing_and_private_pages_are_404_and_the_api_stays_the_api(
    sim: Simulator,
) -> None:
    sim.link_here()
    public = sim.create_repo("o/r")
    private = sim.create_repo("o/secret", private=True)
    number = sim.open_pull_request(private, head="b", files={"x.md": "x"}).number
    sim.open_pull_request(public, head="b", files={"x.md": "x"})
    async with aiohttp.ClientSession() as browser:
        for path in (f"/o/secret/pull/{number}", "/o/r/pull/99", "/o/r/runs/5", "/x/y/pull/1"):
            assert (await browser.get(sim.base_url + path)).status == 404, path
        api = await browser.get(sim.base_url + "/repos/o/pull/1")  # not a page: the API's
        assert api.status == 404 and api.content_type == "application/json"
    assert any("/repos/o/pull/1" in violation for violation in sim.violations)
    sim.violations.clear()


def test_repositories_link_to_github_unless_told(sim: Simulator) -> None:
    repo = sim.create_repo("o/r")
    number = sim.open_pull_request(repo, head="b", files={"x.md": "x"}).number
    event = sim.event_pull_request(repo, number, "opened")
    assert event["pull_request"]["html_url"] == f"https://github.com/o/r/pull/{number}"
