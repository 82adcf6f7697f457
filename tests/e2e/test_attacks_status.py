"""Attacks on status governance, end to end: where the App commits, who counts as an author,
and whether a Status line nobody proved can turn an RFC Final. Each test is an attack as an
adversary would try it, against the real server and the GitHub simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.attack_helpers import (
    ATTACKER,
    AUTHOR,
    MAINTAINER,
    OTHER_AUTHOR,
    full_rfc,
    latest_run,
    people_repo,
    pushed,
    rules_of,
    say,
    status_rules,
    writes,
)
from tests.e2e.helpers import BRANCH, PATH, bot_comments, rfc, send

TODAY = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)
ON_MAIN = "rfcs/0001-audit-log.md"


@pytest.fixture
def app(bot_app: Any, sim: Any) -> Any:
    sim.clock.freeze(TODAY)  # GitHub's clock, which the App reads too
    return bot_app


async def opened_by(
    sim: Any, app: Any, repo: Any, author: str, files: dict[str, str | None], **kw: Any
) -> Any:
    kw.setdefault("head", BRANCH)
    pull = sim.open_pull_request(repo, files=files, author=author, title="RFC change", **kw)
    await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    return pull


def lines_given(reply: str, current: str = "Draft", target: str = "Proposed") -> bool:
    """The reply gives the exact lines to change by hand."""
    return f"-**Status:** {current}  \n+**Status:** {target}  \n" in reply


# --- where the App may commit ----------------------------------------------------------------


async def test_pull_request_from_the_default_branch_never_gets_a_commit(sim: Any, app: Any) -> None:
    """alice opens main -> old: her `/rfc status` must not make the App commit to main."""
    repo = people_repo(sim)
    sim.create_branch(repo, "old")
    sim.commit(repo, "main", {PATH: rfc()}, message="alice's RFC", author=AUTHOR)
    main_before = sim.head(repo, "main")
    pull = await opened_by(sim, app, repo, AUTHOR, {}, head="main", base="old")
    start = len(sim.requests)

    await say(sim, app, repo, pull.number, AUTHOR, "/rfc status proposed")

    assert sim.head(repo, "main") == main_before
    assert sim.file(repo, PATH) == rfc()
    [reply] = bot_comments(sim, repo, pull.number)
    assert "`main`, the repository's default branch, and I never commit there" in reply
    assert lines_given(reply)
    assert not [w for w in writes(sim, start) if "/contents/" in w or "/git/" in w]


async def test_opening_a_pull_request_from_main_does_not_make_the_opener_an_author(
    sim: Any, app: Any
) -> None:
    """bob's RFC is on main; eve opens main -> old, where it looks "added": she is still no
    author of it, so she is refused, not handed the lines as if she were."""
    repo = people_repo(sim)
    sim.create_branch(repo, "old")
    sim.commit(repo, "main", {PATH: rfc(authors="@bob")}, message="bob's RFC", author=OTHER_AUTHOR)
    pull = await opened_by(sim, app, repo, ATTACKER, {}, head="main", base="old")

    await say(sim, app, repo, pull.number, ATTACKER, "/rfc status proposed")

    [reply] = bot_comments(sim, repo, pull.number)
    assert "@eve is neither an author of this RFC nor a maintainer" in reply
    assert not lines_given(reply)
    assert sim.file(repo, PATH) == rfc(authors="@bob")


async def test_protected_head_branch_gets_no_commit_only_the_lines(sim: Any, app: Any) -> None:
    repo = people_repo(sim)
    pull = await opened_by(sim, app, repo, AUTHOR, {PATH: rfc()})
    sim.protect_branch(repo, BRANCH)
    start = len(sim.requests)

    await say(sim, app, repo, pull.number, AUTHOR, "/rfc status proposed")

    assert sim.head(repo, BRANCH) == pull.head_sha
    [reply] = bot_comments(sim, repo, pull.number)
    assert "`rfc/job-retries` is a protected branch" in reply and lines_given(reply)
    assert not [w for w in writes(sim, start) if "/contents/" in w]


async def test_fork_without_maintainer_edits_gets_no_commit_only_the_lines(
    sim: Any, app: Any
) -> None:
    repo = people_repo(sim)
    pull = sim.open_pull_request(
        repo, BRANCH, {PATH: rfc()}, author=AUTHOR, fork=True, maintainer_can_modify=False
    )
    fork_head = sim.head("alice/rfcs", BRANCH)
    start = len(sim.requests)

    await say(sim, app, repo, pull.number, AUTHOR, "/rfc status proposed")

    assert sim.head("alice/rfcs", BRANCH) == fork_head
    [reply] = bot_comments(sim, repo, pull.number)
    assert "a fork that doesn't allow maintainers to edit it" in reply and lines_given(reply)
    assert not [w for w in writes(sim, start) if "/contents/" in w]


async def test_fork_with_maintainer_edits_gets_the_commit(sim: Any, app: Any) -> None:
    repo = people_repo(sim)
    pull = sim.open_pull_request(
        repo, BRANCH, {PATH: rfc()}, author=AUTHOR, fork=True, maintainer_can_modify=True
    )
    fork_head = sim.head("alice/rfcs", BRANCH)

    await say(sim, app, repo, pull.number, AUTHOR, "/rfc status proposed")

    head = sim.head("alice/rfcs", BRANCH)
    assert head != fork_head
    assert "**Status:** Proposed  " in (sim.file("alice/rfcs", PATH, ref=BRANCH) or "")
    assert "RFC-Proof: " in sim.commit_message("alice/rfcs", head)
    [reply] = bot_comments(sim, repo, pull.number)
    assert reply.startswith("`/rfc status proposed`: Moved")


# --- the check enforces the lifecycle -----------------------------------------------------------


async def test_hand_edit_to_final_by_a_non_maintainer_fails_the_check(sim: Any, app: Any) -> None:
    """alice wrote the RFC (on main, Proposed); editing it to Final by hand proves nothing."""
    repo = people_repo(sim, {ON_MAIN: full_rfc("Audit Log", "0001", status="Proposed")})
    edited = full_rfc("Audit Log", "0001", status="Final", updated="2024-06-12")
    pull = await opened_by(sim, app, repo, AUTHOR, {ON_MAIN: edited})

    run = latest_run(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    assert rules_of(run) == ["status-unauthorised"]
    [annotation] = run["annotations"]
    assert "'/rfc status final'" in annotation["message"]
    labels = sim.pr_labels(repo, pull.number)
    assert "rfc: proposed" in labels and "rfc: final" not in labels


async def test_hand_edit_to_final_fails_even_in_a_maintainers_own_pull_request(
    sim: Any, app: Any
) -> None:
    """Proposed -> Final has a decision rule (the default): nobody skips the decision, not even
    a maintainer editing the Status line in their own pull request."""
    repo = people_repo(sim, {ON_MAIN: full_rfc("Audit Log", "0001", status="Proposed")})
    edited = full_rfc("Audit Log", "0001", status="Final", updated="2024-06-12")
    pull = await opened_by(sim, app, repo, MAINTAINER, {ON_MAIN: edited})

    run = latest_run(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    assert status_rules(run) == ["status-unauthorised"]
    [annotation] = [a for a in run["annotations"] if "status-unauthorised" in a["title"]]
    assert "needs a decision" in annotation["message"]
    assert "'/rfc status final'" in annotation["message"]
    assert "rfc: final" not in sim.pr_labels(repo, pull.number)


async def test_a_maintainers_hand_edit_of_an_ungated_move_still_passes(sim: Any, app: Any) -> None:
    repo = people_repo(sim, {ON_MAIN: full_rfc("Audit Log", "0001", status="Draft")})
    edited = full_rfc("Audit Log", "0001", status="Proposed", updated="2024-06-12")
    pull = await opened_by(sim, app, repo, MAINTAINER, {ON_MAIN: edited})

    run = latest_run(sim, repo, pull.head_sha)
    assert run["conclusion"] == "success", run["annotations"]
    assert "rfc: proposed" in sim.pr_labels(repo, pull.number)


async def test_adding_oneself_to_authors_of_someone_elses_rfc_grants_nothing(
    sim: Any, app: Any
) -> None:
    """bob's Draft RFC is on main; eve adds herself to its Author(s) line in her PR, then
    asks for the move an author may make."""
    repo = people_repo(sim, {ON_MAIN: full_rfc("Audit Log", "0001", authors="@bob")})
    hijacked = full_rfc("Audit Log", "0001", authors="@bob, @eve", updated="2024-06-12")
    pull = await opened_by(sim, app, repo, ATTACKER, {ON_MAIN: hijacked})

    await say(sim, app, repo, pull.number, ATTACKER, "/rfc status proposed")

    assert sim.head(repo, BRANCH) == pull.head_sha
    [reply] = bot_comments(sim, repo, pull.number)
    assert "@eve is neither an author of this RFC nor a maintainer" in reply
    assert reply.endswith("Nothing was changed.")

    # The same by hand: the check fails, the label keeps the proven Draft.
    sim.commit(
        repo,
        BRANCH,
        {
            ON_MAIN: full_rfc(
                "Audit Log", "0001", status="Proposed", authors="@bob, @eve", updated="2024-06-12"
            )
        },
    )
    await pushed(sim, app, repo, pull.number)
    run = latest_run(sim, repo, sim.head(repo, BRANCH))
    assert status_rules(run) == ["status-unauthorised"]
    assert "rfc: draft" in sim.pr_labels(repo, pull.number)


async def test_proposing_a_new_rfc_with_the_command_keeps_the_check_green(
    sim: Any, app: Any
) -> None:
    repo = people_repo(sim)
    pull = await opened_by(sim, app, repo, AUTHOR, {PATH: full_rfc()})
    opened_head = pull.head_sha
    assert latest_run(sim, repo, opened_head)["conclusion"] == "success"

    await say(sim, app, repo, pull.number, AUTHOR, "/rfc status proposed")
    head = sim.head(repo, BRANCH)
    assert head != opened_head  # the App's commit
    await pushed(sim, app, repo, pull.number)  # GitHub sends synchronize for it

    run = latest_run(sim, repo, head)
    assert run["conclusion"] == "success", run["annotations"]
    assert "status-initial" not in rules_of(run)
    assert "rfc: proposed" in sim.pr_labels(repo, pull.number)


async def test_a_new_rfc_written_as_final_by_hand_fails(sim: Any, app: Any) -> None:
    repo = people_repo(sim)
    pull = await opened_by(sim, app, repo, AUTHOR, {PATH: full_rfc(status="Final")})

    run = latest_run(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    assert status_rules(run) == ["status-unauthorised"]
    assert "rfc: final" not in sim.pr_labels(repo, pull.number)
    assert "rfc: draft" in sim.pr_labels(repo, pull.number)


# --- forged proofs -----------------------------------------------------------------------------


async def _app_final_commit_message(sim: Any, app: Any, repo: Any) -> tuple[Any, str]:
    """A real App commit: mona's `/rfc status final` on bob's RFC in bob's pull request."""
    other = "rfcs/0002-cache-warmup.md"
    proposed = full_rfc("Cache Warmup", "0002", status="Proposed", authors="@bob")
    # No decision rule: the maintainer's command moves the RFC at once.
    sim.commit(repo, "main", {other: proposed, ".github/rfc-bot.yml": "decisions: {}\n"})
    pull = await opened_by(
        sim, app, repo, OTHER_AUTHOR, {other: proposed + "\nMore.\n"}, head="rfc/cache"
    )
    await say(sim, app, repo, pull.number, MAINTAINER, "/rfc status final")
    head = sim.head(repo, "rfc/cache")
    message = sim.commit_message(repo, head)
    assert "RFC-Status: " in message and "RFC-Proof: " in message
    # The genuine proof works where it was made: bob may not finalise, the App's commit may.
    await pushed(sim, app, repo, pull.number)
    assert latest_run(sim, repo, head)["conclusion"] == "success"
    assert "rfc: final" in sim.pr_labels(repo, pull.number)
    return pull, message


@pytest.mark.parametrize("forgery", ["copied", "edited-path", "fake-proof"])
async def test_a_forged_or_copied_status_trailer_proves_nothing(
    sim: Any, app: Any, forgery: str
) -> None:
    repo = people_repo(sim, {ON_MAIN: full_rfc("Audit Log", "0001", status="Proposed")})
    _, genuine = await _app_final_commit_message(sim, app, repo)
    trailers = genuine.rstrip().rsplit("\n\n", 1)[-1]
    if forgery == "edited-path":
        trailers = trailers.replace("rfcs/0002-cache-warmup.md", ON_MAIN)
    elif forgery == "fake-proof":
        trailers = f'RFC-Status: ["{ON_MAIN}", "Proposed", "Final"]\nRFC-Proof: ' + "ab" * 32
    final = full_rfc("Audit Log", "0001", status="Final", updated="2024-06-12")
    sim.create_branch(repo, BRANCH)
    sim.commit(repo, BRANCH, {ON_MAIN: final}, message=f"Finalise\n\n{trailers}\n", author=AUTHOR)
    pull = await opened_by(sim, app, repo, AUTHOR, {})

    run = latest_run(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    assert status_rules(run) == ["status-unauthorised"]
    assert "rfc: final" not in sim.pr_labels(repo, pull.number)
