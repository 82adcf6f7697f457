"""Protected branches: GitHub says so on the branch, and refuses the App's writes to it
through the contents API (409) and a ref update (422); other branches stay writable."""

from __future__ import annotations

import base64

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_branch_answers_protected(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.create_branch(repo, "rfc/x")
    sim.protect_branch(repo, "main")
    main = await api.get(f"{REPO}/branches/main")
    other = await api.get(f"{REPO}/branches/rfc/x")
    assert (main.status, main.body["protected"]) == (200, True)
    assert (other.status, other.body["protected"]) == (200, False)


async def test_contents_put_to_a_protected_branch_is_409(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.protect_branch(repo, "main")
    before = sim.head(repo, "main")
    readme = await api.get(f"{REPO}/contents/README.md")
    refused = await api(
        "PUT",
        f"{REPO}/contents/README.md",
        {"message": "m", "content": b64("x"), "sha": readme.body["sha"], "branch": "main"},
    )
    assert refused.status == 409
    assert refused.message == "Could not update file: Changes must be made through a pull request."
    created = await api(
        "PUT", f"{REPO}/contents/new.md", {"message": "m", "content": b64("x")}
    )  # no branch: the default branch, protected too
    assert created.status == 409
    assert sim.head(repo, "main") == before


async def test_ref_update_of_a_protected_branch_is_422(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.protect_branch(repo, "main")
    head = sim.head(repo, "main")
    tree = (await api.get(f"{REPO}/git/commits/{head}")).body["tree"]["sha"]
    commit = await api(
        "POST", f"{REPO}/git/commits", {"message": "m", "tree": tree, "parents": [head]}
    )
    refused = await api("PATCH", f"{REPO}/git/refs/heads/main", {"sha": commit.body["sha"]})
    assert refused.status == 422
    assert refused.message == "Protected branch update failed for refs/heads/main."
    assert sim.head(repo, "main") == head
    forced = await api(
        "PATCH", f"{REPO}/git/refs/heads/main", {"sha": commit.body["sha"], "force": True}
    )
    assert forced.status == 422  # force does not get past protection either


async def test_an_unprotected_branch_takes_the_same_writes(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.protect_branch(repo, "main")
    sim.create_branch(repo, "rfc/x")
    written = await api(
        "PUT",
        f"{REPO}/contents/rfcs/x.md",
        {"message": "m", "content": b64("x"), "branch": "rfc/x"},
    )
    assert written.status == 201
    assert sim.file(repo, "rfcs/x.md", ref="rfc/x") == "x"
