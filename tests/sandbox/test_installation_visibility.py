"""What an installation's token may read: its own repositories, any public one, and no
private repository it does not cover (a 404, as if it did not exist)."""

from __future__ import annotations

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

CONFIG = ".github/rfc-bot.yml"


async def test_a_private_repository_outside_the_installation_is_not_found(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    hidden = sim.create_repo(
        "octo-org/secret", {CONFIG: "rfc_dir: x\n"}, private=True, installed=False
    )
    assert hidden.installation_id is None
    for path in ("/repos/octo-org/secret", f"/repos/octo-org/secret/contents/{CONFIG}"):
        answer = await api.get(path)
        assert (answer.status, answer.message) == (404, "Not Found")


async def test_another_accounts_private_repository_is_not_found(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    other = sim.create_repo("other-org/policy", {CONFIG: "rfc_dir: x\n"}, private=True)
    assert other.installation_id not in (None, repo.installation_id)
    answer = await api.get(f"/repos/other-org/policy/contents/{CONFIG}")
    assert answer.status == 404


async def test_public_repositories_are_readable_by_any_installation(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.create_repo("octo-org/open", {CONFIG: "rfc_dir: x\n"}, installed=False)
    sim.create_repo("other-org/open", {CONFIG: "rfc_dir: y\n"})
    for name in ("octo-org/open", "other-org/open"):
        answer = await api.get(f"/repos/{name}/contents/{CONFIG}")
        assert answer.status == 200 and answer.body["type"] == "file"


async def test_a_covered_private_repository_is_readable(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.create_repo("octo-org/inside", {CONFIG: "rfc_dir: x\n"}, private=True)
    answer = await api.get(f"/repos/octo-org/inside/contents/{CONFIG}")
    assert answer.status == 200


async def test_no_write_to_a_public_repository_outside_the_installation(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.create_repo("octo-org/open", {"README.md": "x\n"}, installed=False)
    answer = await api("POST", "/repos/octo-org/open/labels", {"name": "x", "color": "ffffff"})
    assert (answer.status, answer.message) == (403, "Resource not accessible by integration")
