"""`/rfc` commands end to end: signed issue_comment deliveries to the real server, against the
GitHub simulator. Each test checks the file on the branch, the labels and the replies."""

from __future__ import annotations

from typing import Any

import pytest

from bot.serve.app import METRICS
from tests.e2e.helpers import BRANCH, PATH, numbering_commits, rfc, send
from tests.e2e.helpers import bot_comments as replies
from tests.e2e.status_helpers import app, on_branch, open_pull, repo, say

__all__ = ["app", "repo"]  # fixtures from status_helpers

OTHER = "rfcs/0000-cache-warmup.md"


async def test_author_moves_draft_to_proposed(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    first_head = pull.head_sha
    comment = await say(sim, app, repo, pull.number, "alice", "Ready!\n\n/rfc status proposed")

    text = on_branch(sim, repo)
    assert text == rfc(status="Proposed").replace(
        "**Last Updated:** 2024-05-01", "**Last Updated:** 2024-06-12"
    )
    head = sim.head(repo, BRANCH)
    assert head != first_head
    assert sim.commit_message(repo, head).startswith(
        "RFC 0000-job-retries: status Draft -> Proposed\n\nRequested by @alice in "
    )
    assert "rfc: proposed" in sim.pr_labels(repo, pull.number)
    [reply] = replies(sim, repo, pull.number)
    assert reply == (
        f"`/rfc status proposed`: Moved `{PATH}` from **Draft** to **Proposed** in {head[:7]}."
    )
    assert sim.reactions(repo, comment["id"]) == ["+1"]


async def test_maintainer_moves_proposed_to_final(sim: Any, app: Any, repo: Any) -> None:
    # With no decision rule for Proposed -> Final, the move is made at once.
    sim.commit(repo, "main", files={".github/rfc-bot.yml": "decisions: {}\n"}, message="config")
    pull = open_pull(sim, repo, {PATH: rfc(status="Proposed")})
    await say(sim, app, repo, pull.number, "mona", "/rfc status FINAL")

    assert "**Status:** Final  \n" in (on_branch(sim, repo) or "")
    assert "rfc: final" in sim.pr_labels(repo, pull.number)
    [reply] = replies(sim, repo, pull.number)
    assert "from **Proposed** to **Final**" in reply


async def test_read_only_user_is_refused(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    comment = await say(sim, app, repo, pull.number, "eve", "/rfc status proposed")

    assert on_branch(sim, repo) == rfc()
    assert sim.head(repo, BRANCH) == pull.head_sha
    [reply] = replies(sim, repo, pull.number)
    assert reply.startswith("`/rfc status proposed`: I can't do that: **Draft -> Proposed**")
    assert "@eve is neither an author of this RFC nor a maintainer of this repository" in reply
    assert reply.endswith("Nothing was changed.")
    assert sim.reactions(repo, comment["id"]) == []
    assert not any(label.startswith("rfc: ") for label in sim.pr_labels(repo, pull.number))


async def test_author_may_not_finalise(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {PATH: rfc(status="Proposed")})
    await say(sim, app, repo, pull.number, "alice", "/rfc status final")

    assert on_branch(sim, repo) == rfc(status="Proposed")
    [reply] = replies(sim, repo, pull.number)
    assert "@alice is not a maintainer of this repository" in reply


async def test_forbidden_transition_names_the_reachable_states(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    await say(sim, app, repo, pull.number, "mona", "/rfc status final")

    assert on_branch(sim, repo) == rfc()
    [reply] = replies(sim, repo, pull.number)
    assert "**Draft -> Final** is not an allowed move" in reply
    assert "from **Draft** an RFC can move to **Proposed**" in reply


async def test_already_in_that_status_commits_nothing(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    await say(sim, app, repo, pull.number, "alice", "/rfc status draft")

    assert sim.head(repo, BRANCH) == pull.head_sha
    assert replies(sim, repo, pull.number) == [
        f"`/rfc status draft`: `{PATH}` is already **Draft**: nothing to change."
    ]


async def test_two_rfcs_need_a_path(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {PATH: rfc(), OTHER: rfc(title="Cache Warmup")})
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert sim.head(repo, BRANCH) == pull.head_sha
    [reply] = replies(sim, repo, pull.number)
    assert "changes 2 RFCs, so name the one you mean" in reply
    assert f"- `{OTHER}`" in reply and f"- `{PATH}`" in reply

    await say(sim, app, repo, pull.number, "alice", f"/rfc status proposed {OTHER}")
    assert "**Status:** Proposed  " in (on_branch(sim, repo, OTHER) or "")
    assert on_branch(sim, repo, PATH) == rfc()
    assert "Moved `rfcs/0000-cache-warmup.md`" in replies(sim, repo, pull.number)[1]


async def test_unknown_path_lists_the_rfc_files(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {PATH: rfc(), OTHER: rfc(title="Cache Warmup")})
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed rfcs/nope.md")

    assert sim.head(repo, BRANCH) == pull.head_sha
    [reply] = replies(sim, repo, pull.number)
    assert "`rfcs/nope.md` is not one of this pull request's RFC files" in reply


async def test_fork_without_edit_access_gets_the_lines_to_change(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    sim.make_fork_pr(repo, pull.number, maintainer_can_modify=False)
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    [reply] = replies(sim, repo, pull.number)
    assert "a fork that doesn't allow maintainers to edit it" in reply
    assert "line 3 and line 7" in reply
    assert (
        "-**Status:** Draft  \n+**Status:** Proposed  \n"
        "-**Last Updated:** 2024-05-01  \n+**Last Updated:** 2024-06-12  \n"
    ) in reply
    assert not [r for r in sim.requests if r.method == "PUT"]
    assert not any(label.startswith("rfc: ") for label in sim.pr_labels(repo, pull.number))


async def test_edited_comment_runs_only_the_new_lines(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    old = "/rfc status final"
    comment = sim.add_comment(repo, pull.number, "alice", old)
    edited = dict(comment, body=f"{old}\n\n/rfc status proposed")
    event = sim.event_issue_comment(
        repo, pull.number, edited, action="edited", changes={"body": {"from": old}}
    )
    await send(app, "issue_comment", event)

    assert "**Status:** Proposed  " in (on_branch(sim, repo) or "")
    [reply] = replies(sim, repo, pull.number)
    assert reply.startswith("`/rfc status proposed`: Moved")
    assert "final" not in reply.lower()


async def test_comments_by_bots_are_ignored(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    await say(sim, app, repo, pull.number, "helper[bot]", "/rfc status proposed",
              user_type="Bot")  # fmt: skip

    assert sim.head(repo, BRANCH) == pull.head_sha
    assert replies(sim, repo, pull.number) == []


@pytest.mark.parametrize(
    "body",
    [
        "Try this:\n\n```\n/rfc status proposed\n```",
        "> /rfc status proposed\n\nWhat does that do?",
        "<!--\n/rfc status proposed\n-->",
    ],
    ids=["code-block", "quote", "html-comment"],
)
async def test_quoted_or_hidden_commands_do_nothing(
    sim: Any, app: Any, repo: Any, body: str
) -> None:
    pull = open_pull(sim, repo)
    comment = await say(sim, app, repo, pull.number, "alice", body)

    assert sim.head(repo, BRANCH) == pull.head_sha
    assert replies(sim, repo, pull.number) == []
    assert sim.reactions(repo, comment["id"]) == []


async def test_branch_moved_between_read_and_write_is_retried(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    pushed = rfc() + "\n## Scope\n\nPushed while the bot was working.\n"

    def push_first(simulator: Any) -> None:
        simulator.commit(repo, BRANCH, files={PATH: pushed}, message="more text", author="alice")

    sim.before("PUT", r"/contents/", push_first, times=1)
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    text = on_branch(sim, repo) or ""
    assert "Pushed while the bot was working." in text
    assert "**Status:** Proposed  " in text
    [reply] = replies(sim, repo, pull.number)
    assert "Moved" in reply
    puts = [r for r in sim.requests if r.method == "PUT"]
    assert [r.status for r in puts] == [409, 200]


async def test_merged_pull_request_refuses_status_changes(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    sim.merge_pull_request(repo, pull.number, merged_by="mona")
    main_before = sim.head(repo, "main")
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert sim.head(repo, "main") == main_before
    [reply] = replies(sim, repo, pull.number)
    assert reply.startswith("`/rfc status proposed`: This pull request is merged")


async def test_closed_pull_request_refuses_commands(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    sim.close_pull_request(repo, pull.number)
    await say(sim, app, repo, pull.number, "mona", "/rfc status proposed\n/rfc check")

    assert sim.head(repo, BRANCH) == pull.head_sha
    assert sim.check_runs(repo) == []
    [reply] = replies(sim, repo, pull.number)
    assert reply.count("This pull request is closed: reopen it") == 2


async def test_protected_branch_gets_the_lines_to_change(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    sim.protect_branch(repo, BRANCH)
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert on_branch(sim, repo) == rfc()
    [reply] = replies(sim, repo, pull.number)
    assert "`rfc/job-retries` is a protected branch" in reply
    assert "+**Status:** Proposed  \n" in reply


async def test_team_member_is_a_maintainer(sim: Any, app: Any, repo: Any) -> None:
    config = "maintainers:\n  - octo-org/rfc-editors\ndecisions: {}\n"
    sim.commit(repo, "main", files={".github/rfc-bot.yml": config}, message="config")
    sim.add_team_member("octo-org", "rfc-editors", "erin")
    pull = open_pull(sim, repo, {PATH: rfc(status="Proposed")})
    await say(sim, app, repo, pull.number, "erin", "/rfc status final")

    assert "**Status:** Final  \n" in (on_branch(sim, repo) or "")
    assert "Moved" in replies(sim, repo, pull.number)[0]


async def test_check_reruns_validation(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    comment = await say(sim, app, repo, pull.number, "eve", "/rfc check")

    assert [run["head_sha"] for run in sim.check_runs(repo)] == [pull.head_sha]
    [reply] = replies(sim, repo, pull.number)
    assert reply.startswith(f"`/rfc check`: Validation ran again on {pull.head_sha[:7]}")
    assert sim.reactions(repo, comment["id"]) == ["+1"]


async def test_check_waits_when_the_installation_is_short_of_requests(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    await say(sim, app, repo, pull.number, "eve", "/rfc check")  # the App reads the headers
    sim.set_rate_remaining(repo, 100)
    await say(sim, app, repo, pull.number, "eve", "/rfc check")

    assert len(sim.check_runs(repo)) == 1  # the first command's run only
    _first, second = replies(sim, repo, pull.number)
    assert second.startswith("`/rfc check`: Not run now: this installation has few GitHub API")
    metrics = app.app[METRICS].render().decode()
    assert 'rfcbot_deferred_total{kind="check"} 1.0' in metrics


async def test_number_is_for_maintainers(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    sim.merge_pull_request(repo, pull.number, merged_by="mona")
    main_before = sim.head(repo, "main")
    await say(sim, app, repo, pull.number, "eve", "/rfc number")

    assert sim.head(repo, "main") == main_before
    [reply] = replies(sim, repo, pull.number)
    assert "@eve is not a maintainer of this repository" in reply


async def test_number_on_an_open_pull_request_explains(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    await say(sim, app, repo, pull.number, "mona", "/rfc number")

    [reply] = replies(sim, repo, pull.number)
    assert "is not merged" in reply


async def test_maintainer_numbers_a_merged_pull_request(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    sim.merge_pull_request(repo, pull.number, merged_by="mona")
    comment = await say(sim, app, repo, pull.number, "mona", "/rfc number")

    assert len(numbering_commits(sim, repo, pull.number)) == 1
    assert sim.file(repo, PATH) is None
    assert "**RFC Number:** 0001  " in (sim.file(repo, "rfcs/0001-job-retries.md") or "")
    [reply] = replies(sim, repo, pull.number)
    assert reply.startswith("`/rfc number`: ")
    assert sim.reactions(repo, comment["id"]) == ["+1"]


async def test_several_commands_get_one_combined_reply(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    body = "/rfc status proposed\n/rfc staus final\n/rfc help"
    comment = await say(sim, app, repo, pull.number, "alice", body)

    [reply] = replies(sim, repo, pull.number)
    moved, wrong, helped = reply.split("\n\n`/rfc ")[:3]
    assert moved.startswith("`/rfc status proposed`: Moved")
    assert wrong.startswith("staus final`: `staus` is not an `/rfc` subcommand.")
    assert "/rfc status <draft|proposed|final|deprecated> [PATH]" in wrong
    assert helped.startswith("help`: Here is what I understand")
    assert "| Proposed -> Final | maintainers" in reply
    assert sim.reactions(repo, comment["id"]) == ["+1"]


async def test_config_on_the_pull_request_branch_grants_nothing(
    sim: Any, app: Any, repo: Any
) -> None:
    # The PR itself names eve a maintainer: only the default branch's config counts.
    config = "maintainers:\n  - eve\n"
    pull = open_pull(sim, repo, {PATH: rfc(status="Proposed"), ".github/rfc-bot.yml": config})
    await say(sim, app, repo, pull.number, "eve", "/rfc status final")

    assert on_branch(sim, repo) == rfc(status="Proposed")
    [reply] = replies(sim, repo, pull.number)
    assert "@eve is not a maintainer of this repository" in reply


@pytest.mark.parametrize("bot_app", [{"simulated_waits": True}], indirect=True)
async def test_github_failing_mid_command_still_gets_an_answer(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    # Every attempt to write the file fails for an hour: the write's retries stop before the
    # end of the delivery's time, which is kept for the reply.
    sim.fail_for("PUT", r".*/contents/.*", 502, 3600)
    comment = await say(sim, app, repo, pull.number, "alice", "/rfc status proposed\n/rfc help")

    assert on_branch(sim, repo) == rfc()  # nothing changed
    [reply] = replies(sim, repo, pull.number)
    failed, helped = reply.split("\n\n`/rfc ")[:2]
    assert failed.startswith("`/rfc status proposed`: Something went wrong while talking to")
    assert helped.startswith("help`: Here is what I understand")
    assert sim.reactions(repo, comment["id"]) == []


async def test_invalid_config_is_noted_and_defaults_apply(sim: Any, app: Any, repo: Any) -> None:
    sim.commit(repo, "main", files={".github/rfc-bot.yml": "statuses: [unclosed\n"}, message="cfg")
    pull = open_pull(sim, repo)
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert "**Status:** Proposed  " in (on_branch(sim, repo) or "")
    [reply] = replies(sim, repo, pull.number)
    moved, note = reply.split("\n\n")
    assert moved.startswith("`/rfc status proposed`: Moved")
    assert note.startswith("Note: `.github/rfc-bot.yml` on the default branch is invalid (")
    assert note.endswith("), so the default settings were used.")


async def test_status_below_a_fenced_block_with_a_heading_line_is_edited(
    sim: Any, app: Any, repo: Any
) -> None:
    # A "## " line inside a fenced block above the metadata is code, not a section: the
    # editor looks past it, as the parser does, and changes only the Status line.
    fenced = "```\n## not a heading\n**Status:** Final\n```\n\n"
    text = rfc().replace("**Status:**", fenced + "**Status:**", 1)
    pull = open_pull(sim, repo, {PATH: text})
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    after = on_branch(sim, repo) or ""
    assert fenced in after
    assert "**Status:** Proposed  \n" in after
    [reply] = replies(sim, repo, pull.number)
    assert reply.startswith("`/rfc status proposed`: Moved")
