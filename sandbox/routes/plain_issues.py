"""REST routes of issues that are not pull requests: create, list, update, and who may be
assigned.

Issues and pull requests share the repository's numbers; the issue listing holds both (a pull
request with its ``pull_request`` key), as GitHub's does. An assignee who cannot be assigned
makes the whole create 422 (observed: ``{"value", "resource": "Issue", "field": "assignees",
"code": "invalid"}``); a label the repository lacks is created with the default colour.
"""

from __future__ import annotations

from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, body_of, paginate, repo_of, since_of
from sandbox.sim_state import (
    DEFAULT_LABEL_COLOR,
    ApiError,
    Issue,
    PullRequest,
    Repo,
    iso,
    not_found,
)

# Who can be assigned (GitHub: "anyone with write permissions to the repository, and
# organization members with read permissions").
_WRITERS = frozenset({"write", "maintain", "admin"})
_READERS = frozenset({"read", "triage"})


def assignable(sim: GitHub, repo: Repo, login: str) -> bool:
    """Whether ``login`` may be assigned to ``repo``'s issues: a writer, the owner of a user's
    repository, or a reader who is an active member of a team of the owning organisation."""
    if repo.owner_type == "User" and login.lower() == repo.owner.lower():
        return True
    level = repo.permissions.get(login.lower())
    if level in _WRITERS:
        return True
    return level in _READERS and repo.owner_type == "Organization" and _org_member(sim, repo, login)


def _org_member(sim: GitHub, repo: Repo, login: str) -> bool:
    org = repo.owner.lower()
    return any(
        team_org == org
        and (member := members.get(login.lower())) is not None
        and member.state == "active"
        for (team_org, _), members in sim.teams.items()
    )


def issue_json(sim: GitHub, repo: Repo, issue: Issue, base: str) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    via = None if issue.app_id is None else sim.app_json(issue.app_id)
    return {
        "id": issue.id,
        "node_id": f"I_{issue.id}",
        "url": f"{api}/issues/{issue.number}",
        "html_url": f"{repo.web_url}/{repo.full_name}/issues/{issue.number}",
        "number": issue.number,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "title": issue.title,
        "body": issue.body,
        "user": render.user_json(issue.user, issue.user_type),
        "labels": _labels(repo, issue.labels, base),
        "assignees": [render.user_json(sim.login_of(login)) for login in issue.assignees],
        "locked": False,
        "comments": sum(1 for c in repo.comments.values() if c.issue_number == issue.number),
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.updated_at),
        "closed_at": iso(issue.closed_at),
        "author_association": render.association(repo, issue.user),
        "performed_via_github_app": via,
    }


def _pull_as_issue(repo: Repo, pr: PullRequest, base: str) -> dict[str, Any]:
    """A pull request as the issue listing shows it (marked by its ``pull_request`` key)."""
    api = f"{base}/repos/{repo.full_name}"
    html = f"{repo.web_url}/{repo.full_name}/pull/{pr.number}"
    return {
        "id": pr.id,
        "url": f"{api}/issues/{pr.number}",
        "html_url": html,
        "number": pr.number,
        "state": "closed" if pr.state != "open" else "open",
        "title": pr.title,
        "body": pr.body,
        "user": render.user_json(pr.user),
        "labels": _labels(repo, pr.labels, base),
        "assignees": [],
        "created_at": iso(pr.created_at),
        "updated_at": iso(pr.updated_at),
        "closed_at": iso(pr.closed_at),
        "author_association": render.association(repo, pr.user),
        "performed_via_github_app": None,
        "pull_request": {"url": f"{api}/pulls/{pr.number}", "html_url": html},
    }


def _labels(repo: Repo, names: list[str], base: str) -> list[dict[str, Any]]:
    return [
        render.label_json(repo, label, base)
        for name in names
        if (label := repo.label(name)) is not None
    ]


def _label_names(sim: GitHub, repo: Repo, raw: Any) -> list[str]:
    """The labels of a create or update, each created (default colour) when missing."""
    names: list[str] = []
    for item in raw if isinstance(raw, list) else []:
        name = str(item["name"] if isinstance(item, dict) else item)
        label = repo.label(name) or sim.add_label(repo, name, DEFAULT_LABEL_COLOR, None)
        if label.name.lower() not in (n.lower() for n in names):
            names.append(label.name)
    return names


def _assignees(sim: GitHub, repo: Repo, body: dict[str, Any]) -> list[str]:
    wanted = [str(a["login"] if isinstance(a, dict) else a) for a in body.get("assignees") or []]
    if body.get("assignee"):
        wanted.append(str(body["assignee"]))
    refused = [login for login in wanted if not assignable(sim, repo, login)]
    if refused:
        errors = [
            {"value": login, "resource": "Issue", "field": "assignees", "code": "invalid"}
            for login in refused
        ]
        raise ApiError(422, "Validation Failed", errors)
    return list(dict.fromkeys(login.lower() for login in wanted))


def create_issue(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    title = body.get("title")
    if title is None or not str(title).strip():
        raise ApiError(
            422,
            "Validation Failed",
            [{"resource": "Issue", "code": "missing_field", "field": "title"}],
        )
    assignees = _assignees(sim, repo, body)
    moment = sim.clock.now()
    issue = Issue(
        repo.take_number(),
        sim.next_id(),
        str(title),
        str(body.get("body") or ""),
        sim.bot_login,
        "Bot",
        moment,
        moment,
        app_id=int(sim.app_id),
        labels=_label_names(sim, repo, body.get("labels")),
        assignees=assignees,
    )
    repo.issues[issue.number] = issue
    return Reply(201, issue_json(sim, repo, issue, call.base))


def list_issues(sim: GitHub, call: Call) -> Reply:
    """Issues and pull requests: ``state`` (open by default), ``labels`` (all of them),
    ``creator``, ``since``; sorted by ``created`` or ``updated``, newest first by default."""
    repo = repo_of(sim, call)
    state = call.query.get("state", "open")
    wanted = {n.strip().lower() for n in call.query.get("labels", "").split(",") if n.strip()}
    creator = call.query.get("creator", "").lower()
    since = since_of(call)
    items: list[tuple[Any, dict[str, Any]]] = []
    for issue in repo.issues.values():
        items.append((issue, issue_json(sim, repo, issue, call.base)))
    for pr in repo.pulls.values():
        items.append((pr, _pull_as_issue(repo, pr, call.base)))
    kept = [
        (item, rendered)
        for item, rendered in items
        if (state == "all" or rendered["state"] == state)
        and wanted <= {name.lower() for name in item.labels}
        and (not creator or item.user.lower() == creator)
        and (since is None or item.updated_at >= since)
    ]
    moment = "updated_at" if call.query.get("sort") == "updated" else "created_at"
    descending = call.query.get("direction", "desc") == "desc"
    kept.sort(key=lambda pair: (getattr(pair[0], moment), pair[0].number), reverse=descending)
    return paginate(call, [rendered for _, rendered in kept])


def update_issue(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    issue = repo.issues.get(int(call.params["issue_number"]))
    if issue is None:
        raise not_found()
    body = body_of(call)
    if body.get("title") is not None:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = str(body["body"] or "")
    if "labels" in body:
        issue.labels = _label_names(sim, repo, body["labels"])
    if "assignees" in body:
        issue.assignees = _assignees(sim, repo, body)
    if body.get("state") in ("open", "closed") and body["state"] != issue.state:
        issue.state = body["state"]
        issue.closed_at = sim.clock.now() if issue.state == "closed" else None
        issue.state_reason = body.get("state_reason") or (
            "completed" if issue.state == "closed" else "reopened"
        )
    issue.updated_at = sim.clock.now()
    return Reply(200, issue_json(sim, repo, issue, call.base))


def check_assignee(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    if not assignable(sim, repo, call.params["assignee"]):
        raise not_found()
    return Reply(204, None)
