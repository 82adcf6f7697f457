"""Issue comments and reactions (a pull request is an issue for these endpoints).

A comment the App must write once carries a hidden marker. A POST that GitHub applied may still
answer 5xx or time out, and the client never re-sends it on its own: ``post_comment`` looks for
the App's comment with that marker each time before posting again (``create_once``: with
backoff, until the event's deadline). Only comments the App itself wrote
count (``performed_via_github_app`` is set by GitHub and nobody else can set it), so a user who
pastes a marker into a comment changes nothing, and a marker counts only in its place
(``bot.policy.markers``), never in user text the App echoed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from gidgethub.abc import GitHubAPI

from bot.github.once import create_once
from bot.policy.markers import carries
from bot.values import Comment


async def post_comment(
    gh: GitHubAPI, repo: str, number: int, body: str, *, marker: str = "", app_id: int | None
) -> Comment:
    """Post ``body``; with a ``marker`` (which ``body`` carries), exactly once even when an
    answer is lost. Without one, a lost answer is raised: nothing tells the comment apart."""
    if not marker:
        return await _post(gh, repo, number, body)
    return await create_once(
        gh,
        "/repos/{owner}/{repo}/issues/{id}/comments",
        lambda: _post(gh, repo, number, body),
        lambda: find_own_comment(gh, repo, number, marker, app_id),
    )


async def _post(gh: GitHubAPI, repo: str, number: int, body: str) -> Comment:
    return Comment.from_json(
        await gh.post(f"/repos/{repo}/issues/{number}/comments", data={"body": body})
    )


async def update_comment(gh: GitHubAPI, repo: str, comment_id: int, body: str) -> Comment:
    return Comment.from_json(
        await gh.patch(f"/repos/{repo}/issues/comments/{comment_id}", data={"body": body})
    )


async def comments(gh: GitHubAPI, repo: str, number: int) -> AsyncIterator[Comment]:
    """The issue's comments, oldest first, page by page."""
    async for item in gh.getiter(
        f"/repos/{repo}/issues/{number}/comments{{?per_page}}", {"per_page": 100}
    ):
        yield Comment.from_json(item)


async def find_own_comment(
    gh: GitHubAPI, repo: str, number: int, marker: str, app_id: int | None
) -> Comment | None:
    """The first comment this App wrote that carries ``marker``."""
    async for comment in comments(gh, repo, number):
        if written_by(comment, app_id) and carries(comment.body, marker):
            return comment
    return None


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
