"""Legacy problems end to end: an old RFC edited on one line gets a passing check with its old
problems as warnings (read from the patch of GitHub's files listing); a status change, or a
patch GitHub leaves out, holds every line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.helpers import opened, seed_repo
from tests.legacy_rfcs import APPS, OLD, ONE_BAD_LINE, PATH, PROPOSED

TODAY = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)
LEGACY = "(legacy: the base already had this, on lines this change does not touch)"


@pytest.fixture
def app(bot_app: Any, sim: Any) -> Any:
    sim.clock.freeze(TODAY)
    return bot_app


@pytest.fixture
def repo(sim: Any) -> Any:
    """The old RFC is on the default branch, with its ten template prompts."""
    return seed_repo(sim, {"rfcs/README.md": "# Index\n", PATH: OLD})


def check(sim: Any, repo: Any, pull: Any) -> dict[str, Any]:
    return [r for r in sim.check_runs(repo, head_sha=pull.head_sha)][-1]


def levels(run: dict[str, Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for annotation in run["annotations"]:
        level = annotation["annotation_level"]
        found[level] = found.get(level, 0) + 1
    return found


async def test_an_old_rfc_edited_on_one_line_passes_with_its_old_problems_as_warnings(
    sim: Any, app: Any, repo: Any
) -> None:
    edited = OLD.replace(APPS, APPS + ", api")
    pull = await opened(sim, app, repo, {PATH: edited})
    run = check(sim, repo, pull)
    assert run["conclusion"] == "success"
    prompts = [a for a in run["annotations"] if a["title"] == "template-prompt"]
    assert len(prompts) == 10
    assert all(a["annotation_level"] == "warning" and LEGACY in a["message"] for a in prompts)
    assert (
        "10 legacy problems on lines this pull request did not touch (warnings)"
        in (run["output"]["summary"])
    )
    # No read beyond the usual ones (config, base; the head's text is rebuilt from the listing's
    # patch): the legacy pass reads nothing more.
    reads = [r.operation_id for r in sim.requests if r.method == "GET"]
    assert sorted(reads) == ["pulls/get", "pulls/list-files"] + ["repos/get-content"] * 2


async def test_an_error_on_the_edited_line_still_fails(sim: Any, app: Any, repo: Any) -> None:
    pull = await opened(sim, app, repo, {PATH: ONE_BAD_LINE})
    run = check(sim, repo, pull)
    assert run["conclusion"] == "failure"
    errors = [a for a in run["annotations"] if a["annotation_level"] == "failure"]
    assert [(a["title"], a["start_line"]) for a in errors] == [("target-apps", 4)]
    legacy = [a for a in run["annotations"] if LEGACY in a["message"]]
    assert len(legacy) == 10 and {a["annotation_level"] for a in legacy} == {"warning"}
    assert run["output"]["title"] == f"1 error, 11 warnings in {PATH}"  # + Last Updated


async def test_a_status_change_holds_the_whole_rfc(sim: Any, app: Any, repo: Any) -> None:
    sim.set_permission(repo, "alice", "write")  # a maintainer may make the move
    pull = await opened(sim, app, repo, {PATH: PROPOSED})
    run = check(sim, repo, pull)
    assert run["conclusion"] == "failure"
    prompts = [a for a in run["annotations"] if a["title"] == "template-prompt"]
    assert [a["annotation_level"] for a in prompts] == ["failure"] * 10
    assert "its Status changes here, so the whole RFC must pass" in run["output"]["text"]


async def test_a_patch_github_leaves_out_holds_every_line(sim: Any, app: Any, repo: Any) -> None:
    sim.patch_limits.max_bytes = 100  # GitHub's is 500 KB: this diff is over it
    edited = OLD.replace(APPS, APPS + ", api")
    pull = await opened(sim, app, repo, {PATH: edited})
    run = check(sim, repo, pull)
    assert run["conclusion"] == "failure"
    assert levels(run)["failure"] == 10
    assert "GitHub sent no diff for this file" in run["output"]["text"]


async def test_a_renamed_rfc_with_edits_is_compared_with_its_old_path(
    sim: Any, app: Any, repo: Any
) -> None:
    renamed = "rfcs/0000-job-retry-policy.md"
    pull = await opened(sim, app, repo, {PATH: None, renamed: ONE_BAD_LINE})
    run = check(sim, repo, pull)
    errors = [
        (a["path"], a["title"]) for a in run["annotations"] if a["annotation_level"] == "failure"
    ]
    assert errors == [(renamed, "target-apps")]
    assert f"(renamed from `{PATH}`)" in run["output"]["summary"]
    assert "10 legacy problems" in run["output"]["summary"]


async def test_a_deletion_that_removes_a_required_section_is_an_error(
    sim: Any, app: Any, repo: Any
) -> None:
    section = "### Dependencies\nNone.\n\n"
    pull = await opened(sim, app, repo, {PATH: OLD.replace(section, "")})
    run = check(sim, repo, pull)
    assert run["conclusion"] == "failure"
    errors = [a for a in run["annotations"] if a["annotation_level"] == "failure"]
    assert [a["title"] for a in errors] == ["section-missing"]
    assert "Dependencies" in errors[0]["message"]


async def test_diff_shaped_text_in_the_rfc_is_only_text(sim: Any, app: Any, repo: Any) -> None:
    """An RFC may quote a diff; the patch prefixes each of its lines, so a quoted hunk header
    cannot make the App misread which lines changed."""
    quote = "```diff\n@@ -1,400 +1,400 @@\n-**Status:** Draft\n+**Status:** Final\n```\n\n"
    base = OLD.replace("## Overview\n", "## Overview\n\n" + quote, 1)
    sim.commit(repo, "main", {PATH: base}, "Quote a diff")
    head = base.replace(APPS, APPS.replace("jobmaster", "job master")).replace(
        "@@ -1,400 +1,400 @@", "@@ -1 +1,900 @@"
    )
    pull = await opened(sim, app, repo, {PATH: head})
    run = check(sim, repo, pull)
    errors = [a["title"] for a in run["annotations"] if a["annotation_level"] == "failure"]
    assert errors == ["target-apps"]
    assert "10 legacy problems" in run["output"]["summary"]
