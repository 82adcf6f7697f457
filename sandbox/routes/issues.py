"""REST routes of issues as pull requests carry them: comments, reactions to them, labels."""

from __future__ import annotations

from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import (
    Call,
    Reply,
    body_of,
    paginate,
    pull_of,
    repo_of,
    since_of,
    validation_failed,
)
from sandbox.sim_state import DEFAULT_LABEL_COLOR, ApiError, PullRequest, Reaction, Repo, not_found

MAX_COMMENT_BODY = 65536
REACTIONS = render.REACTION_CONTENTS

# ---------------------------------------------------------------- comments


def list_comments(sim: GitHub, call: Call) -> Reply:
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


def list_repo_comments(sim: GitHub, call: Call) -> Reply:
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


def create_comment(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    number = int(call.params["issue_number"])
    if number not in repo.pulls:
        raise not_found()
    body = comment_body(call)
    # Made with an installation token: by the App's bot user, through the App.
    comment = sim.add_comment_object(repo, number, sim.bot_login, body, "Bot", int(sim.app_id))
    return Reply(201, sim.comment_json(repo, comment))


def update_comment(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    comment = repo.comments.get(int(call.params["comment_id"]))
    if comment is None:
        raise not_found()
    comment.body = comment_body(call)
    comment.updated_at = sim.clock.now()
    return Reply(200, sim.comment_json(repo, comment))


# ---------------------------------------------------------------- reactions


def create_reaction(sim: GitHub, call: Call) -> Reply:
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


def list_comment_reactions(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    comment = repo.comments.get(int(call.params["comment_id"]))
    if comment is None:
        raise not_found()
    wanted = call.query.get("content")
    reactions = [r for r in comment.reactions if wanted is None or r.content == wanted]
    return paginate(call, [render.reaction_json(r) for r in reactions])


# ---------------------------------------------------------------- labels


def get_label(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    label = repo.label(call.params["name"])
    if label is None:
        raise not_found()
    return Reply(200, render.label_json(repo, label, call.base))


def create_label(sim: GitHub, call: Call) -> Reply:
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


def list_issue_labels(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    pr = pull_of(repo, call.params["issue_number"])
    return paginate(call, issue_labels(repo, pr, call.base))


def issue_labels(repo: Repo, pr: PullRequest, base: str) -> list[dict[str, Any]]:
    return [
        render.label_json(repo, label, base)
        for name in pr.labels
        if (label := repo.label(name)) is not None
    ]


def add_issue_labels(sim: GitHub, call: Call) -> Reply:
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


def remove_issue_label(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    pr = pull_of(repo, call.params["issue_number"])
    wanted = call.params["name"].lower()
    kept = [name for name in pr.labels if name.lower() != wanted]
    if len(kept) == len(pr.labels):
        raise ApiError(404, "Label does not exist")
    pr.labels = kept
    pr.touch(sim.clock.now())
    return Reply(200, issue_labels(repo, pr, call.base))
