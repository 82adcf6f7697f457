"""Flooding the App with commands, end to end: one comment holding a thousand commands, the
same person or pull request commenting again and again, replies that would outgrow GitHub's
comment limit, and pasted hidden markers. Each test counts what the App asked of GitHub."""

from __future__ import annotations

from typing import Any

import pytest

from bot.policy.commands import parse_commands
from bot.policy.flood import COMMAND_COST, PER_PULL, PER_USER
from bot.policy.replies import MAX_COMMANDS_PER_COMMENT, reply_marker
from bot.policy.text import MAX_COMMENT_CHARS
from tests.e2e.attack_helpers import ATTACKER, AUTHOR, full_rfc, people_repo, say
from tests.e2e.helpers import PATH, bot_comments, open_pull


@pytest.fixture
def repo(sim: Any) -> Any:
    return people_repo(sim)


@pytest.fixture
def pull(sim: Any, repo: Any) -> Any:
    return open_pull(sim, repo, {PATH: full_rfc()})


def validation_runs(sim: Any, repo: Any) -> list[dict[str, Any]]:
    return [run for run in sim.check_runs(repo) if run["name"] == "RFC validation"]


async def calls_for(sim: Any, app: Any, repo: Any, number: int, user: str, body: str) -> int:
    """How many requests the App made to GitHub for one comment."""
    start = len(sim.requests)
    await say(sim, app, repo, number, user, body)
    return len(sim.requests) - start


async def test_a_thousand_identical_checks_cost_what_one_costs(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    await say(sim, bot_app, repo, pull.number, AUTHOR, "/rfc check")  # warm: token, labels
    one = await calls_for(sim, bot_app, repo, pull.number, ATTACKER, "/rfc check")
    flood = await calls_for(
        sim, bot_app, repo, pull.number, ATTACKER, "\n".join(["/rfc check"] * 1000)
    )

    assert len(validation_runs(sim, repo)) == 3  # one per comment, not one per line
    # ref, the look for an earlier answer, pull, files, content, check run, reply, reaction
    assert flood <= one <= 8
    reply = bot_comments(sim, repo, pull.number)[-1]
    assert reply.count("Validation ran again") == 1
    assert "999 more `/rfc` lines were not run: a repeated command runs once" in reply


async def test_a_thousand_distinct_invalid_lines_get_ten_answers_and_a_note(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    body = "\n".join(f"/rfc frobnicate{i}" for i in range(1000))

    await say(sim, bot_app, repo, pull.number, AUTHOR, "/rfc help")  # warm: the token
    calls = await calls_for(sim, bot_app, repo, pull.number, ATTACKER, body)

    # the config's ref, the look for an earlier answer, the pull request, the reply; nothing
    # is validated
    assert calls <= 4
    assert validation_runs(sim, repo) == []
    reply = bot_comments(sim, repo, pull.number)[-1]
    assert reply.count("is not an `/rfc` subcommand") == MAX_COMMANDS_PER_COMMENT
    assert "990 more `/rfc` lines were not run" in reply


async def test_the_eleventh_distinct_command_is_reported_and_not_run(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    lines = ["/rfc help"] + [f"/rfc nope{i}" for i in range(9)] + ["/rfc check"]
    await say(sim, bot_app, repo, pull.number, AUTHOR, "\n".join(lines))

    assert validation_runs(sim, repo) == []  # the 11th, /rfc check, did not run
    [reply] = bot_comments(sim, repo, pull.number)
    assert "\n\n`/rfc check`:" not in reply
    assert "1 more `/rfc` line was not run" in reply and "at most 10 commands" in reply


async def test_a_person_past_their_budget_is_told_and_nothing_runs(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    allowed = PER_USER[0] // COMMAND_COST["check"]
    for _ in range(allowed):
        await say(sim, bot_app, repo, pull.number, ATTACKER, "/rfc check")
    assert len(validation_runs(sim, repo)) == allowed

    calls = await calls_for(sim, bot_app, repo, pull.number, ATTACKER, "/rfc check")

    assert len(validation_runs(sim, repo)) == allowed
    assert calls <= 3
    reply = bot_comments(sim, repo, pull.number)[-1]
    assert reply.startswith("`/rfc check`: Not run: @eve ran many commands in the last 10 minutes")
    assert "Please try again in 10 minute(s)." in reply

    # Someone else on the same pull request still may.
    await say(sim, bot_app, repo, pull.number, AUTHOR, "/rfc check")
    assert len(validation_runs(sim, repo)) == allowed + 1


async def test_a_pull_request_past_its_budget_is_told(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    per_person = PER_USER[0] // COMMAND_COST["check"]
    runs = 0
    for person in ("p1", "p2", "p3"):
        for _ in range(per_person):
            if runs * COMMAND_COST["check"] + COMMAND_COST["check"] > PER_PULL[0]:
                break
            await say(sim, bot_app, repo, pull.number, person, "/rfc check")
            runs += 1

    await say(sim, bot_app, repo, pull.number, "p4", "/rfc check")

    assert len(validation_runs(sim, repo)) == runs
    reply = bot_comments(sim, repo, pull.number)[-1]
    assert reply.startswith("`/rfc check`: Not run: this pull request ran many commands")


async def test_a_reply_longer_than_githubs_limit_is_cut_with_a_note(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    body = "\n".join(f"/rfc {i}{'x' * 12_000}" for i in range(10))
    await say(sim, bot_app, repo, pull.number, ATTACKER, body)

    [reply] = [c["body"] for c in sim.comments(repo, pull.number) if c["user"]["type"] == "Bot"]
    assert len(reply) <= MAX_COMMENT_CHARS
    assert reply.endswith("_…cut here: GitHub limits a comment to 65,536 characters._")
    assert not [r for r in sim.requests if r.status == 422]


async def test_a_pasted_reply_marker_does_not_stand_in_for_the_reply(
    sim: Any, bot_app: Any, repo: Any, pull: Any
) -> None:
    """eve pastes the marker the App's reply to alice's comment will carry; the App's first
    post is lost (502, not applied), so it looks for its reply before posting again."""
    comment = sim.add_comment(repo, pull.number, AUTHOR, "/rfc help")
    marker = reply_marker(comment["id"], parse_commands("/rfc help"))
    sim.add_comment(repo, pull.number, ATTACKER, f"{marker}\nAlready answered, move along.")
    sim.fail("POST", r"/issues/\d+/comments$", 502, times=1)

    event = sim.event_issue_comment(repo, pull.number, comment)
    assert await bot_app.deliver("issue_comment", event) == 202
    await bot_app.idle()

    [reply] = bot_comments(sim, repo, pull.number)
    assert reply.startswith("`/rfc help`: Here is what I understand")
