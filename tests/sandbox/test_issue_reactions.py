"""Reactions to an issue or pull request itself taken back: the App's own, once; nobody
else's."""

from __future__ import annotations

from sandbox.sim_state import Reaction, Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def test_the_apps_reaction_is_taken_back_once(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    path = f"{REPO}/issues/{pull.number}/reactions"
    made = await api("POST", path, {"content": "eyes"})

    gone = await api("DELETE", f"{path}/{made.body['id']}")
    again = await api("DELETE", f"{path}/{made.body['id']}")

    assert (gone.status, again.status) == (204, 404)
    assert sim.pull_reactions(repo, pull.number) == []
    anew = await api("POST", path, {"content": "eyes"})
    assert anew.status == 201 and anew.body["id"] != made.body["id"]
    assert sim.violations == []


async def test_someone_elses_reaction_stays(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    theirs = Reaction(sim.next_id(), "alice", "User", "eyes", sim.clock.now())
    repo.pulls[pull.number].reactions.append(theirs)

    refused = await api("DELETE", f"{REPO}/issues/{pull.number}/reactions/{theirs.id}")
    elsewhere = await api("DELETE", f"{REPO}/issues/{pull.number + 7}/reactions/{theirs.id}")

    assert (refused.status, elsewhere.status) == (404, 404)
    assert sim.pull_reactions(repo, pull.number) == [("alice", "eyes")]
    assert sim.violations == []
