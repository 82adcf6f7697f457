"""The simulator's listing routes: what a reconciler sweeps and what the hardening reads.

Installations and their repositories, a pull request's commits and reviews, a repository's
comments and a comment's reactions. Registered into :data:`sim_routes.HANDLERS` on import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import sim_render as render
from sandbox.sim_routes import Call, Reply, handles, paginate, pull_of, repo_of, since_of
from sandbox.sim_state import ApiError, Commit, PullRequest, Repo, iso, not_found

if TYPE_CHECKING:
    from sandbox.simulator import Simulator

MAX_PULL_COMMITS = 250  # "Lists a maximum of 250 commits for a pull request."


# ---------------------------------------------------------------- installations


@handles("apps/list-installations")
def list_installations(sim: Simulator, call: Call) -> Reply:
    since = since_of(call)
    rendered = [
        installation_json(sim, installation_id, call.base)
        for installation_id in sorted(sim.installations)
        if since is None or sim.installed_at[installation_id] >= since
    ]
    return paginate(call, rendered)


def installation_json(sim: Simulator, installation_id: int, base: str) -> dict[str, Any]:
    account = sim.installations[installation_id]
    owned = [r for r in sim.repos.values() if r.installation_id == installation_id]
    kind = owned[0].owner_type if owned else "Organization"
    installed = iso(sim.installed_at[installation_id])
    return {
        "id": installation_id,
        "account": render.user_json(account, kind),
        "repository_selection": "all",
        "access_tokens_url": f"{base}/app/installations/{installation_id}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": f"{render.HTML}/organizations/{account}/settings/installations/"
        f"{installation_id}",
        "app_id": int(sim.app_id),
        "app_slug": sim.app_slug,
        "target_id": render.user_id(account),
        "target_type": kind,
        "permissions": sim.app_permissions(),
        "events": sim.app_json()["events"],
        "created_at": installed,
        "updated_at": installed,
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


@handles("apps/list-repos-accessible-to-installation")
def list_installation_repos(sim: Simulator, call: Call) -> Reply:
    if call.installation_id is None:
        raise ApiError(401, "Bad credentials")
    repos = sorted(
        (r for r in sim.repos.values() if r.installation_id == call.installation_id),
        key=lambda r: r.full_name.lower(),
    )
    page = paginate(call, [render.repo_json(r, call.base) for r in repos])
    page.body = {
        "total_count": len(repos),
        "repository_selection": "all",
        "repositories": page.body,
    }
    return page


# ---------------------------------------------------------------- pull requests


@handles("pulls/list-commits")
def list_pull_commits(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["pull_number"])
    commits = pull_commits(sim, repo, pr)
    return paginate(call, [render.commit_json(repo, c, call.base) for c in commits])


def pull_commits(sim: Simulator, repo: Repo, pr: PullRequest) -> list[Commit]:
    """The head's commits that the base (at the merge base) lacks, oldest first, at most
    250 (GitHub's cap: later commits are not listed at all)."""
    head = pr.current_head()
    base = pr.merge_base_sha or sim.merge_base(repo, pr)
    excluded = repo.objects.ancestors(base) if base else set()
    own = [repo.objects.commits[s] for s in repo.objects.ancestors(head) - excluded]
    own.sort(key=lambda c: (c.date, c.sequence))
    return own[:MAX_PULL_COMMITS]


@handles("pulls/list-reviews")
def list_reviews(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["pull_number"])
    reviews = sorted(
        (r for r in repo.reviews.values() if r.pull_number == pr.number), key=lambda r: r.id
    )
    return paginate(call, [render.review_json(repo, r, call.base) for r in reviews])


# ---------------------------------------------------------------- comments, reactions


@handles("issues/list-comments-for-repo")
def list_repo_comments(sim: Simulator, call: Call) -> Reply:
    """Every issue and pull request comment of the repository: ascending id by default;
    ``sort`` created|updated with ``direction`` (ignored without ``sort``); ``since``
    keeps comments updated at or after it."""
    repo = repo_of(sim, call)
    since = since_of(call)
    comments = [c for c in repo.comments.values() if since is None or c.updated_at >= since]
    sort = call.query.get("sort")
    if sort is None:
        comments.sort(key=lambda c: c.id)
    else:
        moment = (lambda c: c.created_at) if sort == "created" else (lambda c: c.updated_at)
        descending = call.query.get("direction", "asc") == "desc"
        comments.sort(key=lambda c: (moment(c), c.id), reverse=descending)
    return paginate(call, [sim.comment_json(repo, c) for c in comments])


@handles("reactions/list-for-issue-comment")
def list_comment_reactions(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    comment = repo.comments.get(int(call.params["comment_id"]))
    if comment is None:
        raise not_found()
    wanted = call.query.get("content")
    reactions = [r for r in comment.reactions if wanted is None or r.content == wanted]
    return paginate(call, [render.reaction_json(r) for r in reactions])
