"""Who GitHub says did it: the App's bot user and ``performed_via_github_app`` on what the
App writes with its installation token, a person and ``null`` on what a person writes;
each check run's ``app``."""

from __future__ import annotations

import pytest

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import app_jwt
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


@pytest.fixture
def pull(sim: Simulator, repo: Repo) -> int:
    return sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}).number


async def test_comment_made_with_the_installation_token(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    made = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "from the App"})
    assert made.body["user"]["login"] == "rfc-bot[bot]"
    assert made.body["user"]["type"] == "Bot"
    via = made.body["performed_via_github_app"]
    assert (via["id"], via["slug"], via["name"]) == (4242, "rfc-bot", "rfc-bot")
    assert via["owner"]["login"] == "octo-org" and "permissions" in via
    listed = (await api.get(f"{REPO}/issues/{pull}/comments")).body
    assert listed[0]["performed_via_github_app"] == via
    edited = await api("PATCH", f"{REPO}/issues/comments/{made.body['id']}", {"body": "edited"})
    assert edited.body["performed_via_github_app"] == via


async def test_comment_by_a_person_is_not_via_an_app(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    said = sim.add_comment(repo, pull, "mona", "/rfc status proposed")
    assert said["performed_via_github_app"] is None
    assert (said["user"]["login"], said["user"]["type"]) == ("mona", "User")
    forged = sim.add_comment(repo, pull, "eve", "<!-- rfc-bot:marker -->")
    listed = (await api.get(f"{REPO}/issues/{pull}/comments")).body
    assert [c["performed_via_github_app"] for c in listed] == [None, None]
    assert listed[1]["id"] == forged["id"]


async def test_reactions_name_the_bot_or_the_person(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    said = sim.add_comment(repo, pull, "mona", "/rfc check")
    await api("POST", f"{REPO}/issues/comments/{said['id']}/reactions", {"content": "eyes"})
    sim.add_reaction(repo, said["id"], "eve", "eyes")
    sim.add_reaction(repo, said["id"], "eve", "+1")
    listed = await api.get(f"{REPO}/issues/comments/{said['id']}/reactions")
    assert [(r["user"]["login"], r["user"]["type"], r["content"]) for r in listed.body] == [
        ("rfc-bot[bot]", "Bot", "eyes"),
        ("eve", "User", "eyes"),
        ("eve", "User", "+1"),
    ]
    only_eyes = await api.get(f"{REPO}/issues/comments/{said['id']}/reactions?content=eyes")
    assert len(only_eyes.body) == 2
    counts = (await api.get(f"{REPO}/issues/{pull}/comments")).body[0]["reactions"]
    assert (counts["total_count"], counts["eyes"], counts["+1"]) == (3, 2, 1)
    assert sim.reactions(repo, said["id"]) == ["eyes", "eyes", "+1"]
    with pytest.raises(ValueError, match="reaction must be one of"):
        sim.add_reaction(repo, said["id"], "eve", "thumbsup")
    assert (await api.get(f"{REPO}/issues/comments/999/reactions")).status == 404


async def test_check_runs_carry_the_app_that_made_them(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    head = sim.head(repo, "rfc/x")
    ci = sim.register_app("ci")
    sim.add_check_run(repo, head, "build", app_id=ci)
    await api("POST", f"{REPO}/check-runs", {"name": "RFC", "head_sha": head})
    runs = {r["name"]: r["app"] for r in sim.check_runs(repo, head)}
    assert (runs["RFC"]["id"], runs["RFC"]["slug"]) == (4242, "rfc-bot")
    assert (runs["build"]["id"], runs["build"]["slug"]) == (ci, "ci")
    with pytest.raises(ValueError, match="register it first"):
        sim.add_check_run(repo, head, "x", app_id=1)


async def test_an_app_by_its_slug_with_a_token_or_the_jwt(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    ci = sim.register_app("CI-Bot")
    ours = await api.get("/apps/rfc-bot")
    assert (ours.status, ours.body["id"], ours.body["slug"]) == (200, 4242, "rfc-bot")
    theirs = await api.get("/apps/ci-bot")  # slugs match without regard to case
    assert (theirs.body["id"], theirs.body["slug"]) == (ci, "CI-Bot")
    with_jwt = await api.get("/apps/rfc-bot", auth=f"Bearer {app_jwt(sim)}")
    assert with_jwt.body["id"] == 4242
    assert (await api.get("/apps/nobody")).status == 404
    assert (await api.get("/apps/rfc-bot", auth="token nonsense")).status == 401
    assert (await api.get("/app")).status == 401  # the App itself stays JWT-only
    assert sim.violations == []


async def test_a_deleted_comment_leaves_every_listing_with_its_reactions(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    made = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "the App's reply"})
    said = sim.add_comment(repo, pull, "mona", "/rfc check")
    sim.add_reaction(repo, made.body["id"], "ci[bot]", "+1", user_type="Bot")
    sim.delete_comment(repo, made.body["id"])
    listed = (await api.get(f"{REPO}/issues/{pull}/comments")).body
    assert [c["id"] for c in listed] == [said["id"]]
    reactions = await api.get(f"{REPO}/issues/comments/{made.body['id']}/reactions")
    assert reactions.status == 404


async def test_another_apps_bot_reacts_as_a_bot(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    said = sim.add_comment(repo, pull, "mona", "/rfc check")
    sim.add_reaction(repo, said["id"], "ci[bot]", "+1", user_type="Bot")
    [reaction] = (await api.get(f"{REPO}/issues/comments/{said['id']}/reactions")).body
    assert (reaction["user"]["login"], reaction["user"]["type"]) == ("ci[bot]", "Bot")
