"""What the attack tests share: a repository with people in every role, saying a comment,
reading the check and the App's writes back."""

from __future__ import annotations

from typing import Any

from sandbox.demo import demo_file
from tests.e2e.helpers import seed_repo, send

# The people: mona maintains (write access), alice and bob write RFCs (no access), eve has
# read access and is the adversary.
MAINTAINER, AUTHOR, OTHER_AUTHOR, ATTACKER = "mona", "alice", "bob", "eve"


def people_repo(sim: Any, files: dict[str, str] | None = None) -> Any:
    repo = seed_repo(sim, files or {})
    sim.set_permission(repo, MAINTAINER, "write")
    sim.set_permission(repo, ATTACKER, "read")
    return repo


async def say(sim: Any, app: Any, repo: Any, number: int, user: str, body: str) -> dict[str, Any]:
    """A person's comment, delivered; returns once the App has handled it."""
    comment = sim.add_comment(repo, number, user, body)
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, comment))
    return comment


async def pushed(sim: Any, app: Any, repo: Any, number: int) -> None:
    """Deliver `synchronize` for the pull request's current head."""
    await send(app, "pull_request", sim.event_pull_request(repo, number, "synchronize"))


def latest_run(sim: Any, repo: Any, head_sha: str) -> dict[str, Any]:
    """The newest `RFC validation` run on the commit."""
    runs = [r for r in sim.check_runs(repo, head_sha=head_sha) if r["name"] == "RFC validation"]
    assert runs, f"no check run on {head_sha[:7]}"
    return max(runs, key=lambda run: run["id"])


def rules_of(run: dict[str, Any]) -> list[str]:
    """The rule ids the run's annotations name (their title is the rule id)."""
    return [a["title"] for a in run["annotations"]]


def writes(sim: Any, start: int = 0) -> list[str]:
    """The App's writes to GitHub since ``start`` (an index in ``sim.requests``)."""
    return [
        f"{r.method} {r.path}"
        for r in sim.requests[start:]
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and not r.path.startswith("/app/")
    ]


def full_rfc(
    title: str = "Job Retries",
    number: str = "[Assigned when merged]",
    *,
    status: str = "Draft",
    authors: str = "@alice",
    updated: str = "2024-05-03",
) -> str:
    """A complete RFC that lints clean in every status (the short one of ``helpers.rfc``
    lacks the sections a Proposed or Final RFC needs)."""
    return (
        demo_file("fixed.md")
        .replace("# Job Retries", f"# {title}", 1)
        .replace("**Status:** Draft", f"**Status:** {status}", 1)
        .replace("[Assigned when merged]", number, 1)
        .replace("**Last Updated:** 2024-05-03", f"**Last Updated:** {updated}", 1)
        .replace("Jane Doe (@alice)", f"Jane Doe ({authors})", 1)
    )


def status_rules(run: dict[str, Any]) -> list[str]:
    return [rule for rule in rules_of(run) if rule.startswith("status-")]
