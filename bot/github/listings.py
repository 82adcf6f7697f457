"""What a sweep reads: installations, their repositories, pull requests, comments, reactions
and the App's check runs on a commit, each as a typed call.

Every call here is a listing the reconciler repeats; through a client built with a
``ListingCache`` each is a conditional request, so an unchanged listing costs a 304, which
GitHub does not count against the rate limit.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from cachetools import LRUCache
from gidgethub import sansio
from gidgethub.abc import GitHubAPI

from bot.github.client import route_template

# Routes whose answers the sweep reads again and again.
CACHED_ROUTES = frozenset(
    {
        "/app",
        "/app/installations",
        "/installation/repositories",
        "/repos/{owner}/{repo}/pulls",
        "/repos/{owner}/{repo}/pulls/{id}/files",
        "/repos/{owner}/{repo}/issues",  # the digest issue, found each week
        "/repos/{owner}/{repo}/issues/comments",
        "/repos/{owner}/{repo}/issues/{id}/comments",
        "/repos/{owner}/{repo}/pulls/{id}/reviews",
        "/repos/{owner}/{repo}/pulls/{id}/commits",
        "/repos/{owner}/{repo}/issues/comments/{id}/reactions",
        "/repos/{owner}/{repo}/commits/{id}/check-runs",
        "/repos/{owner}/{repo}/git/ref/{ref}",
        "/repos/{owner}/{repo}/git/commits/{id}",
        "/repos/{owner}/{repo}/git/trees/{id}",
        "/repos/{owner}/{repo}/commits",
        # The dashboard asks who may read a private repository (bot.features.dashboard).
        "/repos/{owner}/{repo}/collaborators/{user}/permission",
    }
)
LISTING_CACHE_ENTRIES = 4096
# A file's contents are kept only when small (a config, an RFC's text: a timer reads the RFC
# of each pull request in a decision at every sweep, and a 304 costs nothing); large files
# pass through uncached.
CONTENTS_ROUTE = "/repos/{owner}/{repo}/contents/{path}"
SMALL_CONTENTS_CHARS = 64 * 1024


class ListingCache(LRUCache[str, Any]):
    """gidgethub's conditional-request cache (URL -> ETag and body), bounded, and holding
    only the listings of ``CACHED_ROUTES`` (and, with ``files``, small files): other GETs
    pass through uncached."""

    def __init__(
        self, base_url: str = "", maxsize: int = LISTING_CACHE_ENTRIES, *, files: bool = False
    ) -> None:
        super().__init__(maxsize=maxsize)
        self.base_url = base_url
        self.files = files

    def __setitem__(self, url: str, value: Any) -> None:
        route = route_template(url, self.base_url)
        if route in CACHED_ROUTES or (
            self.files and route == CONTENTS_ROUTE and _small_file(value)
        ):
            super().__setitem__(url, value)


def _small_file(value: Any) -> bool:
    """gidgethub's cache entry ``(etag, last_modified, data, more)`` holds one small file
    (a directory's listing, or a file past the bound, is not kept)."""
    data = value[2] if isinstance(value, tuple) and len(value) == 4 else None
    if not isinstance(data, dict) or data.get("type") != "file":
        return False
    return len(str(data.get("content") or "")) <= SMALL_CONTENTS_CHARS


def listing_cache(
    caches: LRUCache[str, ListingCache],
    key: str,
    base_url: str,
    entries: int | None = None,
    *,
    files: bool = False,
) -> ListingCache:
    """The conditional-request cache kept under ``key`` (a repository, an installation, or
    "app") in ``caches``, made on first use with room for ``entries`` answers (default
    ``LISTING_CACHE_ENTRIES``), and small files too with ``files``."""
    cache = caches.get(key)
    if cache is None:
        cache = caches[key] = ListingCache(base_url, entries or LISTING_CACHE_ENTRIES, files=files)
    return cache


async def app_slug(gh: GitHubAPI, jwt: str) -> str:
    """The App's slug: its bot user is ``<slug>[bot]``."""
    return str((await gh.getitem("/app", jwt=jwt))["slug"])


async def installations(gh: GitHubAPI, jwt: str) -> list[int]:
    """The ids of every installation of the App."""
    return [
        int(item["id"])
        async for item in gh.getiter("/app/installations{?per_page}", {"per_page": 100}, jwt=jwt)
    ]


async def installation_repositories(gh: GitHubAPI) -> list[dict[str, Any]]:
    """Every repository the installation may see (raw JSON: a ``Repository`` and more)."""
    return [
        item
        async for item in gh.getiter(
            "/installation/repositories{?per_page}",
            {"per_page": 100},
            iterable_key="repositories",
        )
    ]


async def pulls_updated_since(
    gh: GitHubAPI, repo: str, state: str, since: str | None
) -> list[dict[str, Any]]:
    """Pull requests in ``state``, most recently updated first; with ``since`` (an ISO time),
    paging stops at the first one updated before it (only the first page is read when
    nothing changed, and it is a 304)."""
    url = f"/repos/{repo}/pulls{{?state,sort,direction,per_page}}"
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {
        "state": state,
        "sort": "updated",
        "direction": "desc",
        "per_page": 100,
    }
    async for item in gh.getiter(url, query):
        if since is not None and str(item.get("updated_at") or "") < since:
            break
        found.append(item)
    return found


async def comments_updated_since(gh: GitHubAPI, repo: str, since: str) -> list[dict[str, Any]]:
    """The repository's issue and pull-request comments updated at or after ``since``, most
    recent first. ``since`` is not sent: the URL stays the same from sweep to sweep, so its
    ETag can answer 304; paging stops at the first older comment instead."""
    url = f"/repos/{repo}/issues/comments{{?sort,direction,per_page}}"
    found: list[dict[str, Any]] = []
    async for item in gh.getiter(url, {"sort": "updated", "direction": "desc", "per_page": 100}):
        if str(item.get("updated_at") or "") < since:
            break
        found.append(item)
    return found


async def comment_reactions(
    gh: GitHubAPI, repo: str, comment_id: int, content: str
) -> list[dict[str, Any]]:
    url = f"/repos/{repo}/issues/comments/{comment_id}/reactions{{?content,per_page}}"
    return [item async for item in gh.getiter(url, {"content": content, "per_page": 100})]


async def app_check_runs(
    gh: GitHubAPI, repo: str, head_sha: str, name: str, app_id: int | None
) -> list[dict[str, Any]]:
    """The latest check run named ``name`` of each App (only ours with ``app_id``) on a commit."""
    url = f"/repos/{repo}/commits/{quote(head_sha, safe='')}/check-runs"
    query: dict[str, Any] = {"check_name": name, "per_page": 100}
    if app_id is not None:
        query["app_id"] = app_id
        url += "{?check_name,app_id,per_page}"
    else:
        url += "{?check_name,per_page}"
    return [item async for item in gh.getiter(url, query, iterable_key="check_runs")]


async def claim_comment(gh: GitHubAPI, repo: str, comment_id: int, content: str) -> str | None:
    """React to a comment as the App, as a claim between replicas: GitHub answers 201 to the
    first such reaction and 200 (with the existing one) to every later one. Returns None when
    this call made it, else the ``created_at`` of the reaction that was there already."""
    url = f"/repos/{repo}/issues/comments/{comment_id}/reactions"
    # gidgethub's post() drops the status, which is the whole answer here.
    data: Any
    data, _, status = await gh._make_request(
        "POST", url, {}, {"content": content}, sansio.accept_format()
    )
    if status == 201:
        return None
    return str(data.get("created_at") or "") if isinstance(data, dict) else ""
