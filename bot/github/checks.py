"""Check runs: create one exactly once, add to its output.

A POST that GitHub applied may still answer 5xx or time out. The client does not re-send a
POST on its own; ``create_check_run`` tags the run with an ``external_id`` and, each time the
answer is lost, looks for a run carrying it before creating again (``create_once``: with
backoff, until the event's deadline), so a fault never doubles a run.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from bot.github.once import create_once


async def create_check_run(gh: GitHubAPI, repo: str, body: dict[str, Any]) -> int:
    """Create a check run from a request body that has ``external_id``; returns its id."""

    async def create() -> int:
        return int((await gh.post(f"/repos/{repo}/check-runs", data=body))["id"])

    async def find() -> int | None:
        return await find_check_run(gh, repo, body["head_sha"], body["name"], body["external_id"])

    return await create_once(gh, "/repos/{owner}/{repo}/check-runs", create, find)


async def find_check_run(
    gh: GitHubAPI, repo: str, head_sha: str, name: str, external_id: str
) -> int | None:
    """The id of the check run on ``head_sha`` named ``name`` carrying ``external_id``."""
    url = f"/repos/{repo}/commits/{quote(head_sha, safe='')}/check-runs{{?check_name,per_page}}"
    async for run in gh.getiter(
        url, {"check_name": name, "per_page": 100}, iterable_key="check_runs"
    ):
        if run.get("external_id") == external_id:
            return int(run["id"])
    return None


async def update_check_run(gh: GitHubAPI, repo: str, run_id: int, body: dict[str, Any]) -> None:
    await gh.patch(f"/repos/{repo}/check-runs/{run_id}", data=body)


async def named_check_runs(
    gh: GitHubAPI, repo: str, sha: str, name: str, app_id: int | None
) -> list[dict[str, Any]]:
    """Every check run named ``name`` on commit ``sha`` (of the App ``app_id`` when known),
    all of them and not only the latest: two writers may each have made one. A commit GitHub
    does not know (a force-push's ``before``, since collected) has none."""
    url = f"/repos/{repo}/commits/{quote(sha, safe='')}/check-runs"
    query: dict[str, Any] = {"check_name": name, "filter": "all", "per_page": 100}
    if app_id is not None:
        query["app_id"] = app_id
        url += "{?check_name,app_id,filter,per_page}"
    else:
        url += "{?check_name,filter,per_page}"
    try:
        return [item async for item in gh.getiter(url, query, iterable_key="check_runs")]
    except BadRequest as error:
        if error.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY):
            return []
        raise


async def write_check_output(
    gh: GitHubAPI, repo: str, sha: str, name: str, run_id: int | None, output: dict[str, str]
) -> int:
    """Set the output of the completed check run ``run_id`` (or of a new one named ``name`` on
    ``sha``); returns the run's id."""
    body: dict[str, Any] = {"status": "completed", "conclusion": "neutral", "output": output}
    if run_id is not None:
        await update_check_run(gh, repo, run_id, body)
        return run_id
    created = {**body, "name": name, "head_sha": sha, "external_id": f"{name}@{sha}"}
    return await create_check_run(gh, repo, created)
