"""REST routes of git data: refs, commits, blobs and trees, as an App writes without a clone."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, body_of, repo_of
from sandbox.sim_state import ApiError, Repo, directories, not_found, subtree


def get_ref(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    ref = call.params["ref"]
    branch = ref.removeprefix("heads/")
    if ref in repo.refs:
        return Reply(200, ref_json(repo, ref, call.base, sha=repo.refs[ref]))
    if not ref.startswith("heads/") or branch not in repo.branches:
        raise not_found()
    return Reply(200, ref_json(repo, branch, call.base))


def create_ref(sim: GitHub, call: Call) -> Reply:
    """A new ref: a branch (``refs/heads/x``) or any other ``refs/a/b`` (which GitHub lists
    neither as a branch nor a tag). 422 when it exists or its commit does not."""
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    ref, sha = str(body["ref"]), str(body["sha"])
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name is invalid")
    if sha not in repo.objects.commits:
        raise ApiError(422, "Object does not exist")
    name = ref.removeprefix("refs/")
    branch = name.removeprefix("heads/")
    if name in repo.refs or (name.startswith("heads/") and branch in repo.branches):
        raise ApiError(422, "Reference already exists")
    if name.startswith("heads/"):
        repo.branches[branch] = sha
        return Reply(201, ref_json(repo, branch, call.base))
    repo.refs[name] = sha
    return Reply(201, ref_json(repo, name, call.base, sha=sha))


def ref_json(repo: Repo, branch: str, base: str, *, sha: str | None = None) -> dict[str, Any]:
    """A branch's ref, or with ``sha`` another ref (``branch`` is then its name after
    ``refs/``)."""
    name = f"heads/{branch}" if sha is None else branch
    sha = sha or repo.branches[branch]
    return {
        "ref": f"refs/{name}",
        "node_id": f"REF_{name}",
        "url": f"{base}/repos/{repo.full_name}/git/refs/{name}",
        "object": {
            "type": "commit",
            "sha": sha,
            "url": f"{base}/repos/{repo.full_name}/git/commits/{sha}",
        },
    }


def update_ref(sim: GitHub, call: Call) -> Reply:
    repo = sim.find_repo(f"{call.params['owner']}/{call.params['repo']}")
    if repo is None:
        raise not_found()
    ref = call.params["ref"].removeprefix("refs/")
    branch = ref.removeprefix("heads/")
    if not ref.startswith("heads/") or branch not in repo.branches:
        raise ApiError(422, "Reference does not exist")
    sim.check_push_allowed(repo, branch, call.installation_id, via="ref")
    body = body_of(call)
    sha = body["sha"]
    if sha not in repo.objects.commits:
        raise ApiError(422, "Object does not exist")
    current = repo.branches[branch]
    if not body.get("force") and current not in repo.objects.ancestors(sha):
        raise ApiError(422, "Update is not a fast forward")
    repo.branches[branch] = sha
    return Reply(200, ref_json(repo, branch, call.base))


def get_git_commit(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    commit = repo.objects.commits.get(call.params["commit_sha"])
    if commit is None:
        raise not_found()
    return Reply(200, render.git_commit_json(repo, commit, call.base))


def create_git_commit(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    if body["tree"] not in repo.objects.trees:
        raise ApiError(422, "Tree SHA does not exist")
    parents = tuple(body.get("parents") or ())
    if any(p not in repo.objects.commits for p in parents):
        raise ApiError(422, "Parent SHA does not exist or is not a commit object")
    author, committer = authorship(sim, body)
    commit = repo.objects.put_commit(
        body["tree"], parents, body["message"], author, committer=committer
    )
    return Reply(201, render.git_commit_json(repo, commit, call.base))


def authorship(sim: GitHub, body: dict[str, Any]) -> tuple[str, str]:
    """GitHub's defaults: the committer is the authenticated App's bot user unless given;
    the author is the committer unless given."""
    committer = (body.get("committer") or {}).get("name") or sim.bot_login
    author = (body.get("author") or {}).get("name") or committer
    return author, committer


def create_blob(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    if body.get("encoding", "utf-8") == "base64":
        try:
            data = base64.b64decode(body["content"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ApiError(422, "content is not valid Base64") from error
    else:
        data = body["content"].encode()
    sha = repo.objects.put_blob(data)
    return Reply(201, {"sha": sha, "url": f"{call.base}/repos/{repo.full_name}/git/blobs/{sha}"})


def get_tree(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    sha = call.params["tree_sha"]
    if sha not in repo.objects.trees:
        try:
            sha = repo.objects.commits[repo.resolve(sha)].tree
        except ApiError as error:
            raise not_found() from error
    files = repo.objects.trees[sha]
    recursive = call.query.get("recursive") not in (None, "", "0", "false")
    return Reply(
        200,
        {
            "sha": sha,
            "url": f"{call.base}/repos/{repo.full_name}/git/trees/{sha}",
            "tree": tree_entries(repo, files, recursive, call.base),
            "truncated": False,
        },
    )


def tree_entries(
    repo: Repo, files: dict[str, str], recursive: bool, base: str
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for directory in sorted(directories(files)):
        if recursive or "/" not in directory:
            sha = repo.objects.put_tree(subtree(files, directory))
            entries.append(
                {
                    "path": directory,
                    "mode": "040000",
                    "type": "tree",
                    "sha": sha,
                    "url": f"{base}/repos/{repo.full_name}/git/trees/{sha}",
                }
            )
    for path, sha in files.items():
        if recursive or "/" not in path:
            entries.append(
                {
                    "path": path,
                    "mode": "100644",
                    "type": "blob",
                    "sha": sha,
                    "size": len(repo.objects.blobs[sha]),
                    "url": f"{base}/repos/{repo.full_name}/git/blobs/{sha}",
                }
            )
    return sorted(entries, key=lambda e: e["path"])


def create_tree(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    files: dict[str, str] = {}
    if body.get("base_tree"):
        if body["base_tree"] not in repo.objects.trees:
            raise ApiError(422, "base_tree is not a valid tree oid")
        files = dict(repo.objects.trees[body["base_tree"]])
    for entry in body.get("tree", []):
        apply_tree_entry(repo, files, entry)
    sha = repo.objects.put_tree(files)
    return Reply(
        201,
        {
            "sha": sha,
            "url": f"{call.base}/repos/{repo.full_name}/git/trees/{sha}",
            "tree": tree_entries(repo, files, False, call.base),
            "truncated": False,
        },
    )


def apply_tree_entry(repo: Repo, files: dict[str, str], entry: dict[str, Any]) -> None:
    path = entry["path"].strip("/")
    if "content" in entry and entry["content"] is not None:
        files[path] = repo.objects.put_blob(str(entry["content"]).encode())
        return
    sha = entry.get("sha")
    if entry.get("type") == "tree":
        for existing in [p for p in files if p.startswith(path + "/")]:
            del files[existing]
        if sha is not None:
            if sha not in repo.objects.trees:
                raise ApiError(422, f"GitRPC::BadObjectState: tree {sha} not found")
            files.update({f"{path}/{p}": s for p, s in repo.objects.trees[sha].items()})
        return
    if sha is None:
        files.pop(path, None)
        return
    if sha not in repo.objects.blobs:
        raise ApiError(422, f"GitRPC::BadObjectState: blob {sha} not found")
    files[path] = sha
