"""The `RFC validation` check and the RFC labels end to end: signed deliveries to the real
server, against the GitHub simulator (every request held to GitHub's OpenAPI description)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.github.labels import KnownLabelCache
from bot.rfc.config.public import CONFIG_PATH
from sandbox.delivery import deliver
from sandbox.demo import demo_file
from tests.e2e.helpers import BRANCH, PATH, open_pull, opened, seed_repo, send
from tests.e2e.helpers import operations as calls

TODAY = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)
GOOD = demo_file("fixed.md")  # lints clean: Draft, orchestrator + jobmaster
FLAWED = demo_file("flawed.md")  # six errors, one per kind of mistake
LABEL_CALLS = ("issues/add-labels", "issues/remove-label", "issues/create-label")
GOOD_LABELS = {"rfc", "rfc: draft", "app: orchestrator", "app: jobmaster"}


@pytest.fixture
def app(bot_app: Any, sim: Any) -> Any:
    sim.clock.freeze(TODAY)  # GitHub's clock, which the App reads too
    return bot_app


@pytest.fixture
def repo(sim: Any) -> Any:
    return seed_repo(sim, {"rfcs/README.md": "# Index\n"})


def runs(sim: Any, repo: Any, head_sha: str) -> list[dict[str, Any]]:
    found = [r for r in sim.check_runs(repo, head_sha=head_sha) if r["name"] == "RFC validation"]
    assert found, "no RFC validation check run"
    return found


def latest(sim: Any, repo: Any, head_sha: str) -> dict[str, Any]:
    return runs(sim, repo, head_sha)[-1]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- deliveries -----------------------------------------------------------------------------


async def test_bad_signature_is_rejected_before_any_github_call(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    payload = sim.event_pull_request(repo, pull.number, "opened")
    async with aiohttp.ClientSession() as session:
        status = await deliver(session, app.url, "pull_request", payload, "not-the-secret")
    await app.idle()
    assert status == 401
    assert sim.requests == []
    assert sim.check_runs(repo) == []


# --- what the check says --------------------------------------------------------------------


async def test_pull_request_without_rfcs_gets_a_green_check(sim: Any, app: Any, repo: Any) -> None:
    pull = await opened(sim, app, repo, {"docs/guide.md": "# Guide\n"})
    run = latest(sim, repo, pull.head_sha)
    assert (run["status"], run["conclusion"]) == ("completed", "success")
    assert run["output"]["title"] == "No RFC files changed"
    assert run["annotations"] == []
    assert sim.pr_labels(repo, pull.number) == []


async def test_valid_rfc_passes_and_is_labelled(sim: Any, app: Any, repo: Any) -> None:
    pull = await opened(sim, app, repo, {PATH: GOOD})
    run = latest(sim, repo, pull.head_sha)
    assert run["conclusion"] == "success"
    assert run["output"]["title"] == f"No problems in {PATH}"
    summary = run["output"]["summary"]
    assert "| Job Retries | Draft | orchestrator, jobmaster | added | 0 | 0 |" in summary
    assert f"/octo-org/rfcs/blob/{pull.head_sha}/{PATH})" in summary
    labels = GOOD_LABELS
    assert set(sim.pr_labels(repo, pull.number)) == labels
    styles = sim.repo_labels(repo)
    assert all(styles[name]["color"] != "ededed" and styles[name]["description"] for name in labels)


async def test_flawed_rfc_fails_with_annotations_on_the_offending_lines(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = await opened(sim, app, repo, {PATH: FLAWED})
    run = latest(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == f"6 errors in {PATH}"
    where = {a["title"]: a for a in run["annotations"]}
    assert where["status-invalid"]["start_line"] == line_of(FLAWED, "**Status:** In review")
    assert where["target-apps"]["start_line"] == line_of(FLAWED, "job master")
    assert where["date-format"]["start_line"] == line_of(FLAWED, "05/01/2024")
    assert where["template-prompt"]["start_line"] == line_of(FLAWED, "[Real-world use cases")
    status = where["status-invalid"]
    source = FLAWED.splitlines()[status["start_line"] - 1]
    assert source[status["start_column"] - 1 : status["end_column"]] == "In review"
    assert all(a["path"] == PATH and a["annotation_level"] == "failure" for a in where.values())
    assert where["status-invalid"]["raw_details"]
    assert "rfc: draft" not in sim.pr_labels(repo, pull.number)  # "In review" is no status
    assert "rfc" in sim.pr_labels(repo, pull.number)


async def test_several_rfcs_are_reported_together(sim: Any, app: Any, repo: Any) -> None:
    other = "rfcs/0000-cache-warmup.md"
    proposed = GOOD.replace("# Job Retries", "# Cache Warmup").replace(
        "orchestrator, jobmaster  \n", "api  \n"
    )
    pull = await opened(sim, app, repo, {PATH: FLAWED, other: proposed})
    run = latest(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == "6 errors in 2 RFCs"
    summary = run["output"]["summary"]
    assert f"### `{PATH}`" in summary
    assert f"### `{other}`" in summary
    assert "| Cache Warmup | Draft | api | added | 0 | 0 |" in summary
    assert {a["path"] for a in run["annotations"]} == {PATH}
    assert {"rfc", "rfc: draft", "app: api"} <= set(sim.pr_labels(repo, pull.number))


async def test_renamed_rfc_is_compared_with_its_old_path(sim: Any, app: Any, repo: Any) -> None:
    sim.commit(repo, "main", files={PATH: GOOD}, message="Add the job retries RFC")
    renamed = "rfcs/0000-job-retry-policy.md"
    changed = GOOD.replace("**Created:** 2024-05-01", "**Created:** 2024-04-20")
    pull = await opened(sim, app, repo, {PATH: None, renamed: changed})
    run = latest(sim, repo, pull.head_sha)
    annotation = next(a for a in run["annotations"] if a["title"] == "created-changed")
    assert annotation["path"] == renamed
    assert annotation["start_line"] == line_of(changed, "**Created:**")
    assert f"(renamed from `{PATH}`)" in run["output"]["summary"]
    assert run["conclusion"] == "failure"


async def test_deleted_rfc_gets_a_notice(sim: Any, app: Any, repo: Any) -> None:
    sim.commit(repo, "main", files={PATH: GOOD}, message="Add the job retries RFC")
    pull = await opened(sim, app, repo, {PATH: None})
    run = latest(sim, repo, pull.head_sha)
    assert run["conclusion"] == "success"
    assert [(a["title"], a["annotation_level"]) for a in run["annotations"]] == [
        ("rfc-deleted", "notice")
    ]
    assert sim.pr_labels(repo, pull.number) == ["rfc"]


async def test_more_than_fifty_annotations_go_in_batches(sim: Any, app: Any, repo: Any) -> None:
    prompts = "[Brief 1-2 sentence description of the feature/change]\n\n" * 120
    text = GOOD.replace("Per-command retry policies chosen by the job's author.\n", prompts)
    start = len(sim.requests)
    pull = await opened(sim, app, repo, {PATH: text})
    run = latest(sim, repo, pull.head_sha)
    assert len(run["annotations"]) >= 120
    made = calls(sim, start)
    assert made.count("checks/create") == 1
    assert made.count("checks/update") == (len(run["annotations"]) - 1) // 50
    sent = [len(r.json["output"].get("annotations", [])) for r in sim.requests[start:]
            if r.operation_id in ("checks/create", "checks/update")]  # fmt: skip
    assert all(size == 50 for size in sent[:-1])
    assert 1 <= sent[-1] <= 50
    lines = [a["start_line"] for a in run["annotations"]]
    assert lines == sorted(lines)


# --- re-runs --------------------------------------------------------------------------------


async def test_rerun_button_creates_a_new_run(sim: Any, app: Any, repo: Any) -> None:
    pull = await opened(sim, app, repo, {PATH: FLAWED})
    first = latest(sim, repo, pull.head_sha)
    await send(app, "check_run", sim.event_check_run(repo, first["id"]))
    assert len(runs(sim, repo, pull.head_sha)) == 2
    await send(app, "check_suite", sim.event_check_suite(repo, pull.head_sha))
    again = runs(sim, repo, pull.head_sha)
    assert len(again) == 3
    assert again[-1]["conclusion"] == "failure"
    assert again[-1]["output"]["title"] == first["output"]["title"]


async def test_rerun_without_pull_request_does_nothing(sim: Any, app: Any, repo: Any) -> None:
    sha = sim.commit(repo, "topic", files={PATH: GOOD}, message="no PR for this branch")
    await send(app, "check_suite", sim.event_check_suite(repo, sha))
    assert sim.check_runs(repo) == []


async def test_push_to_the_pull_request_turns_the_check_green(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = await opened(sim, app, repo, {PATH: FLAWED})
    before = sim.head(repo, BRANCH)
    after = sim.commit(repo, BRANCH, files={PATH: GOOD}, message="Fix", author="alice")
    event = sim.event_pull_request(repo, pull.number, "synchronize", before=before, after=after)
    await send(app, "pull_request", event)
    assert latest(sim, repo, before)["conclusion"] == "failure"
    assert latest(sim, repo, after)["conclusion"] == "success"


# --- GitHub misbehaving ---------------------------------------------------------------------


async def test_server_error_is_retried(sim: Any, app: Any, repo: Any) -> None:
    sim.fail("GET", r"/pulls/\d+/files$", 502)
    pull = await opened(sim, app, repo, {PATH: GOOD})
    assert latest(sim, repo, pull.head_sha)["conclusion"] == "success"
    statuses = [r.status for r in sim.requests if r.operation_id == "pulls/list-files"]
    assert statuses == [502, 200]


async def test_secondary_rate_limit_honours_retry_after(sim: Any, app: Any, repo: Any) -> None:
    sim.fail(
        "POST",
        r"/check-runs$",
        403,
        headers={"Retry-After": "1"},
        body={"message": "You have exceeded a secondary rate limit."},
    )
    pull = await opened(sim, app, repo, {PATH: GOOD})
    assert len(runs(sim, repo, pull.head_sha)) == 1
    statuses = [r.status for r in sim.requests if r.operation_id == "checks/create"]
    assert statuses == [403, 201]


# --- configuration --------------------------------------------------------------------------


async def test_config_comes_from_the_default_branch(sim: Any, app: Any, repo: Any) -> None:
    lenient = 'rules:\n  status-invalid: "off"\n  target-apps: "off"\n'
    pull = await opened(sim, app, repo, {PATH: FLAWED, CONFIG_PATH: lenient})
    titles = {a["title"] for a in latest(sim, repo, pull.head_sha)["annotations"]}
    assert {"status-invalid", "target-apps"} <= titles

    sim.commit(repo, "main", files={CONFIG_PATH: lenient}, message="Relax the rules")
    second = await opened(sim, app, repo, {PATH: FLAWED}, head="rfc/second")
    titles = {a["title"] for a in latest(sim, repo, second.head_sha)["annotations"]}
    assert not {"status-invalid", "target-apps"} & titles


async def test_invalid_config_is_annotated_and_defaults_apply(
    sim: Any, app: Any, repo: Any
) -> None:
    config = "rfc_dir: rfcs\nnumbering: sometimes\n"
    sim.commit(repo, "main", files={CONFIG_PATH: config}, message="Break the config")
    pull = await opened(sim, app, repo, {PATH: GOOD})
    run = latest(sim, repo, pull.head_sha)
    assert run["conclusion"] == "failure"
    config_notes = [a for a in run["annotations"] if a["path"] == CONFIG_PATH]
    assert len(config_notes) == 1
    assert config_notes[0]["start_line"] == 2
    assert config_notes[0]["annotation_level"] == "failure"
    assert "numbering" in config_notes[0]["message"]
    assert [a for a in run["annotations"] if a["path"] == PATH] == []
    assert run["output"]["title"] == f"1 error in 1 RFC and {CONFIG_PATH}"


async def test_every_config_problem_is_annotated_at_once(sim: Any, app: Any, repo: Any) -> None:
    config = "rfc_dirr: rfcs\nnumbering: sometimes\nnumber_width: -3\n"
    sim.commit(repo, "main", files={CONFIG_PATH: config}, message="Break the config thrice")
    pull = await opened(sim, app, repo, {PATH: GOOD})
    notes = [a for a in latest(sim, repo, pull.head_sha)["annotations"] if a["path"] == CONFIG_PATH]
    assert [note["start_line"] for note in notes] == [1, 2, 3]
    assert "did you mean 'rfc_dir'" in notes[0]["message"]


# --- labels ---------------------------------------------------------------------------------


async def test_stale_owned_label_goes_foreign_labels_stay(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    for name in ("rfc: proposed", "app: api", "needs-review", "rfc: numbered"):
        sim.add_label(repo, name, "123456", "set by hand")
        sim.pull_request(repo, pull.number).labels.append(name)
    await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    assert set(sim.pr_labels(repo, pull.number)) == {
        "needs-review",
        "rfc: numbered",
        "rfc",
        "rfc: draft",
        "app: orchestrator",
        "app: jobmaster",
    }
    foreign = sim.repo_labels(repo)["needs-review"]
    assert foreign == {"color": "123456", "description": "set by hand"}


async def test_labels_follow_the_status(sim: Any, app: Any, repo: Any) -> None:
    sim.commit(repo, "main", files={PATH: GOOD}, message="Add the job retries RFC")
    pull = await opened(sim, app, repo, {PATH: GOOD.replace("Draft  \n", "Proposed  \n", 1)})
    labels = set(sim.pr_labels(repo, pull.number))
    assert "rfc: proposed" in labels
    assert "rfc: draft" not in labels


async def test_labels_known_to_exist_are_not_created_again(sim: Any, app: Any, repo: Any) -> None:
    pull = await opened(sim, app, repo, {PATH: GOOD})
    assert calls(sim).count("issues/create-label") == len(GOOD_LABELS)

    # Someone takes the labels off; the next run puts them back without creating any.
    sim.pull_request(repo, pull.number).labels.clear()
    start = len(sim.requests)
    await send(app, "check_run", sim.event_check_run(repo, latest(sim, repo, pull.head_sha)["id"]))
    assert "issues/create-label" not in calls(sim, start)
    assert set(sim.pr_labels(repo, pull.number)) == GOOD_LABELS

    start = len(sim.requests)
    second = await opened(sim, app, repo, {PATH: GOOD}, head="rfc/second")
    assert "issues/create-label" not in calls(sim, start)
    assert set(sim.pr_labels(repo, second.number)) == GOOD_LABELS


async def test_after_a_restart_existing_labels_are_fine(sim: Any, app: Any, repo: Any) -> None:
    await opened(sim, app, repo, {PATH: GOOD})
    app.context.caches.of(KnownLabelCache).clear()  # a restarted App knows no labels
    start = len(sim.requests)
    second = await opened(sim, app, repo, {PATH: GOOD}, head="rfc/second")
    created = [r.status for r in sim.requests[start:] if r.operation_id == "issues/create-label"]
    assert created == [422] * len(GOOD_LABELS)  # "already exists": fine
    assert set(sim.pr_labels(repo, second.number)) == GOOD_LABELS


# --- installation tokens --------------------------------------------------------------------


async def test_a_token_github_no_longer_accepts_is_replaced(sim: Any, app: Any, repo: Any) -> None:
    await opened(sim, app, repo, {"docs/warm.md": "warm the token\n"}, head="warm-up")
    sim.expire_tokens()  # revoked or expired before the time GitHub gave
    start = len(sim.requests)
    pull = await opened(sim, app, repo, {PATH: GOOD})
    assert latest(sim, repo, pull.head_sha)["conclusion"] == "success"
    made = sim.requests[start:]
    # The first wave (files, and the pull request read again) went out with the old token.
    assert sorted(r.operation_id for r in made if r.status == 401) == [
        "pulls/get",
        "pulls/list-files",
    ]
    assert calls(sim, start).count("apps/create-installation-access-token") == 1


# --- cost -----------------------------------------------------------------------------------


async def test_a_changed_rfc_costs_four_calls_then_three_on_a_known_base(
    sim: Any, app: Any, repo: Any
) -> None:
    """The files, the pull request read again (in the first wave, so no extra round trip: an
    event may be stale, see test_out_of_order.py), the RFC's old text, the check run. The new
    text is the listing's patch applied to the old one (proven by its blob sha), and the old
    text of a base commit is read once for every pull request on it."""
    sim.commit(repo, "main", files={PATH: GOOD}, message="Add the job retries RFC")
    await opened(sim, app, repo, {"docs/warm.md": "warm the caches\n"}, head="warm-up")
    start = len(sim.requests)
    changed = GOOD.replace("**Last Updated:** 2024-05-03", "**Last Updated:** 2024-06-01")
    pull = await opened(sim, app, repo, {PATH: changed})
    made = [name for name in calls(sim, start) if name not in LABEL_CALLS]
    assert sorted(made) == ["checks/create", "pulls/get", "pulls/list-files", "repos/get-content"]
    assert latest(sim, repo, pull.head_sha)["conclusion"] == "success"
    start = len(sim.requests)
    again = GOOD.replace("**Last Updated:** 2024-05-03", "**Last Updated:** 2024-06-02")
    second = await opened(sim, app, repo, {PATH: again}, head="rfc/second")
    made = [name for name in calls(sim, start) if name not in LABEL_CALLS]
    assert sorted(made) == ["checks/create", "pulls/get", "pulls/list-files"]
    assert latest(sim, repo, second.head_sha)["conclusion"] == "success"


async def test_pull_request_to_another_branch_still_uses_main_config(
    sim: Any, app: Any, repo: Any
) -> None:
    lenient = 'rules:\n  status-invalid: "off"\n'
    sim.commit(repo, "develop", files={CONFIG_PATH: lenient}, message="Relax on develop")
    start = len(sim.requests)
    pull = await opened(sim, app, repo, {PATH: FLAWED}, base="develop")
    titles = {a["title"] for a in latest(sim, repo, pull.head_sha)["annotations"]}
    assert "status-invalid" in titles
    assert "git/get-ref" in calls(sim, start)


async def test_edited_runs_only_when_the_base_changed(sim: Any, app: Any, repo: Any) -> None:
    pull = await opened(sim, app, repo, {PATH: GOOD})
    title_edit = sim.event_pull_request(
        repo, pull.number, "edited", changes={"title": {"from": "RFC"}}
    )
    await send(app, "pull_request", title_edit)
    assert len(runs(sim, repo, pull.head_sha)) == 1
    base_edit = sim.event_pull_request(
        repo, pull.number, "edited", changes={"base": {"ref": {"from": "develop"}}}
    )
    await send(app, "pull_request", base_edit)
    assert len(runs(sim, repo, pull.head_sha)) == 2
