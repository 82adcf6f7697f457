"""Org-wide config with ``_extends``, end to end against the GitHub simulator: the org's
defaults applied, chains, and every way a chain can fail (a missing file, a repository the
installation cannot see, a cycle, another account, an oversized file, GitHub failing) told
on the check while the repository's own config still applies; an unchanged extended file
costs a 304."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from gidgethub import GitHubBroken

from bot.features.config import EffectiveConfig, effective_config_at
from bot.features.context import Context
from bot.github.client import MAX_ATTEMPTS
from bot.rfc.config.public import CONFIG_PATH
from sandbox.demo import demo_file
from tests.e2e.helpers import PATH, installation_client, opened, seed_repo

TODAY = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)
GOOD = demo_file("fixed.md")  # lints clean with the defaults: orchestrator, jobmaster
ORG = "octo-org/.github:.github/rfc-bot.yml"
ORG_CONTENTS = "/repos/octo-org/.github/contents/"


@pytest.fixture
def app(bot_app: Any, sim: Any) -> Any:
    sim.clock.freeze(TODAY)
    return bot_app


def home(sim: Any, config: str) -> Any:
    return seed_repo(sim, {"rfcs/README.md": "# Index\n", CONFIG_PATH: config})


async def effective(sim: Any, repo: Any, ctx: Context | None = None) -> EffectiveConfig:
    """The config the App computes for ``repo``'s default branch, through its own client."""
    async with installation_client(sim, repo) as gh:
        head = sim.head(repo, "main")
        return await effective_config_at(gh, repo.full_name, head, ctx or Context())


def messages(found: EffectiveConfig) -> list[str]:
    return [problem.message for problem in found.settled.problems]


def latest_run(sim: Any, repo: Any, head_sha: str) -> dict[str, Any]:
    return [r for r in sim.check_runs(repo, head_sha=head_sha) if r["name"] == "RFC validation"][-1]


def config_notes(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in run["annotations"] if a["path"] == CONFIG_PATH]


# --- the org's defaults -----------------------------------------------------------------------


async def test_the_orgs_approvers_and_apps_apply_and_the_check_names_the_sources(
    sim: Any, app: Any
) -> None:
    sim.create_repo(
        "octo-org/.github",
        {
            CONFIG_PATH: "target_apps: [web]\n"
            "decisions:\n  Proposed -> Final:\n    approvers: [octo-org/architects]\n"
        },
    )
    repo = home(sim, "_extends: .github\nrfc_dir: rfcs\n")
    found = await effective(sim, repo)
    assert found.error is None and found.settled.applied == (CONFIG_PATH, ORG)
    rule = found.config.decision_rule("Proposed", "Final")
    assert rule is not None and rule.approvers == ("octo-org/architects",)

    pull = await opened(sim, app, repo, {PATH: GOOD})
    run = latest_run(sim, repo, pull.head_sha)
    assert {a["title"] for a in run["annotations"]} == {"target-apps"}  # the org's list
    assert f"Configuration: `{CONFIG_PATH}` extends `{ORG}`." in run["output"]["summary"]

    sim.commit(
        repo, "main", {CONFIG_PATH: "_extends: .github\ntarget_apps: [orchestrator, jobmaster]\n"}
    )
    second = await opened(sim, app, repo, {PATH: GOOD}, head="rfc/second")
    assert latest_run(sim, repo, second.head_sha)["conclusion"] == "success"  # local wins


async def test_a_chain_of_two(sim: Any) -> None:
    sim.create_repo(
        "octo-org/.github", {CONFIG_PATH: "_extends: policy:rfc/base.yml\nrfc_dir: org\n"}
    )
    sim.create_repo("octo-org/policy", {"rfc/base.yml": "rfc_dir: base\nnumber_width: 3\n"})
    repo = home(sim, "_extends: .github\n")
    found = await effective(sim, repo)
    assert (found.config.rfc_dir, found.config.number_width) == ("org", 3)
    assert found.settled.applied == (CONFIG_PATH, ORG, "octo-org/policy:rfc/base.yml")


async def test_a_pull_request_cannot_bring_its_own_extends(sim: Any, app: Any) -> None:
    sim.create_repo("octo-org/.github", {CONFIG_PATH: "target_apps: [web]\n"})
    repo = home(sim, "rfc_dir: rfcs\n")
    pull = await opened(sim, app, repo, {PATH: GOOD, CONFIG_PATH: "_extends: .github\n"})
    run = latest_run(sim, repo, pull.head_sha)
    assert run["conclusion"] == "success" and "Configuration:" not in run["output"]["summary"]


# --- a chain that fails: told on the check, the repository's own config applied -------------


async def assert_told_and_local_applied(
    sim: Any, app: Any, repo: Any, says: str, *, line: int = 1
) -> None:
    pull = await opened(sim, app, repo, {PATH: GOOD})
    run = latest_run(sim, repo, pull.head_sha)
    (note,) = config_notes(run)
    assert note["start_line"] == line and says in note["message"], note
    # The local `target_apps: [web]` applied: the RFC's apps are refused.
    assert "target-apps" in {a["title"] for a in run["annotations"] if a["path"] == PATH}
    assert "Only part of the configuration could be used" in run["output"]["summary"]


async def test_a_missing_file_is_told_and_the_local_config_applies(sim: Any, app: Any) -> None:
    repo = home(sim, "target_apps: [web]\n_extends: .github\n")
    await assert_told_and_local_applied(sim, app, repo, f"{ORG}: not found: no such file", line=2)


async def test_a_repository_the_installation_cannot_see_is_a_missing_file(
    sim: Any, app: Any
) -> None:
    sim.create_repo(
        "octo-org/.github", {CONFIG_PATH: "target_apps: [x]\n"}, private=True, installed=False
    )
    repo = home(sim, "_extends: .github\ntarget_apps: [web]\n")
    found = await effective(sim, repo)
    assert found.config.target_apps == ("web",) and found.settled.applied == (CONFIG_PATH,)
    (message,) = messages(found)
    assert "cannot read (install the App on it too)" in message
    await assert_told_and_local_applied(sim, app, repo, f"{ORG}: not found")


async def test_a_cycle_is_told_and_what_was_read_applies(sim: Any, app: Any) -> None:
    sim.create_repo("octo-org/.github", {CONFIG_PATH: "_extends: rfcs\nrfc_dir: org\n"})
    repo = home(sim, "_extends: .github\ntarget_apps: [web]\n")
    found = await effective(sim, repo)
    assert (found.config.rfc_dir, found.config.target_apps) == ("org", ("web",))
    (problem,) = found.settled.problems
    assert (problem.source, problem.line) == (ORG, 1) and "a cycle" in problem.message
    pull = await opened(sim, app, repo, {"org/0000-job-retries.md": GOOD})
    (note,) = config_notes(latest_run(sim, repo, pull.head_sha))
    assert note["message"].startswith(f"{ORG}:1: _extends: octo-org/rfcs:{CONFIG_PATH}: a cycle")


async def test_another_account_is_refused_unless_listed(sim: Any, app: Any) -> None:
    sim.create_repo("other-org/policy", {CONFIG_PATH: "target_apps: [orchestrator, jobmaster]\n"})
    repo = home(sim, "_extends: other-org/policy\ntarget_apps: [web]\n")
    await assert_told_and_local_applied(sim, app, repo, "belongs to another account")

    sim.commit(
        repo, "main", {CONFIG_PATH: "_extends: other-org/policy\n_extends_owners: [other-org]\n"}
    )
    found = await effective(sim, repo)
    assert found.error is None
    assert found.config.target_apps == ("orchestrator", "jobmaster")


async def test_another_accounts_private_repository_stays_unreadable(sim: Any) -> None:
    sim.create_repo("other-org/policy", {CONFIG_PATH: "rfc_dir: theirs\n"}, private=True)
    repo = home(sim, "_extends: other-org/policy\n_extends_owners: [other-org]\n")
    found = await effective(sim, repo)
    assert found.config.rfc_dir == "rfcs" and "not found" in messages(found)[0]


async def test_an_oversized_or_broken_extended_file_is_left_out(sim: Any) -> None:
    big = "rfc_dir: org\n" + "# padding\n" * 7000
    org = sim.create_repo("octo-org/.github", {CONFIG_PATH: big})
    repo = home(sim, "_extends: .github\nnumber_width: 3\n")
    found = await effective(sim, repo)
    assert (found.config.rfc_dir, found.config.number_width) == ("rfcs", 3)
    assert "a config file may be at most 65,536" in messages(found)[0]

    sim.commit(org, "main", {CONFIG_PATH: "rfc_dir: [org\n"})
    found = await effective(sim, repo)
    assert found.config.number_width == 3 and found.settled.problems[0].source == ORG
    sim.commit(org, "main", {CONFIG_PATH: "numbering: sometimes\n"})
    found = await effective(sim, repo)
    assert found.config.number_width == 3 and found.settled.left_out == (ORG,)
    assert (found.settled.problems[0].source, found.settled.problems[0].line) == (ORG, 1)


async def test_github_failing_is_retried_and_never_taken_for_a_missing_file(sim: Any) -> None:
    sim.create_repo("octo-org/.github", {CONFIG_PATH: "rfc_dir: org\n"})
    repo = home(sim, "_extends: .github\n")
    sim.fail("GET", ORG_CONTENTS, 502, times=1)
    assert (await effective(sim, repo)).config.rfc_dir == "org"
    sim.fail("GET", ORG_CONTENTS, 502, times=MAX_ATTEMPTS)
    with pytest.raises(GitHubBroken):  # the delivery fails and is tried again, never half-read
        await effective(sim, repo)
    assert (await effective(sim, repo)).config.rfc_dir == "org"


# --- the cost ---------------------------------------------------------------------------------


async def test_an_unchanged_extended_file_costs_a_304(sim: Any) -> None:
    org = sim.create_repo("octo-org/.github", {CONFIG_PATH: "rfc_dir: org\n"})
    repo = home(sim, "_extends: .github\n")
    ctx = Context()
    reads = lambda: [r.status for r in sim.requests if r.path.startswith(ORG_CONTENTS)]  # noqa: E731
    first = await effective(sim, repo, ctx)
    again = await effective(sim, repo, ctx)
    assert reads() == [200, 304] and again is first
    assert sim.api_usage(repo).not_modified == 1

    sim.commit(org, "main", {CONFIG_PATH: "rfc_dir: changed\n"})
    assert (await effective(sim, repo, ctx)).config.rfc_dir == "changed"
    assert reads() == [200, 304, 200]

    sim.commit(org, "main", {CONFIG_PATH: None})  # deleted: the local config stands alone
    gone = await effective(sim, repo, ctx)
    assert gone.config.rfc_dir == "rfcs" and "not found" in messages(gone)[0]
    assert reads() == [200, 304, 200, 404]
