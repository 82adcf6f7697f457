"""The config feature's own parts: the per-owner conditional-request cache, the reasons told
for an unreadable file, and a repository's own file that GitHub refuses to serve."""

from __future__ import annotations

from bot.features.config import (
    EffectiveConfig,
    ExtendedFiles,
    effective_config_at,
    unreadable_reason,
)
from bot.features.context import Context
from bot.github.contents import NotRead
from bot.rfc.config.public import CONFIG_PATH, Config
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI

NAME = "octo-org/rfcs"


def test_each_owner_sees_only_its_own_answers() -> None:
    files = ExtendedFiles()
    octo, other = files.conditional("Octo-Org"), files.conditional("other-org")
    answer = ('W/"1"', None, {"content": "eA==\n"}, None)
    octo["https://api/x"] = answer
    assert files.conditional("octo-org")["https://api/x"] == answer  # owners: any case
    assert "https://api/x" not in other and len(other) == 0
    assert list(octo) == ["https://api/x"] and len(octo) == 1
    del octo["https://api/x"]
    assert len(files.answers) == 0


def test_kept_answers_are_weighed_by_their_content() -> None:
    files = ExtendedFiles()
    view = files.conditional("octo-org")
    view["a"] = (None, None, {"content": "x" * 1000}, None)
    view["b"] = (None, None, ["not", "a", "file"], None)
    assert files.answers.currsize == 1001 + 1


def test_unreadable_reasons_say_what_to_do() -> None:
    assert "install the App on it too" in unreadable_reason(NotRead(404, "Not Found"))
    assert unreadable_reason(NotRead(403, "Forbidden")) == (
        "GitHub refused to read it (403: Forbidden)"
    )
    assert unreadable_reason(NotRead(413, "x.yml is 2 bytes")) == "x.yml is 2 bytes"


async def effective(sim: Simulator, repo: Repo, gh: VersionedGitHubAPI) -> EffectiveConfig:
    return await effective_config_at(gh, NAME, sim.head(repo, "main"), Context())


async def test_no_config_file_is_the_defaults_without_a_problem(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    found = await effective(sim, repo, gh)
    assert (found.config, found.error, found.files) == (Config(), None, ())


async def test_a_refused_own_file_is_a_problem_and_the_defaults_apply(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.commit(repo, "main", {CONFIG_PATH: "rfc_dir: mine\n"})
    sim.fail("GET", r"/contents/\.github", 403, body={"message": "Forbidden"})
    ctx = Context()
    head = sim.head(repo, "main")
    found = await effective_config_at(gh, NAME, head, ctx)
    assert found.config == Config() and found.settled.left_out == (CONFIG_PATH,)
    assert found.error is not None and found.error.message == "Forbidden"
    # A refusal is not kept: the next read asks again, and GitHub serves the file.
    assert (await effective_config_at(gh, NAME, head, ctx)).config.rfc_dir == "mine"


async def test_a_broken_own_file_is_its_problems_and_the_defaults(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.commit(repo, "main", {CONFIG_PATH: "rfc_dir: [\n"})
    found = await effective(sim, repo, gh)
    assert found.config == Config() and found.extends_line is None
    assert found.error is not None and found.error.message.startswith("invalid YAML")
