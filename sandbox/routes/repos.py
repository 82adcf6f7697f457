"""REST routes of repositories: the repository, its branches, contents and commit history."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, body_of, paginate, repo_of, since_of
from sandbox.routes.git import authorship
from sandbox.sim_state import ApiError, Repo, diff_files, directories, not_found, subtree


def get_repo(sim: GitHub, call: Call) -> Reply:
    return Reply(200, render.repo_json(repo_of(sim, call), call.base))


def get_branch(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    name = call.params["branch"]
    if name not in repo.branches:
        raise ApiError(404, "Branch not found")
    commit = repo.objects.commits[repo.branches[name]]
    return Reply(
        200,
        {
            "name": name,
            "commit": render.commit_json(repo, commit, call.base),
            "protected": name in repo.protected,
            "_links": {
                "self": f"{call.base}/repos/{repo.full_name}/branches/{name}",
                "html": f"{repo.web_url}/{repo.full_name}/tree/{name}",
            },
        },
    )


def ref_or_default(repo: Repo, call: Call) -> str:
    return repo.resolve(call.query.get("ref") or repo.default_branch)


def get_content(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    path = call.params["path"].strip("/")
    files = repo.objects.files_at(ref_or_default(repo, call))
    if path in files:
        sha = files[path]
        return Reply(200, render.content_json(repo, path, sha, repo.objects.blobs[sha], call.base))
    if path in directories(files):
        return Reply(200, directory_listing(repo, files, path, call.base))
    raise not_found()


def directory_listing(
    repo: Repo, files: dict[str, str], directory: str, base: str
) -> list[dict[str, Any]]:
    below = subtree(files, directory)
    entries: dict[str, dict[str, Any]] = {}
    for relative, sha in below.items():
        head, _, rest = relative.partition("/")
        path = f"{directory}/{head}"
        if rest:
            tree = repo.objects.put_tree(subtree(files, path))
            entries.setdefault(head, render.content_entry(repo, path, tree, "dir", 0, base))
        else:
            size = len(repo.objects.blobs[sha])
            entries[head] = render.content_entry(repo, path, sha, "file", size, base)
    return [entries[name] for name in sorted(entries)]


def put_content(sim: GitHub, call: Call) -> Reply:
    repo = sim.find_repo(f"{call.params['owner']}/{call.params['repo']}")
    if repo is None:
        raise not_found()
    body = body_of(call)
    branch = body.get("branch") or repo.default_branch
    sim.check_push_allowed(repo, branch, call.installation_id, via="contents")
    if branch not in repo.branches:
        raise ApiError(404, f"Branch {branch} not found")
    path = call.params["path"].strip("/")
    try:
        content = base64.b64decode(body.get("content", ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ApiError(422, "content is not valid Base64") from error
    current = repo.objects.files_at(repo.branches[branch]).get(path)
    given = body.get("sha")
    if current is not None and given is None:
        raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    if current is not None and given != current:
        raise ApiError(409, f"{path} does not match {given}")
    author, committer = authorship(sim, body)
    commit_sha = repo.commit(branch, {path: content}, body.get("message", ""), author, committer)
    commit = repo.objects.commits[commit_sha]
    new_sha = repo.objects.files_at(commit_sha)[path]
    return Reply(
        201 if current is None else 200,
        {
            "content": render.content_entry(repo, path, new_sha, "file", len(content), call.base),
            "commit": render.git_commit_json(repo, commit, call.base),
        },
    )


def list_commits(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    start = repo.resolve(call.query.get("sha") or repo.default_branch)
    commits = repo.objects.history(start)
    path = call.query.get("path", "").strip("/")
    if path:
        commits = [c for c in commits if touches(repo, c.sha, path)]
    since, until = since_of(call), since_of(call, "until")
    if since is not None:
        commits = [c for c in commits if c.date >= since]
    if until is not None:
        commits = [c for c in commits if c.date <= until]
    for role in ("author", "committer"):
        if call.query.get(role):
            wanted = call.query[role].lower()
            commits = [c for c in commits if getattr(c, role_field(role)).lower() == wanted]
    return paginate(call, [render.commit_json(repo, c, call.base) for c in commits])


def role_field(role: str) -> str:
    return "author" if role == "author" else "committed_by"


def touches(repo: Repo, sha: str, path: str) -> bool:
    """Whether the commit changed ``path`` (a file, or anything under a directory)."""
    commit = repo.objects.commits[sha]
    after = repo.objects.trees[commit.tree]
    before = repo.objects.files_at(commit.parents[0]) if commit.parents else {}

    def under(files: dict[str, str]) -> dict[str, str]:
        return {p: s for p, s in files.items() if p == path or p.startswith(path + "/")}

    return under(before) != under(after)


def get_commit(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    commit = repo.objects.commits[repo.resolve(call.params["ref"])]
    before = repo.objects.files_at(commit.parents[0]) if commit.parents else {}
    changes = diff_files(repo.objects, before, repo.objects.trees[commit.tree], sim.patch_limits)
    return Reply(200, render.commit_json(repo, commit, call.base, changes))
