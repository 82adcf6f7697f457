"""Issue comments and reactions (a pull request is an issue for these endpoints), and the
issues the App opens itself (tracking issues).

A comment the App must write once carries a hidden marker. A POST that GitHub applied may still
answer 5xx or time out, and the client never re-sends it on its own: ``post_comment`` looks for
the App's comment with that marker each time before posting again (``create_once``: with
backoff, until the event's deadline). Only comments the App itself wrote
count (``performed_via_github_app`` is set by GitHub and nobody else can set it), so a user who
pastes a marker into a comment changes nothing, and a marker counts only in its place
(``bot.policy.markers``), never in user text the App echoed.

``thread_since`` reads the comments written since a command with their +1 counts, in one
request, so the App can tell a comment it answered already (``bot.features.commands``);
``app_of_bot`` asks GitHub which App a reacting bot user is, as a reaction names no App.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from gidgethub import BadRequest, InvalidField, ValidationError
from gidgethub.abc import GitHubAPI

from bot.github.once import create_once
from bot.policy.markers import carries
from bot.policy.replies import ThreadComment
from bot.values import Comment, Issue, github_time

# ``since`` is asked this much earlier than meant: GitHub's timestamps are whole seconds, and
# whether "updated after" includes the second itself is not documented.
SINCE_MARGIN = timedelta(seconds=1)


async def post_comment(
    gh: GitHubAPI,
    repo: str,
    number: int,
    body: str,
    *,
    marker: str = "",
    app_id: int | None,
    since: datetime | None = None,
) -> Comment:
    """Post ``body``; with a ``marker`` (which ``body`` carries), exactly once even when an
    answer is lost (looked for among the comments updated since ``since``, when given).
    Without one, a lost answer is raised: nothing tells the comment apart."""
    if not marker:
        return await _post(gh, repo, number, body)
    return await create_once(
        gh,
        "/repos/{owner}/{repo}/issues/{id}/comments",
        lambda: _post(gh, repo, number, body),
        lambda: find_own_comment(gh, repo, number, marker, app_id, since=since),
    )


async def _post(gh: GitHubAPI, repo: str, number: int, body: str) -> Comment:
    return Comment.from_json(
        await gh.post(f"/repos/{repo}/issues/{number}/comments", data={"body": body})
    )


async def update_comment(gh: GitHubAPI, repo: str, comment_id: int, body: str) -> Comment:
    return Comment.from_json(
        await gh.patch(f"/repos/{repo}/issues/comments/{comment_id}", data={"body": body})
    )


async def comments(
    gh: GitHubAPI, repo: str, number: int, *, since: datetime | None = None
) -> AsyncIterator[Comment]:
    """The issue's comments, oldest first, page by page; with ``since``, only those updated
    at or after it (and perhaps a few from the second before)."""
    async for item in _listed(gh, repo, number, since):
        yield Comment.from_json(item)


async def thread_since(
    gh: GitHubAPI, repo: str, number: int, since: datetime | None
) -> list[ThreadComment]:
    """The issue's comments updated at or after ``since`` (all without it), each with its
    count of +1 reactions from the listing itself: no request per comment."""
    return [
        ThreadComment(Comment.from_json(item), _plus_ones(item))
        async for item in _listed(gh, repo, number, since)
    ]


def _listed(gh: GitHubAPI, repo: str, number: int, since: datetime | None) -> AsyncIterator[Any]:
    url = f"/repos/{repo}/issues/{number}/comments"
    if since is None:
        return gh.getiter(url + "{?per_page}", {"per_page": 100})
    query: dict[str, str | int] = {"since": github_time(since - SINCE_MARGIN), "per_page": 100}
    return gh.getiter(url + "{?since,per_page}", query)


def _plus_ones(item: Any) -> int | None:
    """The listing's count of +1 reactions on a comment, or None when it shows none."""
    rollup = item.get("reactions") if isinstance(item, Mapping) else None
    count = rollup.get("+1") if isinstance(rollup, Mapping) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


async def find_own_comment(
    gh: GitHubAPI,
    repo: str,
    number: int,
    marker: str,
    app_id: int | None,
    *,
    since: datetime | None = None,
) -> Comment | None:
    """The first comment this App wrote that carries ``marker`` (updated since ``since``)."""
    async for comment in comments(gh, repo, number, since=since):
        if written_by(comment, app_id) and carries(comment.body, marker):
            return comment
    return None


async def app_of_bot(gh: GitHubAPI, login: str) -> int | None:
    """The id of the App whose bot user is ``login`` (``<slug>[bot]``), as GitHub says
    (``GET /apps/{app_slug}``); None when ``login`` is no App's bot."""
    slug = login.removesuffix("[bot]")
    if slug == login or not slug:
        return None
    try:
        app = await gh.getitem("/apps/{app_slug}", {"app_slug": slug})
    except BadRequest as error:
        if error.status_code == 404:
            return None
        raise
    found = app.get("id") if isinstance(app, Mapping) else None
    return found if isinstance(found, int) else None


def written_by(comment: Comment, app_id: int | None) -> bool:
    """Written by the App with this id (GitHub sets ``performed_via_github_app``; nobody else
    can). With no id known (a Context made without settings), any bot's comment counts: a
    person can still never write as one."""
    if app_id is not None:
        return comment.app_id == app_id
    return comment.author_is_bot


async def react(gh: GitHubAPI, repo: str, comment_id: int, content: str = "+1") -> None:
    await gh.post(
        f"/repos/{repo}/issues/comments/{comment_id}/reactions", data={"content": content}
    )


# --- Issues that are not pull requests (tracking issues) -------------------------------------


class IssuesDisabled(Exception):
    """The repository has its issues turned off (GitHub answers 410 Gone)."""


async def create_issue(
    gh: GitHubAPI,
    repo: str,
    *,
    title: str,
    body: str,
    labels: Sequence[str],
    assignees: Sequence[str],
    find: Callable[[], Awaitable[Issue | None]],
) -> Issue:
    """Open an issue exactly once (``find`` looks for it when an answer is lost). An assignee
    GitHub refuses (no longer assignable since it was asked) is left out, and the issue made
    without them."""
    data: dict[str, Any] = {"title": title, "body": body, "labels": list(labels)}
    people = list(assignees)

    async def create() -> Issue:
        while True:
            try:
                made = await gh.post(f"/repos/{repo}/issues", data={**data, "assignees": people})
                return Issue.from_json(made)
            except BadRequest as error:
                if int(error.status_code) == 410:
                    raise IssuesDisabled(repo) from error
                refused = _refused_assignees(error)
                if not refused or not refused & set(people):
                    raise
                people[:] = [login for login in people if login not in refused]

    return await create_once(gh, "/repos/{owner}/{repo}/issues", create, find)


def _refused_assignees(error: BadRequest) -> set[str]:
    """The logins a 422 names as assignees GitHub refuses."""
    errors = error.errors if isinstance(error, InvalidField | ValidationError) else None
    if int(error.status_code) != 422 or not isinstance(errors, list):
        return set()
    return {
        str(item.get("value"))
        for item in errors
        if isinstance(item, dict) and item.get("field") in ("assignees", "assignee")
    }


async def update_issue(gh: GitHubAPI, repo: str, number: int, *, title: str, body: str) -> Issue:
    data = {"title": title, "body": body}
    return Issue.from_json(await gh.patch(f"/repos/{repo}/issues/{number}", data=data))


async def own_issues(
    gh: GitHubAPI, repo: str, label: str | None, app_id: int | None
) -> AsyncIterator[Issue]:
    """The issues this App opened (GitHub's ``performed_via_github_app``), open or closed,
    newest first; with ``label``, only those that carry it (one listing call per 100)."""
    query: dict[str, Any] = {"state": "all", "sort": "created", "direction": "desc"}
    query["per_page"] = 100
    if label and "," not in label:
        query["labels"] = label
    url = f"/repos/{repo}/issues{{?state,labels,sort,direction,per_page}}"
    async for item in gh.getiter(url, query):
        issue = Issue.from_json(item)
        by_app = issue.app_id == app_id if app_id is not None else issue.author_is_bot
        if by_app and not issue.is_pull:
            yield issue


async def can_be_assigned(gh: GitHubAPI, repo: str, login: str) -> bool:
    """Whether GitHub lets ``login`` be assigned to the repository's issues (204 or 404)."""
    try:
        await gh.getitem(f"/repos/{repo}/assignees/{quote(login, safe='')}")
    except BadRequest as error:
        if int(error.status_code) == 404:
            return False
        raise
    return True
