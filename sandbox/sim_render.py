"""Render the simulator's state as GitHub REST JSON (the fields the App and tests read)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from sandbox.sim_state import (
    CheckRun,
    Comment,
    Commit,
    FileChange,
    Label,
    PullRequest,
    Reaction,
    Repo,
    Review,
    iso,
)

HTML = "https://github.com"  # users' and Apps' pages; a repository's are under its web_url


def user_id(login: str) -> int:
    # Stable fake ids, so the same login always has the same id across payloads.
    return int(hashlib.sha1(login.lower().encode()).hexdigest()[:8], 16)


def user_json(login: str, kind: str | None = None) -> dict[str, Any]:
    """A user as GitHub renders it; ``<slug>[bot]`` logins are Apps' bot users."""
    kind = kind or ("Bot" if login.endswith("[bot]") else "User")
    return {
        "login": login,
        "id": user_id(login),
        "node_id": f"U_{user_id(login)}",
        "type": kind,
        "site_admin": False,
        "html_url": f"{HTML}/{login}",
        "url": f"https://api.github.com/users/{login}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id(login)}?v=4",
    }


def repo_json(repo: Repo, base: str) -> dict[str, Any]:
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user_json(repo.owner, repo.owner_type),
        "private": repo.private,
        "fork": repo.fork_of is not None,
        "default_branch": repo.default_branch,
        "html_url": f"{repo.web_url}/{repo.full_name}",
        "url": f"{base}/repos/{repo.full_name}",
        "visibility": "private" if repo.private else "public",
    }


def git_person(login: str, commit: Commit) -> dict[str, Any]:
    # GitHub's noreply address: "<id>+<login>@users.noreply.github.com".
    return {
        "name": login,
        "email": f"{user_id(login)}+{login}@users.noreply.github.com",
        "date": iso(commit.date),
    }


def commit_json(
    repo: Repo, commit: Commit, base: str, files: list[FileChange] | None = None
) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "sha": commit.sha,
        "node_id": f"C_{commit.sha[:12]}",
        "url": f"{base}/repos/{repo.full_name}/commits/{commit.sha}",
        "html_url": f"{repo.web_url}/{repo.full_name}/commit/{commit.sha}",
        "commit": {
            "message": commit.message,
            "author": git_person(commit.author, commit),
            "committer": git_person(commit.committed_by, commit),
            "comment_count": 0,
            "tree": {
                "sha": commit.tree,
                "url": f"{base}/repos/{repo.full_name}/git/trees/{commit.tree}",
            },
            "url": f"{base}/repos/{repo.full_name}/git/commits/{commit.sha}",
        },
        "author": user_json(commit.author),
        "committer": user_json(commit.committed_by),
        "parents": [
            {"sha": p, "url": f"{base}/repos/{repo.full_name}/commits/{p}"} for p in commit.parents
        ],
    }
    if files is not None:
        rendered["files"] = [file_change_json(repo, change) for change in files]
        rendered["stats"] = {
            "additions": sum(c.additions for c in files),
            "deletions": sum(c.deletions for c in files),
            "total": sum(c.additions + c.deletions for c in files),
        }
    return rendered


def git_commit_json(repo: Repo, commit: Commit, base: str) -> dict[str, Any]:
    return {
        "sha": commit.sha,
        "node_id": f"C_{commit.sha[:12]}",
        "url": f"{base}/repos/{repo.full_name}/git/commits/{commit.sha}",
        "html_url": f"{repo.web_url}/{repo.full_name}/commit/{commit.sha}",
        "author": git_person(commit.author, commit),
        "committer": git_person(commit.committed_by, commit),
        "message": commit.message,
        "tree": {
            "sha": commit.tree,
            "url": f"{base}/repos/{repo.full_name}/git/trees/{commit.tree}",
        },
        "parents": [
            {
                "sha": p,
                "url": f"{base}/repos/{repo.full_name}/git/commits/{p}",
                "html_url": f"{repo.web_url}/{repo.full_name}/commit/{p}",
            }
            for p in commit.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def file_change_json(repo: Repo, change: FileChange) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "sha": change.sha or "0" * 40,
        "filename": change.filename,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{repo.web_url}/{repo.full_name}/blob/{change.sha}/{change.filename}",
        "raw_url": f"{repo.web_url}/{repo.full_name}/raw/{change.sha}/{change.filename}",
        "contents_url": f"https://api.github.com/repos/{repo.full_name}/contents/{change.filename}",
    }
    if change.previous_filename is not None:
        rendered["previous_filename"] = change.previous_filename
    if change.patch is not None:
        rendered["patch"] = change.patch
    return rendered


def content_json(repo: Repo, path: str, sha: str, data: bytes, base: str) -> dict[str, Any]:
    encoded = base64.b64encode(data).decode()
    # GitHub wraps the base64 text at 60 characters per line.
    wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    rendered = content_entry(repo, path, sha, "file", len(data), base)
    rendered.update({"content": wrapped, "encoding": "base64"})
    return rendered


def content_entry(
    repo: Repo, path: str, sha: str, kind: str, size: int, base: str
) -> dict[str, Any]:
    url = f"{base}/repos/{repo.full_name}/contents/{path}"
    git_url = f"{base}/repos/{repo.full_name}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    where = "blob" if kind == "file" else "tree"
    html_url = f"{repo.web_url}/{repo.full_name}/{where}/{sha}/{path}"
    return {
        "type": kind,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "size": size,
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{sha}/{path}"
        if kind == "file"
        else None,
        "_links": {"self": url, "git": git_url, "html": html_url},
    }


def label_json(repo: Repo, label: Label, base: str) -> dict[str, Any]:
    return {
        "id": label.id,
        "node_id": f"LA_{label.id}",
        "url": f"{base}/repos/{repo.full_name}/labels/{label.name}",
        "name": label.name,
        "color": label.color,
        "description": label.description,
        "default": False,
    }


def comment_json(
    repo: Repo,
    comment: Comment,
    base: str,
    association: str = "NONE",
    via_app: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``via_app``: the App the comment was made through (``performed_via_github_app``)."""
    return {
        "id": comment.id,
        "node_id": f"IC_{comment.id}",
        "url": f"{base}/repos/{repo.full_name}/issues/comments/{comment.id}",
        "html_url": f"{repo.web_url}/{repo.full_name}/pull/{comment.issue_number}"
        f"#issuecomment-{comment.id}",
        "issue_url": f"{base}/repos/{repo.full_name}/issues/{comment.issue_number}",
        "user": user_json(comment.user, comment.user_type),
        "body": comment.body,
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "author_association": association,
        "performed_via_github_app": via_app,
        "reactions": {
            "url": f"{base}/repos/{repo.full_name}/issues/comments/{comment.id}/reactions",
            "total_count": len(comment.reactions),
            **{
                content: sum(r.content == content for r in comment.reactions)
                for content in REACTION_CONTENTS
            },
        },
    }


REACTION_CONTENTS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def reaction_json(reaction: Reaction) -> dict[str, Any]:
    return {
        "id": reaction.id,
        "node_id": f"REA_{reaction.id}",
        "content": reaction.content,
        "user": user_json(reaction.user, reaction.user_type),
        "created_at": iso(reaction.created_at),
    }


def review_json(repo: Repo, review: Review, base: str) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    page = f"{repo.web_url}/{repo.full_name}/pull/{review.pull_number}"
    html = f"{page}#pullrequestreview-{review.id}"
    return {
        "id": review.id,
        "node_id": f"PRR_{review.id}",
        "user": user_json(review.user),
        "body": review.body,
        "state": review.state,
        "html_url": html,
        "pull_request_url": f"{api}/pulls/{review.pull_number}",
        "author_association": association(repo, review.user),
        "submitted_at": iso(review.submitted_at),
        "commit_id": review.commit_id,
        "_links": {
            "html": {"href": html},
            "pull_request": {"href": f"{api}/pulls/{review.pull_number}"},
        },
    }


def foreign_app_json(app_id: int, slug: str) -> dict[str, Any]:
    """Another App than the simulated one (e.g. a CI that also makes check runs)."""
    return {
        "id": app_id,
        "slug": slug,
        "client_id": f"Iv1.{app_id:016x}",
        "node_id": f"A_{app_id}",
        "name": slug,
        "owner": user_json("other-org", "Organization"),
        "description": "",
        "external_url": f"https://example.org/{slug}",
        "html_url": f"{HTML}/apps/{slug}",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "permissions": {"checks": "write", "metadata": "read"},
        "events": [],
    }


def association(repo: Repo, login: str) -> str:
    if login.lower() == repo.owner.lower():
        return "OWNER"
    level = repo.permissions.get(login.lower())
    if level in ("admin", "maintain", "write", "triage"):
        return "MEMBER" if repo.owner_type == "Organization" else "COLLABORATOR"
    return "CONTRIBUTOR" if level else "NONE"


def pull_json(repo: Repo, pr: PullRequest, base: str) -> dict[str, Any]:
    head_sha = pr.current_head()
    base_sha = repo.branches.get(pr.base_ref, "")
    api = f"{base}/repos/{repo.full_name}"
    return {
        "url": f"{api}/pulls/{pr.number}",
        "id": pr.id,
        "node_id": f"PR_{pr.id}",
        "html_url": f"{repo.web_url}/{repo.full_name}/pull/{pr.number}",
        "diff_url": f"{repo.web_url}/{repo.full_name}/pull/{pr.number}.diff",
        "patch_url": f"{repo.web_url}/{repo.full_name}/pull/{pr.number}.patch",
        "issue_url": f"{api}/issues/{pr.number}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user_json(pr.user),
        "body": pr.body,
        "labels": [
            label_json(repo, lab, base)
            for name in pr.labels
            if (lab := repo.label(name)) is not None
        ],
        "created_at": iso(pr.created_at),
        "updated_at": iso(pr.updated_at),
        "closed_at": iso(pr.closed_at),
        "merged_at": iso(pr.merged_at),
        "merge_commit_sha": pr.merge_commit_sha,
        "draft": pr.draft,
        "head": branch_ref_json(pr.head_repo, pr.head_ref, head_sha, base),
        "base": branch_ref_json(repo, pr.base_ref, base_sha, base),
        "author_association": association(repo, pr.user),
        "merged": pr.merged,
        "mergeable": None if pr.merged else True,
        "merged_by": user_json(pr.merged_by) if pr.merged_by else None,
        # Only a fork's PR can let maintainers push; GitHub says false for the others.
        "maintainer_can_modify": pr.maintainer_can_modify and pr.head_repo is not repo,
        "comments": sum(1 for c in repo.comments.values() if c.issue_number == pr.number),
        "commits_url": f"{api}/pulls/{pr.number}/commits",
        "statuses_url": f"{api}/statuses/{head_sha}",
    }


def branch_ref_json(repo: Repo, ref: str, sha: str, base: str) -> dict[str, Any]:
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_json(repo.owner, repo.owner_type),
        "repo": repo_json(repo, base),
    }


def open_pulls_at(repo: Repo, head_sha: str, base: str) -> list[dict[str, Any]]:
    """The minimal pull requests GitHub lists on check runs and suites: the repository's own
    open pull requests whose head is ``head_sha`` (forks' are left out, as GitHub does)."""
    return [
        {
            "number": pr.number,
            "id": pr.id,
            "url": f"{base}/repos/{repo.full_name}/pulls/{pr.number}",
            "head": {"ref": pr.head_ref, "sha": pr.current_head()},
            "base": {"ref": pr.base_ref, "sha": repo.branches.get(pr.base_ref, "")},
        }
        for pr in repo.pulls.values()
        if pr.state == "open" and pr.current_head() == head_sha and pr.head_repo is repo
    ]


def check_run_json(repo: Repo, run: CheckRun, base: str, app: dict[str, Any]) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    output = {
        "title": run.output.get("title"),
        "summary": run.output.get("summary"),
        "text": run.output.get("text"),
        "annotations_count": len(run.annotations),
        "annotations_url": f"{api}/check-runs/{run.id}/annotations",
    }
    pulls = open_pulls_at(repo, run.head_sha, base)
    return {
        "id": run.id,
        "node_id": f"CR_{run.id}",
        "head_sha": run.head_sha,
        "external_id": run.external_id,
        "url": f"{api}/check-runs/{run.id}",
        "html_url": f"{repo.web_url}/{repo.full_name}/runs/{run.id}",
        "details_url": run.details_url,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": iso(run.started_at),
        "completed_at": iso(run.completed_at),
        "output": output,
        "name": run.name,
        "check_suite": {"id": run.suite_id},
        "app": app,
        "pull_requests": pulls,
    }
