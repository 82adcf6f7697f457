"""What the numbering commit carries besides numbers, and what follows it on the pull request:
the tracking issues of accepted RFCs (``bot.features.tracking``), the relative links to a
renamed RFC rewritten in the repository's markdown files, and the pull request's Rendered link
pointed at the numbered file.

Reading the markdown files costs requests, so it is bounded: the RFC directory's files are
read for the index anyway; each folder of ``follow_up.links.folders`` costs one tree listing
(recursive) after the walk to it, and its ``.md`` files one request each, at most
``follow_up.links.max_files`` per merge, 10 at a time, each cached by its blob sha (a file
that did not change since the last merge costs nothing). GitHub's code search cannot tell
which files mention the name: it does not index a fresh commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.features.tracking import (
    Tracked,
    bring_up_to_date,
    find_tracking_issues,
    open_tracking_issues,
)
from bot.github import gitdata
from bot.github.pulls import pull_body, update_pull_body
from bot.policy.markers import tracking
from bot.policy.tracking import TrackingIssue, tracking_issue, wants_tracking
from bot.rfc.config.public import Config
from bot.rfc.document import Document, parse
from bot.rfc.links import rewrite_urls
from bot.rfc.numbering import Plan, follow_up
from bot.values import Pull

log = logging.getLogger(__name__)

TextReader = Callable[[list[gitdata.TreeEntry]], Coroutine[Any, Any, dict[str, str]]]
_MAX_TEXT = 1_000_000  # characters: a larger markdown file is left as it is


@dataclass
class Completed:
    """The plan with tracking issues and links, the modes of the files it rewrites, what to
    tell the pull request, and the tracking issues this call wrote (with the RFC texts, to
    correct them if another writer numbers the RFCs differently)."""

    plan: Plan
    modes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tracked: Tracked = field(default_factory=Tracked)
    docs: dict[str, Document] = field(default_factory=dict)


async def complete_plan(
    gh: GitHubAPI,
    pull: Pull,
    base: tuple[str, str],
    config: Config,
    plan: Plan,
    rfc_texts: Mapping[str, str],
    read: TextReader,
    ctx: Context,
) -> Completed:
    """Open (or find) the tracking issues of the plan's accepted RFCs, read the markdown files
    whose links may name them, and add both to the plan (``base``: the default branch's head
    and root tree; ``read``: the numbering's cached reader of blob texts)."""
    done = Completed(plan)
    docs = {a.old_path: parse(a.text) for a in plan.assignments}
    specs = tracking_specs(pull, config, plan.renames(), docs)
    if specs:
        done.tracked = await open_tracking_issues(gh, pull, specs, base, ctx)
        done.notes += done.tracked.notes
        done.docs = {path: docs[path] for path in done.tracked.written}
    texts = dict(rfc_texts)
    if config.follow_up.links is not None:
        more, done.modes, left = await _markdown_files(gh, pull.repo, base[1], config, read)
        texts.update(more)
        if left:
            done.notes.append(
                f"links to the renamed RFCs were not checked in {left} more markdown files "
                f"(`follow_up.links.max_files` is {config.follow_up.links.max_files})."
            )
    else:
        texts = {}
    texts = {path: text for path, text in texts.items() if len(text) <= _MAX_TEXT}
    done.plan = follow_up(plan, config, tracking=done.tracked.issues, link_texts=texts)
    return done


def tracking_specs(
    pull: Pull, config: Config, numbered: Mapping[str, str], docs: Mapping[str, Document]
) -> list[TrackingIssue]:
    """The tracking issues due to the RFCs ``numbered`` (old path -> numbered path; ``docs``:
    their texts), none unless ``follow_up.tracking_issue`` is on."""
    if config.follow_up.tracking_issue is None:
        return []
    return [
        tracking_issue(
            repo=pull.repo,
            repo_url=pull.repository.html_url,
            branch=pull.base.ref,
            pull=pull.number,
            old_path=old,
            new_path=new,
            doc=docs[old],
            config=config,
        )
        for old, new in numbered.items()
        if wants_tracking(docs[old], config)
    ]


async def correct_tracking(
    gh: GitHubAPI,
    pull: Pull,
    config: Config,
    numbered: Mapping[str, str],
    docs: Mapping[str, Document],
    ctx: Context,
) -> None:
    """Another writer numbered these RFCs after this call opened or updated their tracking
    issues for the numbers it had planned: bring those issues to the numbers on the branch."""
    specs = tracking_specs(pull, config, numbered, docs)
    found = await find_tracking_issues(gh, pull.repo, specs, ctx)
    for spec in specs:
        if spec.marker in found:
            await bring_up_to_date(gh, pull.repo, found[spec.marker], spec)


async def tracking_of(
    gh: GitHubAPI, pull: Pull, config: Config, paths: Sequence[str], ctx: Context
) -> dict[str, int]:
    """The tracking issues of RFCs another writer numbered (unnumbered path -> issue), found by
    their markers among the App's issues: what a late announcement links."""
    wanted = config.follow_up.tracking_issue
    if wanted is None or not paths:
        return {}
    specs = [_marker_only(pull, path, wanted.labels) for path in paths]
    found = await find_tracking_issues(gh, pull.repo, specs, ctx)
    return {spec.rfc_path: found[spec.marker].number for spec in specs if spec.marker in found}


def _marker_only(pull: Pull, path: str, labels: tuple[str, ...]) -> TrackingIssue:
    """Enough of a tracking issue to look for it: its marker and labels."""
    marker = tracking(pull.repo, pull.number, path)
    return TrackingIssue(path, "", "", labels, (), marker)


async def _markdown_files(
    gh: GitHubAPI, repo: str, root_tree: str, config: Config, read: TextReader
) -> tuple[dict[str, str], dict[str, str], int]:
    """(path -> text, path -> mode, how many were left) of the ``.md`` files of the configured
    folders, at most ``max_files`` of them, in path order."""
    links = config.follow_up.links
    assert links is not None
    entries: dict[str, gitdata.TreeEntry] = {}
    for folder in links.folders:
        if folder == config.rfc_dir:
            continue  # read already, for the index
        try:
            listing = await gitdata.get_subtree(gh, repo, root_tree, folder)
        except gitdata.TreeTooLarge:
            log.warning("%s: %s is too large to list; its links are left as they are", repo, folder)
            continue
        for entry in listing:
            if entry.type == "blob" and entry.path.lower().endswith(".md"):
                entries[entry.path] = entry
    chosen = [entries[path] for path in sorted(entries)][: links.max_files]
    texts = await read(chosen) if chosen else {}
    return texts, {e.path: e.mode for e in chosen}, len(entries) - len(chosen)


# --- after the commit: the pull request's Rendered link -------------------------------------


def rendered_url(repo_url: str, moves: Mapping[str, str]) -> Callable[[str], str | None]:
    """A link to a renamed file on any branch or commit of the repository (``.../blob/<ref>/
    <old path>``, maybe with a fragment) -> the numbered file on the default branch
    (``moves``: old path -> new URL)."""
    prefix = f"{repo_url}/blob/"

    def replace(raw: str) -> str | None:
        href = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        url, hash_mark, fragment = href.partition("#")
        if not url.startswith(prefix):
            return None
        for old, new in moves.items():
            if url.endswith(f"/{old}"):
                return new + hash_mark + fragment
        return None

    return replace


async def update_rendered_link(
    gh: GitHubAPI, pull: Pull, branch: str, renamed: Sequence[tuple[str, str]]
) -> bool:
    """Point the pull request's links to its RFCs' old paths (the Rendered link) at the
    numbered files on ``branch``; only those links change, in the description as it is now
    (read just before: an edit made meanwhile is kept). True when it was updated."""
    if not renamed:
        return False
    repo_url = pull.repository.html_url
    moves = {old: f"{repo_url}/blob/{branch}/{new}" for old, new in renamed}
    body = await pull_body(gh, pull.repo, pull.number)
    if not any(f"/{old}" in body for old in moves):
        return False
    new_body = rewrite_urls(body, rendered_url(repo_url, moves))
    if new_body == body:
        return False
    await update_pull_body(gh, pull.repo, pull.number, new_body)
    log.info("%s#%s: the Rendered link points at the numbered RFC", pull.repo, pull.number)
    return True
