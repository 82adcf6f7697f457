"""What the tracking-issue and link end-to-end tests share: a repository with tracking issues
turned on, an accepted RFC with checklist sections, files that link to it, two replicas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from sandbox.delivery import deliver
from sandbox.harness import LoopbackApp, start_app
from tests.e2e.helpers import REPO, rfc, seed_repo

CONFIG = ".github/rfc-bot.yml"
TRACKING_ON = "follow_up:\n  tracking_issue: {}\n"
PATH = "rfcs/0000-job-retries.md"
NUMBERED = "rfcs/0002-job-retries.md"
RENDERED_OLD = f"https://github.com/{REPO}/blob/rfc/new/{PATH}"
RENDERED_NEW = f"https://github.com/{REPO}/blob/main/{NUMBERED}"
GUIDE = "docs/guide.md"
INDEX = "rfcs/README.md"
REPLICA_SECRET = "tracking-replica-secret"


def accepted_rfc(
    title: str = "Job Retries", *, status: str = "Final", authors: str = "@alice, @bob"
) -> str:
    """An RFC with a Success Metrics section and a Rollout Plan, linking itself."""
    return (
        rfc(title, status=status, authors=authors)
        + "\nSee [the goals](0000-job-retries.md#goals) and [audit](0001-audit-log.md).\n\n"
        "## Success Metrics\n\n"
        "- **Failures:** under 1% of jobs\n"
        "- [x] Dashboards live\n\n"
        "## Migration Strategy\n\n"
        "### Rollout Plan\n\n"
        "- Canary on one queue first\n"
    )


def guide(target: str = "../rfcs/0000-job-retries.md") -> str:
    return f"# Guide\n\nRead [the retries RFC]({target}) first.\n\n```\n[kept]({target})\n```\n"


def seed(sim: Any, config: str = TRACKING_ON, **files: str) -> Any:
    """``REPO`` with the config, an audit-log RFC, an index and a guide; alice may write."""
    repo = seed_repo(
        sim,
        {
            CONFIG: config,
            "rfcs/0001-audit-log.md": rfc("Audit Log", "0001"),
            INDEX: "# RFCs\n\nStart with [retries](0000-job-retries.md).\n",
            GUIDE: "# Guide\n\nNothing yet.\n",
            **files,
        },
    )
    sim.set_permission(repo, "alice", "write")
    sim.set_permission(repo, "bob", "read")  # may read, but GitHub would refuse to assign him
    return repo


def merged(sim: Any, repo: Any, text: str | None = None, **kw: Any) -> Any:
    """Open and merge the pull request adding the RFC (and linking it from the guide)."""
    files = {PATH: text or accepted_rfc(), GUIDE: guide()}
    body = f"Our proposal.\n\n[Rendered]({RENDERED_OLD})\n\nSee also [the site](https://example.org).\n"
    pull = sim.open_pull_request(
        repo, "rfc/new", files, author="alice", title="RFC: job retries", body=body, **kw
    )
    sim.merge_pull_request(repo, pull.number)
    return pull


def tracking_issues(sim: Any, repo: Any) -> list[dict[str, Any]]:
    return [issue for issue in sim.issues(repo) if issue["user"]["login"] == sim.bot_login]


def claim_refs(repo: Any) -> dict[str, str]:
    return {name: sha for name, sha in repo.refs.items() if name.startswith("rfc-bot/")}


@asynccontextmanager
async def replicas(sim: Any, count: int = 2, **options: Any) -> AsyncIterator[list[LoopbackApp]]:
    """``count`` App replicas (each its own server and Context) on one simulated GitHub."""
    started = [
        await start_app(
            sim, REPLICA_SECRET, log_format="text", event_budget_seconds=30.0, **options
        )
        for _ in range(count)
    ]
    try:
        yield started
        for running in started:
            await running.idle()
    finally:
        for running in started:
            await running.stop()


async def deliver_to(
    session: aiohttp.ClientSession, app: LoopbackApp, payload: dict[str, Any], delivery_id: str
) -> int:
    return await deliver(
        session, app.webhook_url, "pull_request", payload, REPLICA_SECRET, delivery_id=delivery_id
    )
