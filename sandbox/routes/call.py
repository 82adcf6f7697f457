"""A REST call as the handlers see it, their answer, and the lookups and checks they share.

Each handler takes the simulated GitHub and a parsed :class:`Call` and returns a
:class:`Reply` or raises :class:`ApiError` with GitHub's status and message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from yarl import URL

from sandbox.github import GitHub
from sandbox.sim_state import ApiError, PullRequest, Repo, not_found


@dataclass
class Call:
    method: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    base: str  # the simulator's API root URL
    url: URL  # the full request URL (for pagination links)
    installation_id: int | None = None  # None: authenticated as the App (JWT), or a user
    user: str | None = None  # the login a user access token acts for (GET /user only)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[GitHub, Call], Reply]


def repo_of(sim: GitHub, call: Call, *, write: bool = False) -> Repo:
    """The repository the call names, as the caller may see it: a private repository that the
    installation does not cover is not found (404), as if it did not exist; a public one
    may be read by any installation, written by none but its own."""
    repo = sim.find_repo(f"{call.params['owner']}/{call.params['repo']}")
    if repo is None:
        raise not_found()
    covered = repo.installation_id is not None and repo.installation_id == call.installation_id
    if repo.private and not covered and call.installation_id is not None:
        raise not_found()
    if write and not covered:
        raise ApiError(403, "Resource not accessible by integration")
    return repo


def body_of(call: Call) -> dict[str, Any]:
    return call.body if isinstance(call.body, dict) else {}


def paginate(call: Call, items: list[Any], *, cap: int | None = None) -> Reply:
    """One page of ``items`` with GitHub's Link header (per_page default 30, max 100)."""
    if cap is not None:
        items = items[:cap]
    per_page = max(1, min(100, int(call.query.get("per_page", 30))))
    page = max(1, int(call.query.get("page", 1)))
    last = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    links = []
    for rel, target in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
        if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
            url = call.url.update_query(page=str(target), per_page=str(per_page))
            links.append(f'<{url}>; rel="{rel}"')
    return Reply(200, chunk, {"Link": ", ".join(links)} if links else {})


def validation_failed(resource: str, field_name: str, code: str) -> ApiError:
    return ApiError(
        422, "Validation Failed", [{"resource": resource, "code": code, "field": field_name}]
    )


def pull_of(repo: Repo, number: str) -> PullRequest:
    pr = repo.pulls.get(int(number))
    if pr is None:
        raise not_found()
    return pr


def since_of(call: Call, name: str = "since") -> datetime | None:
    """An ISO 8601 timestamp query parameter (GitHub answers 422 to one it cannot read)."""
    raw = call.query.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiError(422, f"Invalid value for {name}: {raw!r} is not an ISO 8601 time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
