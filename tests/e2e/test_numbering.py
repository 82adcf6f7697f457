"""Numbering on merge, end to end: signed `pull_request` closed deliveries to the real server,
against the GitHub simulator. Each test checks the default branch, the comment, the label and
the numbering commit's trailer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.errors import UserError
from bot.features.context import Context
from bot.features.numbering import BlobTexts, announcement, assign_numbers
from bot.rfc.edits import INDEX_END, INDEX_START
from bot.values import Pull
from tests.e2e.helpers import (
    REPO,
    bot_comments,
    installation_client,
    merge,
    numbering_commits,
    open_pull,
    operations,
    rfc,
    seed_repo,
    send,
)

INDEX = "rfcs/README.md"


def index_with(rows: str = "") -> str:
    return (
        "# Our RFCs\n\nHand-written introduction, kept as it is.\n\n"
        f"{INDEX_START}\n{rows}{INDEX_END}\n\n## Process\n\nOpen a pull request.\n"
    )


@pytest.fixture
def repo(sim: Any) -> Any:
    return seed_repo(sim, {"rfcs/0001-audit-log.md": rfc("Audit Log", "0001"), INDEX: index_with()})


def rfc_paths(sim: Any, repo: Any) -> list[str]:
    return sorted(p for p in sim.tree(repo) if re.fullmatch(r"rfcs/\d+-[a-z0-9-]+\.md", p))


def main_history(sim: Any, repo: Any) -> list[Any]:
    """The default branch's commits, newest first."""
    return repo.objects.history(sim.head(repo, "main"))


async def test_a_merged_rfc_is_renamed_numbered_indexed_and_announced(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    assert rfc_paths(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    assert sim.file(repo, "rfcs/0002-job-retries.md") == rfc("Job Retries", "0002")
    index = sim.file(repo, INDEX)
    assert index.startswith("# Our RFCs\n\nHand-written introduction, kept as it is.\n\n")
    assert index.endswith(f"{INDEX_END}\n\n## Process\n\nOpen a pull request.\n")
    assert "| 0002 | [Job Retries](0002-job-retries.md) | Draft | api | @alice |" in index
    assert "| 0001 | [Audit Log](0001-audit-log.md) |" in index
    message = sim.commit_message(repo, sim.head(repo, "main"))
    assert message.startswith("Assign RFC number 0002\n\n")
    assert f"\n\nRFC-PR: #{pull.number}\nRFC-Numbered: " in message
    assert "\nRFC-Proof: " in message
    [body] = bot_comments(sim, repo, pull.number)
    assert (
        f"Assigned RFC 0002: [rfcs/0002-job-retries.md]"
        f"(https://github.com/{REPO}/blob/main/rfcs/0002-job-retries.md)"
    ) in body
    assert "rfc: numbered" in sim.pr_labels(repo, pull.number)


async def test_the_index_is_created_when_missing(sim: Any, bot_app: Any) -> None:
    repo = seed_repo(sim, {})

    await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    index = sim.file(repo, INDEX)
    assert INDEX_START in index and "[Job Retries](0001-job-retries.md)" in index
    assert rfc_paths(sim, repo) == ["rfcs/0001-job-retries.md"]


async def test_the_same_delivery_twice_assigns_one_number(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = await merge(
        sim,
        bot_app,
        repo,
        {"rfcs/0000-job-retries.md": rfc("Job Retries")},
        delivery_id="delivery-1",
    )
    event = sim.event_pull_request(repo, pull.number, "closed")

    assert await bot_app.deliver("pull_request", event, delivery_id="delivery-1") in (200, 202)
    await bot_app.idle()

    assert rfc_paths(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    assert len(numbering_commits(sim, repo, pull.number)) == 1
    assert len(bot_comments(sim, repo, pull.number)) == 1


async def test_a_redelivery_with_a_new_id_assigns_nothing_more(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})
    head = sim.head(repo, "main")

    for delivery_id in ("replay-1", "replay-2"):
        event = sim.event_pull_request(repo, pull.number, "closed")
        await send(bot_app, "pull_request", event, delivery_id=delivery_id)

    assert sim.head(repo, "main") == head
    assert rfc_paths(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    assert len(bot_comments(sim, repo, pull.number)) == 1
    assert "rfc: numbered" in sim.pr_labels(repo, pull.number)


async def test_the_branch_moving_between_read_and_write_means_a_retry(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    def someone_merges(simulator: Any) -> None:
        simulator.commit(
            repo,
            "main",
            {"rfcs/0002-sneaky.md": rfc("Sneaky", "0002")},
            message="Direct push",
            author="mona",
        )

    sim.before("PATCH", r".*/git/refs/heads/main", someone_merges)

    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    assert rfc_paths(sim, repo) == [
        "rfcs/0001-audit-log.md",
        "rfcs/0002-sneaky.md",
        "rfcs/0003-job-retries.md",
    ]
    assert sim.file(repo, "rfcs/0003-job-retries.md") == rfc("Job Retries", "0003")
    assert "[Sneaky](0002-sneaky.md)" in sim.file(repo, INDEX)
    assert "Assigned RFC 0003" in bot_comments(sim, repo, pull.number)[0]
    refused = [r for r in sim.requests if r.method == "PATCH" and r.status == 422]
    assert len(refused) == 1


async def test_two_rfcs_in_one_pull_request_get_consecutive_numbers_in_one_commit(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    before = sim.head(repo, "main")
    pull = await merge(
        sim,
        bot_app,
        repo,
        {
            "rfcs/0000-zeta-cache.md": rfc("Zeta Cache"),
            "rfcs/0000-alpha-queue.md": rfc("Alpha Queue"),
        },
    )

    assert rfc_paths(sim, repo) == [
        "rfcs/0001-audit-log.md",
        "rfcs/0002-alpha-queue.md",
        "rfcs/0003-zeta-cache.md",
    ]
    numbering, merge_commit, previous = main_history(sim, repo)[:3]
    assert previous.sha == before and merge_commit.parents == (before,)
    assert numbering.parents == (merge_commit.sha,)
    assert numbering_commits(sim, repo, pull.number) == [numbering.message]
    [body] = bot_comments(sim, repo, pull.number)
    assert body.index("Assigned RFC 0002") < body.index("Assigned RFC 0003")


async def test_pull_request_strategy_uses_the_pull_request_number(sim: Any, bot_app: Any) -> None:
    repo = sim.create_repo(
        REPO,
        files={
            ".github/rfc-bot.yml": "numbering: pull-request\n",
            "rfcs/0001-audit-log.md": rfc("Audit Log", "0001"),
        },
    )
    sim.open_pull_request(repo, head="unrelated", files={"notes.txt": "x\n"})  # take #1

    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    assert pull.number == 2
    assert "rfcs/0002-job-retries.md" in sim.tree(repo)
    assert sim.file(repo, "rfcs/0002-job-retries.md") == rfc("Job Retries", "0002")


async def test_a_protected_branch_changes_nothing_and_says_what_to_do(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    sim.protect_branch(repo, "main")

    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    assert "rfcs/0000-job-retries.md" in sim.tree(repo)
    assert sim.file(repo, INDEX) == index_with()
    [body] = bot_comments(sim, repo, pull.number)
    assert "Protected branch update failed" in body
    assert "bypass" in body and "/rfc number" in body
    assert "rfc: numbered" not in sim.pr_labels(repo, pull.number)

    # Once a maintainer lets the App through, `/rfc number` (H6) calls assign_numbers.
    repo.protected.discard("main")
    ctx = Context()
    async with installation_client(sim, repo) as gh:
        merged = Pull.from_json(await gh.getitem(f"/repos/{REPO}/pulls/{pull.number}"))
        reply = announcement(await assign_numbers(gh, merged, ctx), merged)
        second = await assign_numbers(gh, merged, ctx)
        again = announcement(second, merged, verb="Already numbered:")
        from bot.features.numbering import add_label

        await add_label(gh, merged, second.config, ctx)

    assert reply.splitlines()[-1].startswith("Assigned RFC 0002: [rfcs/0002-job-retries.md]")
    assert "Already numbered: RFC 0002" in again
    assert rfc_paths(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    assert "rfc: numbered" in sim.pr_labels(repo, pull.number)


async def test_assign_numbers_refuses_an_open_pull_request(sim: Any, repo: Any) -> None:
    pull = sim.open_pull_request(
        repo, head="rfc/open", files={"rfcs/0000-job-retries.md": rfc("Job Retries")}
    )

    async with installation_client(sim, repo) as gh:
        data = Pull.from_json(await gh.getitem(f"/repos/{REPO}/pulls/{pull.number}"))
        with pytest.raises(UserError, match="not merged"):
            await assign_numbers(gh, data, Context())


async def test_a_closed_unmerged_pull_request_is_left_alone(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    head = sim.head(repo, "main")
    pull = open_pull(sim, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")}, head="rfc/x")
    sim.close_pull_request(repo, pull.number)

    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert sim.head(repo, "main") == head
    assert bot_comments(sim, repo, pull.number) == []


async def test_a_merged_pull_request_without_rfcs_is_left_alone(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = await merge(sim, bot_app, repo, {"docs/guide.md": "# Guide\n"})

    assert rfc_paths(sim, repo) == ["rfcs/0001-audit-log.md"]
    assert bot_comments(sim, repo, pull.number) == []


async def test_a_restored_unnumbered_file_is_not_numbered_twice(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})
    sim.commit(
        repo,
        "main",
        {"rfcs/0000-job-retries.md": rfc("Job Retries")},
        message="Restore the draft by hand",
        author="mona",
    )
    head = sim.head(repo, "main")

    event = sim.event_pull_request(repo, pull.number, "closed")
    await send(bot_app, "pull_request", event, delivery_id="replayed")

    assert sim.head(repo, "main") == head  # the RFC-PR trailer says it is done
    assert len(numbering_commits(sim, repo, pull.number)) == 1
    assert len(bot_comments(sim, repo, pull.number)) == 1


async def test_a_branch_that_keeps_moving_gives_up_after_bounded_attempts(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pushes = iter(range(2, 100))

    def someone_pushes(simulator: Any) -> None:
        number = next(pushes)
        simulator.commit(
            repo,
            "main",
            {f"rfcs/{number:04d}-push-{number}.md": rfc(f"Push {number}", f"{number:04d}")},
        )

    sim.before("PATCH", r".*/git/refs/heads/main", someone_pushes, times=5)

    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    assert "rfcs/0000-job-retries.md" in sim.tree(repo)
    assert [r.status for r in sim.requests if r.method == "PATCH"] == [422] * 5
    [body] = bot_comments(sim, repo, pull.number)
    assert "kept moving" in body and "/rfc number" in body


async def test_pull_request_strategy_with_a_taken_number_explains_on_the_pull_request(
    sim: Any, bot_app: Any
) -> None:
    repo = sim.create_repo(
        REPO,
        files={
            ".github/rfc-bot.yml": "numbering: pull-request\n",
            "rfcs/0001-audit-log.md": rfc("Audit Log", "0001"),
        },
    )

    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})

    assert pull.number == 1
    assert "rfcs/0000-job-retries.md" in sim.tree(repo)
    [body] = bot_comments(sim, repo, pull.number)
    assert "RFC number 1 (this pull request's number) is already taken" in body


def rfc_reads(sim: Any, start: int) -> list[str]:
    """RFC directory files the App read through the contents API since ``start``."""
    return [r.path.split("/contents/", 1)[1] for r in sim.requests[start:]
            if "/contents/rfcs/" in r.path]  # fmt: skip


async def test_a_redelivery_after_a_restart_reads_no_rfc_text(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})
    bot_app.context.caches.of(BlobTexts).clear()  # a restarted App has no texts cached
    start = len(sim.requests)

    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert rfc_reads(sim, start) == []  # the file names show there is nothing left to do
    assert rfc_paths(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]


async def test_the_next_merge_reads_only_the_new_rfc(sim: Any, bot_app: Any, repo: Any) -> None:
    await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})
    start = len(sim.requests)

    await merge(sim, bot_app, repo, {"rfcs/0000-cache-warmup.md": rfc("Cache Warmup")},
                head="rfc/cache")  # fmt: skip

    # The renamed RFC and the index were written by the App: their texts are known.
    assert rfc_reads(sim, start) == ["rfcs/0000-cache-warmup.md"]
    assert "issues/create-label" not in operations(sim, start)  # `rfc: numbered` exists
    assert "rfcs/0003-cache-warmup.md" in sim.tree(repo)
    assert "[Job Retries](0002-job-retries.md)" in sim.file(repo, INDEX)


async def test_an_unnumbered_rfc_the_pull_request_only_modifies_is_not_numbered(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    legacy = "rfcs/0000-legacy.md"
    sim.commit(repo, "main", {legacy: rfc("Legacy")}, message="Left unnumbered by hand")
    head = sim.head(repo, "main")

    pull = await merge(sim, bot_app, repo, {legacy: rfc("Legacy", status="Proposed")})

    assert sim.head(repo, "main") != head  # the merge commit, and nothing after it
    assert numbering_commits(sim, repo, pull.number) == []
    assert legacy in sim.tree(repo)
    assert bot_comments(sim, repo, pull.number) == []


@pytest.mark.parametrize("bot_app", [{"announce_after_seconds": 0.0}], indirect=True)
async def test_an_announcement_lost_by_the_writer_is_posted_by_a_later_delivery(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    """The writer numbered the RFC but could not comment (it died, or GitHub refused): a
    redelivery, once the numbering commit is older than the writer's time to announce,
    posts the one that is missing."""
    sim.fail("POST", r".*/issues/\d+/comments$", 403, times=1)
    pull = await merge(sim, bot_app, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")})
    assert bot_comments(sim, repo, pull.number) == []
    head = sim.head(repo, "main")

    event = sim.event_pull_request(repo, pull.number, "closed")
    await send(bot_app, "pull_request", event, delivery_id="after-the-writer-died")

    assert sim.head(repo, "main") == head  # nothing numbered twice
    [body] = bot_comments(sim, repo, pull.number)
    assert "Already numbered" not in body and "RFC 0002" in body
