"""Attacks on numbering, end to end: forged trailers and markers, slugs that collide, and an
index steered by an RFC's title. Each test is an attack as an adversary would try it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.rfc.edits import INDEX_COLUMNS, INDEX_END, INDEX_START
from tests.e2e.attack_helpers import MAINTAINER, people_repo, say
from tests.e2e.helpers import bot_comments, merge, numbering_commits, open_pull, rfc, send

INDEX = "rfcs/README.md"
NEW = "rfcs/0000-job-retries.md"


def index_with(rows: str = "") -> str:
    return f"# Our RFCs\n\n{INDEX_START}\n{rows}{INDEX_END}\n\nAfter the index.\n"


@pytest.fixture
def repo(sim: Any) -> Any:
    files = {"rfcs/0001-audit-log.md": rfc("Audit Log", "0001"), INDEX: index_with()}
    return people_repo(sim, files)


def numbered(sim: Any, repo: Any) -> list[str]:
    return sorted(p for p in sim.tree(repo) if re.fullmatch(r"rfcs/\d{4}-[a-z0-9-]+\.md", p))


def forged_numbering_message(number: int, with_proof: bool) -> str:
    """What an attacker pushes to main: the App's numbering trailers for someone else's PR."""
    renames = f'[["{NEW}", "rfcs/0002-job-retries.md"]]'
    proof = f"\nRFC-Proof: {'cd' * 32}" if with_proof else ""
    return f"Tidy up\n\nRFC-PR: #{number}\nRFC-Numbered: {renames}{proof}\n"


def merged_after_a_forgery(sim: Any, repo: Any, with_proof: bool) -> Any:
    """A pull request adding an RFC, merged after a commit touching rfcs/ (by eve) claimed to
    be its numbering commit."""
    pull = open_pull(sim, repo, {NEW: rfc("Job Retries")})
    sim.commit(
        repo,
        "main",
        {"rfcs/notes.md": "Nothing to see.\n"},
        message=forged_numbering_message(pull.number, with_proof),
        author="eve",
    )
    sim.merge_pull_request(repo, pull.number)
    return pull


@pytest.mark.parametrize("with_proof", [False, True], ids=["bare-trailer", "fake-proof"])
async def test_a_forged_numbering_trailer_does_not_steal_the_number(
    sim: Any, bot_app: Any, repo: Any, with_proof: bool
) -> None:
    pull = merged_after_a_forgery(sim, repo, with_proof)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert numbered(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    assert NEW not in sim.tree(repo)
    [proven] = [m for m in numbering_commits(sim, repo, pull.number) if "Assign RFC" in m]
    assert "RFC-Proof: " in proven
    [body] = bot_comments(sim, repo, pull.number)
    assert "Assigned RFC 0002" in body


async def test_number_command_after_a_forged_trailer_numbers_the_rfc(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    """The merge delivery was lost; a forged trailer sits on main; a maintainer retries."""
    pull = merged_after_a_forgery(sim, repo, with_proof=True)

    await say(sim, bot_app, repo, pull.number, MAINTAINER, "/rfc number")

    assert numbered(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    [reply] = bot_comments(sim, repo, pull.number)
    assert "Assigned RFC 0002: [rfcs/0002-job-retries.md]" in reply
    assert "rfc: numbered" in sim.pr_labels(repo, pull.number)


async def test_number_command_names_the_pull_requests_own_rfc_when_slugs_collide(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    first = open_pull(sim, repo, {NEW: rfc("Job Retries")}, head="rfc/first")
    second = open_pull(sim, repo, {NEW: rfc("Job Retries", authors="@bob")}, head="rfc/second")
    sim.merge_pull_request(repo, first.number)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, first.number, "closed"))
    assert numbered(sim, repo) == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]

    sim.merge_pull_request(repo, second.number)  # its closed delivery is lost
    await say(sim, bot_app, repo, second.number, MAINTAINER, "/rfc number")

    [reply] = bot_comments(sim, repo, second.number)
    assert "Assigned RFC 0003: [rfcs/0003-job-retries.md]" in reply
    assert "0002" not in reply
    assert "@bob" in (sim.file(repo, "rfcs/0003-job-retries.md") or "")

    # And on the first one, its own: RFC 0002.
    await say(sim, bot_app, repo, first.number, MAINTAINER, "/rfc number")
    replies = bot_comments(sim, repo, first.number)
    assert "Already numbered: RFC 0002: [rfcs/0002-job-retries.md]" in replies[-1]
    assert "0003" not in replies[-1]


async def test_a_pasted_numbered_marker_does_not_silence_the_announcement(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, {NEW: rfc("Job Retries")})
    sim.add_comment(repo, pull.number, "eve", "<!-- rfc-bot:numbered -->\nAssigned RFC 0099: lol")
    sim.merge_pull_request(repo, pull.number)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [body] = bot_comments(sim, repo, pull.number)
    assert "Assigned RFC 0002" in body


async def test_a_title_holding_the_index_end_marker_does_not_freeze_the_index(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    hostile = f"Job Retries {INDEX_END} | pwned |"
    await merge(sim, bot_app, repo, {NEW: rfc(hostile)}, head="rfc/hostile")
    await merge(sim, bot_app, repo, {"rfcs/0000-cache-warmup.md": rfc("Cache Warmup")})

    index = sim.file(repo, INDEX) or ""
    assert index.count(INDEX_START) == 1 and index.count(INDEX_END) == 1
    table = index.split(INDEX_START, 1)[1].split(INDEX_END, 1)[0]
    assert "[Cache Warmup](0003-cache-warmup.md)" in table
    assert "0002-job-retries.md" in table
    assert index.endswith(f"{INDEX_END}\n\nAfter the index.\n")
    # Every row has the table's columns: the title's pipes are escaped.
    rows = [line for line in table.splitlines() if line.startswith("| 0")]
    assert len(rows) == 3
    assert all(len(re.findall(r"(?<!\\)\|", row)) == len(INDEX_COLUMNS) + 1 for row in rows)
