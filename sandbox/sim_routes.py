"""The simulator's REST handlers, one per documented operation (keyed by operationId).

Each handler takes the simulator and a parsed :class:`Call` and returns a :class:`Reply`
or raises :class:`ApiError` with GitHub's status and message.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from yarl import URL

from sandbox import sim_render as render
from sandbox.sim_state import (
    DEFAULT_LABEL_COLOR,
    PERMISSION_LEVELS,
    ApiError,
    CheckRun,
    PullRequest,
    Reaction,
    Repo,
    diff_files,
    directories,
    iso,
    not_found,
    subtree,
)

if TYPE_CHECKING:
    from sandbox.simulator import Simulator

MAX_OUTPUT_TEXT = 65535  # documented: characters; GitHub also refuses over 65535 UTF-8 bytes
MAX_OUTPUT_TITLE = 255  # undocumented: our choice, see docs/simulator.md
MAX_ANNOTATIONS_PER_REQUEST = 50
MAX_PULL_FILES = 3000
MAX_COMMENT_BODY = 65536
REACTIONS = render.REACTION_CONTENTS


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


Handler = Callable[["Simulator", Call], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[operation_id] = handler
        return handler

    return register


# ---------------------------------------------------------------- helpers


def repo_of(sim: Simulator, call: Call, *, write: bool = False) -> Repo:
    repo = sim.find_repo(f"{call.params['owner']}/{call.params['repo']}")
    if repo is None:
        raise not_found()
    covered = repo.installation_id is not None and repo.installation_id == call.installation_id
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


def ref_or_default(repo: Repo, call: Call) -> str:
    return repo.resolve(call.query.get("ref") or repo.default_branch)


# ---------------------------------------------------------------- apps


@handles("apps/get-authenticated")
def get_app(sim: Simulator, call: Call) -> Reply:
    return Reply(200, sim.app_json())


@handles("apps/create-installation-access-token")
def create_token(sim: Simulator, call: Call) -> Reply:
    installation_id = int(call.params["installation_id"])
    if installation_id not in sim.installations:
        raise not_found()
    token, expires = sim.issue_token(installation_id)
    repos = [
        render.repo_json(r, call.base)
        for r in sim.repos.values()
        if r.installation_id == installation_id
    ]
    return Reply(
        201,
        {
            "token": token,
            "expires_at": iso(expires),
            "permissions": sim.app_permissions(),
            "repository_selection": "all",
            "repositories": repos,
        },
    )


# ---------------------------------------------------------------- repos, branches


@handles("repos/get")
def get_repo(sim: Simulator, call: Call) -> Reply:
    return Reply(200, render.repo_json(repo_of(sim, call), call.base))


@handles("repos/get-branch")
def get_branch(sim: Simulator, call: Call) -> Reply:
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
                "html": f"{render.HTML}/{repo.full_name}/tree/{name}",
            },
        },
    )


# ---------------------------------------------------------------- pulls


@handles("pulls/get")
def get_pull(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    return Reply(200, render.pull_json(repo, pull_of(repo, call.params["pull_number"]), call.base))


@handles("pulls/list")
def list_pulls(sim: Simulator, call: Call) -> Reply:
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


@handles("pulls/list-files")
def list_pull_files(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["pull_number"])
    changes = sim.pull_changes(repo, pr)
    return paginate(call, [render.file_change_json(repo, c) for c in changes], cap=MAX_PULL_FILES)


# ---------------------------------------------------------------- contents


@handles("repos/get-content")
def get_content(sim: Simulator, call: Call) -> Reply:
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


@handles("repos/create-or-update-file-contents")
def put_content(sim: Simulator, call: Call) -> Reply:
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


# ---------------------------------------------------------------- check runs


@handles("checks/create")
def create_check_run(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    head_sha = body.get("head_sha", "")
    if head_sha not in repo.objects.commits:
        raise ApiError(422, "No commit found for SHA: " + head_sha)
    suite = repo.check_suites.setdefault(head_sha, sim.next_id())
    run = CheckRun(
        sim.next_id(),
        body["name"],
        head_sha,
        "queued",
        None,
        None,
        None,
        {},
        body.get("external_id"),
        body.get("details_url"),
        suite,
        int(sim.app_id),
    )
    apply_check_update(run, body, sim.clock.now())
    repo.check_runs[run.id] = run
    return Reply(201, render.check_run_json(repo, run, call.base, sim.app_json(run.app_id)))


@handles("checks/update")
def update_check_run(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    run = repo.check_runs.get(int(call.params["check_run_id"]))
    if run is None:
        raise not_found()
    apply_check_update(run, body_of(call), sim.clock.now())
    return Reply(200, render.check_run_json(repo, run, call.base, sim.app_json(run.app_id)))


def check_run_invalid(field_name: str, message: str) -> ApiError:
    return ApiError(
        422,
        "Validation Failed",
        [{"resource": "CheckRun", "code": "custom", "field": field_name, "message": message}],
    )


def apply_check_update(run: CheckRun, body: dict[str, Any], moment: datetime) -> None:
    """GitHub's create/update semantics; annotations accumulate across requests."""
    output = body.get("output") or {}
    annotations = output.get("annotations") or []
    if len(annotations) > MAX_ANNOTATIONS_PER_REQUEST:
        raise ApiError(422, "Invalid request.\n\nOnly 50 annotations are allowed per request.")
    for key in ("summary", "text"):
        if len(output.get(key) or "") > MAX_OUTPUT_TEXT:
            raise ApiError(
                422,
                f"Invalid request.\n\nOutput {key} exceeds the maximum size "
                f"of {MAX_OUTPUT_TEXT} characters.",
            )
        if len(str(output.get(key) or "").encode()) > MAX_OUTPUT_TEXT:
            # Within the documented characters but not in bytes (github/docs#35252).
            raise check_run_invalid(key, f"{key} exceeds a maximum bytesize of {MAX_OUTPUT_TEXT}")
    if len(str(output.get("title") or "")) > MAX_OUTPUT_TITLE:
        raise check_run_invalid(
            "title", f"title is too long (maximum is {MAX_OUTPUT_TITLE} characters)"
        )
    status = body.get("status")
    conclusion = body.get("conclusion")
    if status == "completed" and not conclusion and run.conclusion is None:
        raise ApiError(
            422, 'Invalid request.\n\n"conclusion" is required when "status" is "completed".'
        )
    for key in ("name", "external_id", "details_url"):
        if key in body:
            setattr(run, key, body[key])
    if status:
        run.status = status
    if status == "in_progress" or body.get("started_at"):
        run.started_at = run.started_at or moment
    if conclusion:
        run.conclusion = conclusion
        run.status = "completed"  # giving a conclusion completes the run
    if run.status == "completed":
        run.completed_at = run.completed_at or moment
        run.started_at = run.started_at or run.completed_at
    run.output.update({k: output[k] for k in ("title", "summary", "text") if k in output})
    run.annotations.extend(dict(a) for a in annotations)


@handles("checks/get")
def get_check_run(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    run = repo.check_runs.get(int(call.params["check_run_id"]))
    if run is None:
        raise not_found()
    return Reply(200, render.check_run_json(repo, run, call.base, sim.app_json(run.app_id)))


@handles("checks/list-annotations")
def list_annotations(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    run = repo.check_runs.get(int(call.params["check_run_id"]))
    if run is None:
        raise not_found()
    rendered = [
        {
            **a,
            "blob_href": f"{render.HTML}/{repo.full_name}/blob/{run.head_sha}/{a.get('path')}",
            "start_column": a.get("start_column"),
            "end_column": a.get("end_column"),
            "title": a.get("title"),
            "raw_details": a.get("raw_details"),
        }
        for a in run.annotations
    ]
    return paginate(call, rendered)


@handles("checks/list-for-ref")
def list_check_runs_for_ref(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    sha = repo.resolve(call.params["ref"])
    runs = sorted((r for r in repo.check_runs.values() if r.head_sha == sha), key=lambda r: r.id)
    if "check_name" in call.query:
        runs = [r for r in runs if r.name == call.query["check_name"]]
    if "app_id" in call.query:
        runs = [r for r in runs if r.app_id == int(call.query["app_id"])]
    if call.query.get("filter", "latest") == "latest":
        latest: dict[tuple[int, str], CheckRun] = {}
        for run in runs:
            latest[(run.app_id, run.name)] = run  # later ids win: each App's latest per name
        runs = list(latest.values())
    if "status" in call.query:
        runs = [r for r in runs if r.status == call.query["status"]]
    runs.sort(key=lambda r: r.id, reverse=True)
    rendered = [render.check_run_json(repo, r, call.base, sim.app_json(r.app_id)) for r in runs]
    page = paginate(call, rendered)
    page.body = {"total_count": len(runs), "check_runs": page.body}
    return page


# ---------------------------------------------------------------- labels


@handles("issues/get-label")
def get_label(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    label = repo.label(call.params["name"])
    if label is None:
        raise not_found()
    return Reply(200, render.label_json(repo, label, call.base))


@handles("issues/create-label")
def create_label(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    name = body["name"]
    if repo.label(name) is not None:
        raise validation_failed("Label", "name", "already_exists")
    color = str(body.get("color") or DEFAULT_LABEL_COLOR).removeprefix("#").lower()
    if len(color) != 6 or any(c not in "0123456789abcdef" for c in color):
        raise validation_failed("Label", "color", "invalid")
    label = sim.add_label(repo, name, color, body.get("description"))
    return Reply(201, render.label_json(repo, label, call.base))


@handles("issues/list-labels-on-issue")
def list_issue_labels(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["issue_number"])
    return paginate(call, issue_labels(repo, pr, call.base))


def issue_labels(repo: Repo, pr: PullRequest, base: str) -> list[dict[str, Any]]:
    return [
        render.label_json(repo, label, base)
        for name in pr.labels
        if (label := repo.label(name)) is not None
    ]


@handles("issues/add-labels")
def add_issue_labels(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    pr = pull_of(repo, call.params["issue_number"])
    names = requested_label_names(call.body)
    for name in names:
        label = repo.label(name) or sim.add_label(repo, name, DEFAULT_LABEL_COLOR, None)
        if label.name.lower() not in (n.lower() for n in pr.labels):
            pr.labels.append(label.name)
            pr.touch(sim.clock.now())
    return Reply(200, issue_labels(repo, pr, call.base))


def requested_label_names(body: Any) -> list[str]:
    """The add-labels body: ``{"labels": [...]}`` (names or ``{"name"}``) or a bare list."""
    raw = body.get("labels", []) if isinstance(body, dict) else body
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ApiError(422, "Invalid request.\n\nlabels must be a list.")
    return [item["name"] if isinstance(item, dict) else str(item) for item in raw]


@handles("issues/remove-label")
def remove_issue_label(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    pr = pull_of(repo, call.params["issue_number"])
    wanted = call.params["name"].lower()
    kept = [name for name in pr.labels if name.lower() != wanted]
    if len(kept) == len(pr.labels):
        raise ApiError(404, "Label does not exist")
    pr.labels = kept
    pr.touch(sim.clock.now())
    return Reply(200, issue_labels(repo, pr, call.base))


# ---------------------------------------------------------------- comments, reactions


@handles("issues/list-comments")
def list_comments(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    number = int(call.params["issue_number"])
    if number not in repo.pulls:
        raise not_found()
    since = since_of(call)
    comments = [
        c
        for c in sorted(repo.comments.values(), key=lambda c: c.id)
        if c.issue_number == number and (since is None or c.updated_at >= since)
    ]
    return paginate(call, [sim.comment_json(repo, c) for c in comments])


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


def comment_body(call: Call) -> str:
    """The comment body, refused as GitHub refuses one over 65,536 characters."""
    body = str(body_of(call)["body"])
    if len(body) > MAX_COMMENT_BODY:
        raise ApiError(
            422,
            "Validation Failed",
            [
                {
                    "resource": "IssueComment",
                    "code": "unprocessable",
                    "field": "data",
                    "message": f"Body is too long (maximum is {MAX_COMMENT_BODY} characters)",
                }
            ],
        )
    return body


@handles("issues/create-comment")
def create_comment(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    number = int(call.params["issue_number"])
    if number not in repo.pulls:
        raise not_found()
    body = comment_body(call)
    # Made with an installation token: by the App's bot user, through the App.
    comment = sim.add_comment_object(repo, number, sim.bot_login, body, "Bot", int(sim.app_id))
    return Reply(201, sim.comment_json(repo, comment))


@handles("issues/update-comment")
def update_comment(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    comment = repo.comments.get(int(call.params["comment_id"]))
    if comment is None:
        raise not_found()
    comment.body = comment_body(call)
    comment.updated_at = sim.clock.now()
    return Reply(200, sim.comment_json(repo, comment))


@handles("reactions/create-for-issue-comment")
def create_reaction(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    comment = repo.comments.get(int(call.params["comment_id"]))
    if comment is None:
        raise not_found()
    content = body_of(call).get("content")
    if content not in REACTIONS:
        raise validation_failed("Reaction", "content", "invalid")
    for reaction in comment.reactions:
        if reaction.user == sim.bot_login and reaction.content == content:
            return Reply(200, render.reaction_json(reaction))
    reaction = Reaction(sim.next_id(), sim.bot_login, "Bot", content, sim.clock.now())
    comment.reactions.append(reaction)
    return Reply(201, render.reaction_json(reaction))


# ---------------------------------------------------------------- permissions, teams


@handles("repos/get-collaborator-permission-level")
def get_permission(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    user = call.params["username"]
    role = repo.permission_of(user)
    # The legacy "permission" field folds maintain into write and triage into read.
    legacy = {"maintain": "write", "triage": "read"}.get(role, role)
    return Reply(
        200,
        {
            "permission": legacy,
            "role_name": role,
            "user": {**render.user_json(user), "permissions": permission_flags(role)},
        },
    )


def permission_flags(role: str) -> dict[str, bool]:
    rank = PERMISSION_LEVELS.index(role)
    return {
        "admin": rank >= 5,
        "maintain": rank >= 4,
        "push": rank >= 3,
        "triage": rank >= 2,
        "pull": rank >= 1,
    }


@handles("teams/get-membership-for-user-in-org")
def get_team_membership(sim: Simulator, call: Call) -> Reply:
    org, team = call.params["org"].lower(), call.params["team_slug"].lower()
    membership = sim.teams.get((org, team), {}).get(call.params["username"].lower())
    if membership is None:
        raise not_found()
    return Reply(
        200,
        {
            "url": f"{call.base}/teams/{team}/memberships/{membership.login}",
            "role": membership.role,
            "state": membership.state,
        },
    )


# ---------------------------------------------------------------- git data


@handles("git/get-ref")
def get_ref(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    ref = call.params["ref"]
    branch = ref.removeprefix("heads/")
    if not ref.startswith("heads/") or branch not in repo.branches:
        raise not_found()
    return Reply(200, ref_json(repo, branch, call.base))


def ref_json(repo: Repo, branch: str, base: str) -> dict[str, Any]:
    sha = repo.branches[branch]
    return {
        "ref": f"refs/heads/{branch}",
        "node_id": f"REF_{branch}",
        "url": f"{base}/repos/{repo.full_name}/git/refs/heads/{branch}",
        "object": {
            "type": "commit",
            "sha": sha,
            "url": f"{base}/repos/{repo.full_name}/git/commits/{sha}",
        },
    }


@handles("git/update-ref")
def update_ref(sim: Simulator, call: Call) -> Reply:
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


@handles("git/get-commit")
def get_git_commit(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    commit = repo.objects.commits.get(call.params["commit_sha"])
    if commit is None:
        raise not_found()
    return Reply(200, render.git_commit_json(repo, commit, call.base))


@handles("git/create-commit")
def create_git_commit(sim: Simulator, call: Call) -> Reply:
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


def authorship(sim: Simulator, body: dict[str, Any]) -> tuple[str, str]:
    """GitHub's defaults: the committer is the authenticated App's bot user unless given;
    the author is the committer unless given."""
    committer = (body.get("committer") or {}).get("name") or sim.bot_login
    author = (body.get("author") or {}).get("name") or committer
    return author, committer


@handles("git/create-blob")
def create_blob(sim: Simulator, call: Call) -> Reply:
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


@handles("git/get-tree")
def get_tree(sim: Simulator, call: Call) -> Reply:
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


@handles("git/create-tree")
def create_tree(sim: Simulator, call: Call) -> Reply:
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


# ---------------------------------------------------------------- commits


@handles("repos/list-commits")
def list_commits(sim: Simulator, call: Call) -> Reply:
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


@handles("repos/get-commit")
def get_commit(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    commit = repo.objects.commits[repo.resolve(call.params["ref"])]
    before = repo.objects.files_at(commit.parents[0]) if commit.parents else {}
    changes = diff_files(repo.objects, before, repo.objects.trees[commit.tree])
    return Reply(200, render.commit_json(repo, commit, call.base, changes))
