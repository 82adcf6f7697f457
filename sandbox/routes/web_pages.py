"""github.com's pull request and check run pages, read-only, for the links the App shows.

``https://github.com/OWNER/REPO/pull/N`` (the conversation: comments, anchored
``#issuecomment-ID``, reviews, anchored ``#pullrequestreview-ID``, and the head's check runs)
and ``.../runs/ID`` (a check run's output and annotations). A repository made after
``sim.link_here()`` has the simulator's address as its web address, so its ``html_url``
links (the dashboard's rows, its concerns and checks) open these pages.

As on GitHub for a visitor who is not signed in (the simulator's web pages have no sign-in),
a private repository's pages answer 404, as does anything that does not exist. Every value is
escaped; bodies are shown as the text they are (GitHub would render their Markdown).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime

from aiohttp import web

from sandbox.github import GitHub
from sandbox.sim_state import CheckRun, PullRequest, Repo, iso

# The owner segment never reads "repos": /repos/... paths are REST requests (checked, and
# recorded when undocumented), never pages.
PULL_PAGE = r"/{owner:(?!repos/)[^/]+}/{repo}/pull/{number:\d+}"
RUN_PAGE = r"/{owner:(?!repos/)[^/]+}/{repo}/runs/{run_id:\d+}"
_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}"
    "pre{white-space:pre-wrap;background:#f6f8fa;padding:.5rem}"
    "article{border:1px solid #d0d7de;margin:1rem 0;padding:0 1rem}"
)


async def pull_page(sim: GitHub, request: web.Request) -> web.StreamResponse:
    repo = _public_repo(sim, request)
    pull = repo.pulls.get(int(request.match_info["number"])) if repo else None
    if repo is None or pull is None:
        return _not_found()
    return _page(f"{pull.title} · Pull Request #{pull.number}", _pull_body(repo, pull))


async def run_page(sim: GitHub, request: web.Request) -> web.StreamResponse:
    repo = _public_repo(sim, request)
    run = repo.check_runs.get(int(request.match_info["run_id"])) if repo else None
    if repo is None or run is None:
        return _not_found()
    return _page(f"{run.name} · {repo.full_name}", _run_body(repo, run))


def _public_repo(sim: GitHub, request: web.Request) -> Repo | None:
    found = sim.find_repo(f"{request.match_info['owner']}/{request.match_info['repo']}")
    return found if found is not None and not found.private else None


def _pull_body(repo: Repo, pull: PullRequest) -> list[str]:
    state = "merged" if pull.merged else pull.state
    labels = ", ".join(pull.labels) or "none"
    return [
        f"<p>{_e(repo.full_name)}</p>",
        f"<h1>{_e(pull.title)} #{pull.number}</h1>",
        f"<p><strong>{_e(state)}</strong>: {_e(pull.user)} wants to merge "
        f"<code>{_e(pull.head_ref)}</code> into <code>{_e(pull.base_ref)}</code>. "
        f"Labels: {_e(labels)}.</p>",
        "<h2>Checks</h2>",
        _checks(repo, pull.current_head()),
        "<h2>Conversation</h2>",
        *(entry for _, entry in sorted(_conversation(repo, pull), key=lambda item: item[0])),
    ]


def _checks(repo: Repo, head_sha: str) -> str:
    latest = {run.name: run for run in sorted(repo.check_runs.values(), key=lambda r: r.id)}
    runs = [run for run in latest.values() if run.head_sha == head_sha]
    if not runs:
        return "<p>No checks on the head commit.</p>"
    items = (
        f'<li><a href="/{_e(repo.full_name)}/runs/{run.id}">{_e(run.name)}</a>: '
        f"{_e(run.conclusion or run.status)}</li>"
        for run in runs
    )
    return f"<ul>{''.join(items)}</ul>"


def _conversation(repo: Repo, pull: PullRequest) -> Iterable[tuple[tuple[datetime, int], str]]:
    for comment in repo.comments.values():
        if comment.issue_number == pull.number:
            yield (
                (comment.created_at, comment.id),
                _entry(
                    f"issuecomment-{comment.id}",
                    f"{comment.user} commented",
                    comment.created_at,
                    comment.body,
                ),
            )
    for review in repo.reviews.values():
        if review.pull_number == pull.number:
            verb = review.state.lower().replace("_", " ")
            yield (
                (review.submitted_at, review.id),
                _entry(
                    f"pullrequestreview-{review.id}",
                    f"{review.user} reviewed: {verb}",
                    review.submitted_at,
                    review.body,
                ),
            )


def _entry(anchor: str, who: str, at: datetime, body: str) -> str:
    text = f"<pre>{_e(body)}</pre>" if body.strip() else ""
    return (
        f'<article id="{anchor}"><h3>{_e(who)} on '
        f'<time datetime="{iso(at)}">{_e(iso(at))}</time></h3>{text}</article>'
    )


def _run_body(repo: Repo, run: CheckRun) -> list[str]:
    output = run.output or {}
    notes = [
        f"<li>{_e(note.get('path'))}:{_e(note.get('start_line'))} "
        f"{_e(note.get('annotation_level'))}: {_e(note.get('message'))}</li>"
        for note in run.annotations
    ]
    return [
        f"<p>{_e(repo.full_name)} · commit <code>{_e(run.head_sha[:7])}</code></p>",
        f"<h1>{_e(run.name)}: {_e(run.conclusion or run.status)}</h1>",
        f"<h2>{_e(output.get('title') or '')}</h2>",
        f"<pre>{_e(output.get('summary') or '')}</pre>",
        f"<pre>{_e(output.get('text') or '')}</pre>" if output.get("text") else "",
        f"<h2>Annotations</h2><ul>{''.join(notes)}</ul>" if notes else "",
    ]


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: list[str]) -> web.Response:
    text = "\n".join(
        [
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head>",
            "<body><main>",
            *filter(None, body),
            "</main></body></html>\n",
        ]
    )
    return web.Response(text=text, content_type="text/html")


def _not_found() -> web.Response:
    return web.Response(status=404, text="Not Found", content_type="text/plain")
