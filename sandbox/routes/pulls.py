"""REST routes of pull requests: one, the list with its filters and order, and a pull
request's files, commits and reviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, paginate, pull_of, repo_of
from sandbox.sim_diff import within_view
from sandbox.sim_state import Commit, PullRequest, Repo

MAX_PULL_FILES = 3000
MAX_PULL_COMMITS = 250  # "Lists a maximum of 250 commits for a pull request."


def get_pull(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    return Reply(200, render.pull_json(repo, pull_of(repo, call.params["pull_number"]), call.base))


def list_pulls(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    state = call.query.get("state", "open")
    pulls = [pr for pr in repo.pulls.values() if state == "all" or pr.state == state]
    if "head" in call.query:
        pulls = [pr for pr in pulls if f"{pr.head_repo.owner}:{pr.head_ref}" == call.query["head"]]
    if "base" in call.query:
        pulls = [pr for pr in pulls if pr.base_ref == call.query["base"]]
    for pr in pulls:
        pr.current_head()  # a push since the last look moves updated_at
    sort = call.query.get("sort", "created")
    if sort == "long-running":
        # Open for more than a month, with activity within the past month.
        month_ago = sim.clock.now() - timedelta(days=30)
        pulls = [pr for pr in pulls if pr.created_at < month_ago <= pr.updated_at]
    comments = Counter(c.issue_number for c in repo.comments.values())
    keys: dict[str, Callable[[PullRequest], Any]] = {
        "created": lambda pr: (pr.created_at, pr.number),
        "updated": lambda pr: (pr.updated_at, pr.number),
        "popularity": lambda pr: (comments[pr.number], pr.number),
        "long-running": lambda pr: (pr.created_at, pr.number),
    }
    # GitHub: direction defaults to desc for "created" (or no sort), to asc otherwise.
    direction = call.query.get("direction") or ("desc" if sort == "created" else "asc")
    pulls.sort(key=keys[sort], reverse=direction == "desc")
    return paginate(call, [render.pull_json(repo, pr, call.base) for pr in pulls])


def list_pull_files(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["pull_number"])
    changes = sim.pull_changes(repo, pr)
    head = pr.current_head()
    entries = [render.file_change_json(repo, c, head, call.base) for c in changes]
    page = paginate(call, entries, cap=MAX_PULL_FILES)
    fitting = within_view([entry.get("patch") for entry in page.body])
    for entry, fits in zip(page.body, fitting, strict=True):
        if not fits:  # past the page's diff limit: no patch, and no line counts either
            entry.pop("patch", None)
            entry.update(additions=0, deletions=0, changes=0)
    return page


def list_pull_commits(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["pull_number"])
    commits = pull_commits(sim, repo, pr)
    return paginate(call, [render.commit_json(repo, c, call.base) for c in commits])


def pull_commits(sim: GitHub, repo: Repo, pr: PullRequest) -> list[Commit]:
    """The head's commits that the base (at the merge base) lacks, oldest first, at most
    250 (GitHub's cap: later commits are not listed at all)."""
    head = pr.current_head()
    base = pr.merge_base_sha or sim.merge_base(repo, pr)
    excluded = repo.objects.ancestors(base) if base else set()
    own = [repo.objects.commits[s] for s in repo.objects.ancestors(head) - excluded]
    own.sort(key=lambda c: (c.date, c.sequence))
    return own[:MAX_PULL_COMMITS]


def list_reviews(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["pull_number"])
    reviews = sorted(
        (r for r in repo.reviews.values() if r.pull_number == pr.number), key=lambda r: r.id
    )
    return paginate(call, [render.review_json(repo, r, call.base) for r in reviews])
