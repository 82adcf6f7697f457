"""Issues that are not pull requests (the weekly digest), and the App's claim on an issue or a
pull request: its reaction to it.

A claim is what GitHub makes exclusive: the first reaction of the App with one content to an
issue answers 201, every later one 200 with the reaction already there. Taken back (deleted),
it can be made again, for the next time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from gidgethub import BadRequest, sansio
from gidgethub.abc import GitHubAPI

from bot.github.once import create_once


@dataclass(frozen=True, slots=True)
class Claim:
    """The App's reaction to an issue: ``made`` by this call, or there already since
    ``created_at``."""

    made: bool
    reaction_id: int
    created_at: str


async def claim_issue(gh: GitHubAPI, repo: str, number: int, content: str) -> Claim:
    """React to the issue (or pull request) itself as the App: the claim."""
    url = f"/repos/{repo}/issues/{number}/reactions"
    # gidgethub's post() drops the status, which is the whole answer here.
    data: Any
    data, _, status = await gh._make_request(
        "POST", url, {}, {"content": content}, sansio.accept_format()
    )
    item = data if isinstance(data, dict) else {}
    return Claim(status == 201, int(item.get("id") or 0), str(item.get("created_at") or ""))


async def release_claim(gh: GitHubAPI, repo: str, number: int, reaction_id: int) -> None:
    """Take the App's reaction back; one already gone is fine."""
    try:
        await gh.delete(f"/repos/{repo}/issues/{number}/reactions/{reaction_id}")
    except BadRequest as error:
        if error.status_code != 404:
            raise


async def labelled_issues(gh: GitHubAPI, repo: str, label: str) -> list[dict[str, Any]]:
    """Every issue (open or closed, pull requests left out) carrying ``label``, oldest first."""
    url = f"/repos/{repo}/issues{{?labels,state,sort,direction,per_page}}"
    query: dict[str, Any] = {"labels": label, "state": "all", "sort": "created", "direction": "asc",
             "per_page": 100}  # fmt: skip
    return [item async for item in gh.getiter(url, query) if "pull_request" not in item]


def app_id_of(item: dict[str, Any]) -> int | None:
    """The App an issue was made through (``performed_via_github_app``, which GitHub sets and
    nobody else can), else None."""
    app = item.get("performed_via_github_app")
    return int(app["id"]) if isinstance(app, dict) and isinstance(app.get("id"), int) else None


async def create_issue(
    gh: GitHubAPI, repo: str, title: str, body: str, labels: list[str]
) -> dict[str, Any]:
    return dict(
        await gh.post(
            f"/repos/{repo}/issues", data={"title": title, "body": body, "labels": labels}
        )
    )


async def create_issue_once(
    gh: GitHubAPI,
    repo: str,
    title: str,
    body: str,
    labels: list[str],
    find: Callable[[], Awaitable[dict[str, Any] | None]],
) -> dict[str, Any]:
    """Create the issue, once even when an answer is lost: ``find`` looks for what a lost
    attempt may have made before creating again (``bot.github.once``)."""
    return await create_once(
        gh,
        "/repos/{owner}/{repo}/issues",
        lambda: create_issue(gh, repo, title, body, labels),
        find,
    )


async def edit_issue(gh: GitHubAPI, repo: str, number: int, **fields: str) -> dict[str, Any]:
    """Change an issue's ``title``, ``body`` or ``state``."""
    return dict(await gh.patch(f"/repos/{repo}/issues/{quote(str(number))}", data=fields))
