"""Webhook payloads with the real shape: vendored GitHub examples, overwritten from state.

Each builder deep-copies an example from ``sandbox/payloads`` (see
scripts/vendor_payloads.py) and replaces the fields that must agree with the simulator:
repository, installation, sender, the pull request, comment or check run.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.sim_state import PullRequest, Repo, Review, iso

PAYLOADS = Path(__file__).with_name("payloads")


@cache
def _example(stem: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{stem}.json").read_text(encoding="utf-8"))


def example(stem: str) -> dict[str, Any]:
    """A fresh copy of the vendored example ``<event>.<action>``."""
    return copy.deepcopy(_example(stem))


def deep_merge(base: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``ours`` laid over it; nested objects merge, everything else replaces."""
    merged = dict(base)
    for key, value in ours.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def envelope(
    sim: GitHub, payload: dict[str, Any], repo: Repo, sender: str, sender_type: str = "User"
) -> dict[str, Any]:
    """The fields every repository event carries."""
    payload["repository"] = deep_merge(
        payload.get("repository") or {}, render.repo_json(repo, sim.base_url)
    )
    payload["installation"] = {"id": repo.installation_id, "node_id": f"I_{repo.installation_id}"}
    payload["sender"] = deep_merge(
        payload.get("sender") or {}, render.user_json(sender, sender_type)
    )
    if repo.owner_type == "Organization":
        payload["organization"] = deep_merge(
            payload.get("organization") or {},
            {"login": repo.owner, "id": render.user_id(repo.owner)},
        )
    else:
        payload.pop("organization", None)
    return payload


def pull_over(
    theirs: dict[str, Any], repo: Repo, pr: PullRequest, base: str, *, only_theirs: bool = False
) -> dict[str, Any]:
    """The example's pull request with ours laid over it (``only_theirs``: only the keys
    the example has, for events whose pull request is GitHub's shorter form)."""
    ours = render.pull_json(repo, pr, base)
    if only_theirs:
        ours = {key: value for key, value in ours.items() if key in theirs}
    merged = deep_merge(theirs, ours)
    # Head/base repos and users must be exactly ours (a fork's head.repo differs from base).
    for side in ("head", "base"):
        merged[side] = deep_merge(theirs[side], ours[side])
        merged[side]["repo"] = deep_merge(theirs[side]["repo"], ours[side]["repo"])
    return merged


def pull_request(
    sim: GitHub, repo: Repo, number: int, action: str, extra: dict[str, Any]
) -> dict[str, Any]:
    pr = repo.pulls[number]
    stem = f"pull_request.{action}"
    payload = example(stem if (PAYLOADS / f"{stem}.json").exists() else "pull_request.opened")
    payload["action"] = action
    payload["number"] = number
    payload["pull_request"] = pull_over(payload["pull_request"], repo, pr, sim.base_url)
    sender = str(
        extra.pop("sender", None) or (pr.merged_by if action == "closed" and pr.merged else pr.user)
    )
    if action != "edited":
        payload.pop("changes", None)
    payload.update(extra)
    return envelope(sim, payload, repo, sender)


def issue_comment(
    sim: GitHub,
    repo: Repo,
    number: int,
    comment: dict[str, Any],
    action: str,
    changes: dict[str, Any] | None,
    sender: str | None = None,
) -> dict[str, Any]:
    pr = repo.pulls[number]
    payload = example(f"issue_comment.{action}")
    payload["action"] = action
    pull = render.pull_json(repo, pr, sim.base_url)
    issue = {
        key: pull[key]
        for key in (
            "number",
            "title",
            "user",
            "state",
            "locked",
            "labels",
            "body",
            "created_at",
            "updated_at",
            "closed_at",
            "author_association",
        )
    }
    issue.update(
        {
            "id": pr.id,
            "node_id": f"I_{pr.id}",
            "url": pull["issue_url"],
            "html_url": pull["html_url"],
            "comments": pull["comments"],
            "draft": pr.draft,
            "pull_request": {
                "url": pull["url"],
                "html_url": pull["html_url"],
                "diff_url": pull["diff_url"],
                "patch_url": pull["patch_url"],
                "merged_at": pull["merged_at"],
            },
        }
    )
    payload["issue"] = deep_merge(payload["issue"], issue)
    payload["comment"] = deep_merge(payload["comment"], comment)
    if changes is not None:
        payload["changes"] = changes
    elif action == "edited":
        payload["changes"] = {"body": {"from": comment.get("body", "")}}
    else:
        payload.pop("changes", None)
    user = comment.get("user") or {}
    if sender is not None:
        return envelope(sim, payload, repo, sender)
    return envelope(sim, payload, repo, user.get("login", "alice"), user.get("type", "User"))


REVIEW_ACTIONS = ("submitted", "edited", "dismissed")


def pull_request_review(
    sim: GitHub,
    repo: Repo,
    number: int,
    review: Review,
    action: str,
    changes: dict[str, Any] | None,
) -> dict[str, Any]:
    """The review as GitHub sends it in a webhook: the state in lower case (``approved``,
    ``changes_requested``, ``commented``, ``dismissed``) and an empty body as null."""
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"pull_request_review action must be one of {REVIEW_ACTIONS}")
    if review.pull_number != number or repo.reviews.get(review.id) is not review:
        raise ValueError(f"review {review.id} is not a review of {repo.full_name}#{number}")
    if action == "dismissed" and review.dismissed_by is None:
        raise ValueError("dismiss the review first (sim.dismiss_review)")
    pr = repo.pulls[number]
    payload = example(f"pull_request_review.{action}")
    payload["action"] = action
    payload["pull_request"] = pull_over(
        payload["pull_request"], repo, pr, sim.base_url, only_theirs=True
    )
    ours = render.review_json(repo, review, sim.base_url)
    ours["state"] = review.state.lower()
    ours["body"] = review.body or None
    payload["review"] = deep_merge(payload["review"], ours)
    if action == "edited":
        payload["changes"] = changes if changes is not None else {"body": {"from": review.body}}
    else:
        payload.pop("changes", None)
    sender = review.dismissed_by if action == "dismissed" else review.user
    return envelope(sim, payload, repo, str(sender))


def check_suite_json(sim: GitHub, repo: Repo, head_sha: str) -> dict[str, Any]:
    suite_id = repo.check_suites.setdefault(head_sha, sim.next_id())
    commit = repo.objects.commits[head_sha]
    branch = next((name for name, sha in repo.branches.items() if sha == head_sha), None)
    pulls = render.open_pulls_at(repo, head_sha, sim.base_url)
    runs = [r for r in repo.check_runs.values() if r.head_sha == head_sha]
    return {
        "id": suite_id,
        "node_id": f"CS_{suite_id}",
        "head_branch": branch,
        "head_sha": head_sha,
        "status": "completed" if runs and all(r.status == "completed" for r in runs) else "queued",
        "conclusion": None,
        "url": f"{sim.base_url}/repos/{repo.full_name}/check-suites/{suite_id}",
        "before": commit.parents[0] if commit.parents else "0" * 40,
        "after": head_sha,
        "pull_requests": pulls,
        "app": sim.app_json(),
        "created_at": iso(commit.date),
        "updated_at": iso(sim.clock.now()),
        "latest_check_runs_count": len(runs),
        "check_runs_url": f"{sim.base_url}/repos/{repo.full_name}/check-suites/{suite_id}"
        "/check-runs",
        "head_commit": {
            "id": head_sha,
            "tree_id": commit.tree,
            "message": commit.message,
            "timestamp": iso(commit.date),
            "author": {"name": commit.author, "email": f"{commit.author}@users.noreply.github.com"},
            "committer": {
                "name": commit.author,
                "email": f"{commit.author}@users.noreply.github.com",
            },
        },
    }


def check_run(sim: GitHub, repo: Repo, check_run_id: int, action: str) -> dict[str, Any]:
    run = repo.check_runs[check_run_id]
    payload = example(f"check_run.{action}")
    payload["action"] = action
    ours = render.check_run_json(repo, run, sim.base_url, sim.app_json())
    suite = check_suite_json(sim, repo, run.head_sha)
    ours["check_suite"] = {
        key: suite[key]
        for key in (
            "id",
            "head_branch",
            "head_sha",
            "status",
            "conclusion",
            "url",
            "before",
            "after",
            "pull_requests",
            "app",
            "created_at",
            "updated_at",
        )
    }
    payload["check_run"] = deep_merge(payload["check_run"], ours)
    payload["check_run"]["check_suite"] = ours["check_suite"]
    return envelope(sim, payload, repo, "alice")


def check_suite(sim: GitHub, repo: Repo, head_sha: str, action: str) -> dict[str, Any]:
    payload = example(f"check_suite.{action}")
    payload["action"] = action
    payload["check_suite"] = deep_merge(
        payload["check_suite"], check_suite_json(sim, repo, head_sha)
    )
    return envelope(sim, payload, repo, "alice")


def installation(sim: GitHub, action: str) -> dict[str, Any]:
    """The first installation (the account of the first repository created)."""
    if not sim.installations:
        raise ValueError("create a repository first: installations follow repository owners")
    installation_id, account = next(iter(sim.installations.items()))
    payload = example(f"installation.{action}")
    payload["action"] = action
    repos = [r for r in sim.repos.values() if r.installation_id == installation_id]
    account_type = repos[0].owner_type if repos else "Organization"
    payload["installation"] = deep_merge(
        payload["installation"],
        {
            "id": installation_id,
            "account": render.user_json(account, account_type),
            "app_id": int(sim.app_id),
            "app_slug": sim.app_slug,
            "target_id": render.user_id(account),
            "target_type": account_type,
            "permissions": sim.app_permissions(),
            "repository_selection": "all",
        },
    )
    payload["repositories"] = [
        {
            "id": r.id,
            "node_id": f"R_{r.id}",
            "name": r.name,
            "full_name": r.full_name,
            "private": False,
        }
        for r in repos
    ]
    payload["sender"] = deep_merge(payload.get("sender") or {}, render.user_json(account))
    return payload
