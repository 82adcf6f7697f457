"""``/rfc`` commands in pull request comments: status moves, re-validation, help, numbering.

Thin handler: the parser (``bot.commands``) and the permission decision
(``bot.features.permissions``) are pure; this module reads GitHub, asks them, writes the result
back and answers every comment that holds commands with exactly one reply. Comments by bots are
ignored without a word, so the App never talks to itself.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from gidgethub import GitHubException, routing, sansio
from gidgethub.abc import GitHubAPI

from bot.commands import (
    Command,
    CommandError,
    ParsedLine,
    has_candidates,
    new_commands,
    parse_commands,
)
from bot.features import checks, numbering
from bot.features.context import Context, UserError
from bot.features.permissions import (
    Refused,
    actor_roles,
    canonical_status,
    decide,
    describe_roles,
    is_maintainer,
    who_may,
)
from bot.features.repo_config import repo_config
from bot.github import labels
from bot.github.calls import comment, get_file, get_file_item, list_pull_files, react
from bot.github.contents import ContentConflict, WriteRefused, put_file
from bot.github.gitdata import get_branch_head
from bot.rfc.config import CONFIG_PATH, Config, ConfigError
from bot.rfc.document import Document, parse
from bot.rfc.edits import set_status
from bot.rfc.paths import is_rfc_path

log = logging.getLogger(__name__)
router = routing.Router()


@dataclass
class Outcome:
    """What one command did, as markdown for the reply; ``done`` earns the +1 reaction."""

    text: str
    done: bool = False


@dataclass
class Session:
    """One comment's worth of commands: everything the commands share, fetched at most once."""

    gh: GitHubAPI
    ctx: Context
    repo: str
    pull: Mapping[str, Any]
    comment: Mapping[str, Any]
    config: Config
    _rfc_files: list[str] | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        return str(self.comment["user"]["login"])

    @property
    def number(self) -> int:
        return int(self.pull["number"])

    async def rfc_files(self) -> list[str]:
        """The RFC files this pull request adds or changes (removed ones are not RFCs here)."""
        if self._rfc_files is None:
            files = await list_pull_files(self.gh, self.repo, self.number)
            self._rfc_files = [
                f["filename"]
                for f in files
                if f.get("status") != "removed" and is_rfc_path(f["filename"], self.config)
            ]
        return self._rfc_files


@router.register("issue_comment", action="created")
@router.register("issue_comment", action="edited")
async def on_issue_comment(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    data = event.data
    if "pull_request" not in data.get("issue", {}) or from_bot(data):
        return
    body = data["comment"].get("body") or ""
    if not has_candidates(body):
        return
    repository = data["repository"]
    repo = repository["full_name"]
    config, config_error = await repo_config(
        gh, repo, await get_branch_head(gh, repo, repository["default_branch"]), ctx
    )
    parsed = commands_to_run(data, config)
    if not parsed:
        return
    pull = await gh.getitem(f"/repos/{repo}/pulls/{data['issue']['number']}")
    session = Session(gh, ctx, repo, pull, data["comment"], config)
    outcomes = [await run_one(session, item) for item in parsed]
    await comment(gh, repo, session.number, render_reply(parsed, outcomes, config_error))
    if any(outcome.done for outcome in outcomes):
        await react(gh, repo, data["comment"]["id"], "+1")


def from_bot(data: Mapping[str, Any]) -> bool:
    """Comments written by any bot (this App included) are never commands: no loops."""
    users = (data.get("comment", {}).get("user") or {}, data.get("sender") or {})
    return any(
        user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]") for user in users
    )


def commands_to_run(data: Mapping[str, Any], config: Config) -> list[ParsedLine]:
    """All commands of a new comment; of an edited one, only the lines the edit added."""
    body = data["comment"].get("body") or ""
    if data.get("action") != "edited":
        return parse_commands(body, config.statuses)
    previous = (data.get("changes") or {}).get("body") or {}
    if "from" not in previous:
        return []  # the body did not change
    return new_commands(previous["from"] or "", body, config.statuses)


async def run_one(session: Session, item: ParsedLine) -> Outcome:
    if isinstance(item, CommandError):
        return Outcome(item.problem + ".\n\n" + _forms_block(item.valid_forms))
    try:
        if item.name == "help":
            return Outcome(help_text(session.config))
        if item.name == "number":
            return await run_number(session)
        closed = closed_refusal(session.pull)
        if closed is not None:
            return Outcome(closed)
        if item.name == "check":
            return await run_check(session)
        return await run_status(session, item)
    except UserError as error:
        return Outcome(str(error))
    except (GitHubException, aiohttp.ClientError, TimeoutError):
        # Internal: logged in full; the user still gets an answer for this line.
        log.exception("/rfc %s failed in %s#%s", item.name, session.repo, session.number)
        return Outcome(
            "something went wrong while talking to GitHub, so this command did not finish; "
            "what it had not yet written was not changed. Please try again in a minute."
        )


def closed_refusal(pull: Mapping[str, Any]) -> str | None:
    if pull.get("merged") or pull.get("merged_at"):
        return (
            "this pull request is merged, so its RFCs can no longer be changed here: open a new "
            "pull request to change an RFC's status."
        )
    if pull.get("state") != "open":
        return "this pull request is closed: reopen it to run commands on it."
    return None


async def run_check(session: Session) -> Outcome:
    await checks.run_validation(session.gh, session.repo, dict(session.pull), session.ctx)
    head = str(session.pull["head"]["sha"])[:7]
    return Outcome(f"validation ran again on {head}: see the **RFC validation** check.", True)


async def run_number(session: Session) -> Outcome:
    if not await is_maintainer(session.gh, session.repo, session.actor, session.config):
        return Outcome(
            f"`/rfc number` may be run by {describe_roles(['maintainers'])}; "
            f"@{session.actor} is not a maintainer of this repository."
        )
    pull = dict(session.pull)
    text = await numbering.number_merged_pull(session.gh, session.repo, pull, session.ctx)
    return Outcome(text, True)


# --- /rfc status --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadFile:
    """An RFC file as it is on the pull request's head branch."""

    path: str
    text: str
    blob_sha: str
    document: Document


async def run_status(session: Session, command: Command) -> Outcome:
    path = pick_file(command.path, await session.rfc_files(), session.config)
    target = str(command.status)
    conflicted_blob: str | None = None
    for _attempt in range(2):
        head = await read_head_file(session, path)
        if head.blob_sha == conflicted_blob:
            # GitHub answered 409 although the file had not moved: not a race but a refusal
            # (the contents API reports a protected branch that way).
            new_text = _edited(head, target, session)
            return Outcome(manual_edit_text(head, new_text, target, fork=False))
        outcome = await _try_move(session, head, target)
        if outcome is not None:
            return outcome
        conflicted_blob = head.blob_sha
    branch = session.pull["head"]["ref"]
    return Outcome(
        f"`{path}` changed on `{branch}` twice while I was updating it, so I left it alone. "
        "Please run the command again."
    )


async def _try_move(session: Session, head: HeadFile, target: str) -> Outcome | None:
    """Check and commit one status move; None when the file moved under us (retry)."""
    current = _current_status(head, session.config)
    if current == target:
        return Outcome(f"`{head.path}` is already **{target}**: nothing to change.")
    refusal = await _refusal(session, head, current, target)
    if refusal is not None:
        return Outcome(f"I can't do that: {refusal.reason} Nothing was changed.")
    new_text = _edited(head, target, session)
    if not can_write(session.pull, session.repo):
        return Outcome(manual_edit_text(head, new_text, target, fork=True))
    try:
        commit = await write_head_file(session, head, new_text, current, target)
    except ContentConflict as conflict:
        log.info("%s#%s: %s: %s", session.repo, session.number, head.path, conflict)
        return None
    except WriteRefused as refused:
        log.info("%s#%s: write refused: %s", session.repo, session.number, refused)
        return Outcome(manual_edit_text(head, new_text, target, fork=False))
    await sync_status_labels(session, head.path, new_text)
    return Outcome(f"moved `{head.path}` from **{current}** to **{target}** in {commit[:7]}.", True)


def pick_file(wanted: str | None, files: Sequence[str], config: Config) -> str:
    """The RFC file a status command means; UserError listing the choices when unclear."""
    if not files:
        raise UserError(f"this pull request changes no RFC file under `{config.rfc_dir}/`.")
    if wanted is None:
        if len(files) == 1:
            return files[0]
        raise UserError(
            f"this pull request changes {len(files)} RFCs, so name the one you mean, e.g. "
            f"`/rfc status <status> {files[0]}`. Its RFC files:\n\n{_file_list(files)}"
        )
    wanted = wanted.strip().removeprefix("./").lstrip("/")
    matches = [f for f in files if f == wanted] or [
        f for f in files if posixpath.basename(f) == posixpath.basename(wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    raise UserError(
        f"`{_plain(wanted)}` is not one of this pull request's RFC files:\n\n{_file_list(files)}"
    )


def can_write(pull: Mapping[str, Any], repo: str) -> bool:
    """The App may push to the head branch: same repository, or a fork that allows edits."""
    head_repo = pull["head"].get("repo") or {}
    return head_repo.get("full_name") == repo or bool(pull.get("maintainer_can_modify"))


async def read_head_file(session: Session, path: str) -> HeadFile:
    """The file at the tip of the head branch (so a retry sees the latest push)."""
    head = session.pull["head"]
    if can_write(session.pull, session.repo):
        source, ref = head["repo"]["full_name"], head["ref"]
    else:  # a fork the App may not write: read the PR's head commit through the base repo
        source, ref = session.repo, head["sha"]
    item = await get_file_item(session.gh, source, path, ref)
    if item is None:
        raise UserError(f"`{path}` is not on the pull request's branch any more.")
    raw = _decode_content(item)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"`{path}` is not UTF-8 text, so I can't edit its status.") from error
    return HeadFile(path, text, item["sha"], parse(text))


async def write_head_file(
    session: Session, head: HeadFile, new_text: str, current: str, target: str
) -> str:
    """Commit the edited file to the head branch; returns the new commit's sha."""
    name = posixpath.splitext(posixpath.basename(head.path))[0]
    url = session.comment.get("html_url") or f"#{session.number}"
    message = f"RFC {name}: status {current} -> {target}\n\nRequested by @{session.actor} in {url}"
    answer = await put_file(
        session.gh,
        session.pull["head"]["repo"]["full_name"],
        head.path,
        new_text.encode("utf-8"),
        sha=head.blob_sha,
        branch=session.pull["head"]["ref"],
        message=message,
    )
    return str(answer["commit"]["sha"])


async def sync_status_labels(session: Session, changed_path: str, changed_text: str) -> None:
    """Make the PR's owned labels match its RFCs, the just-changed one as now written."""
    head = session.pull["head"]

    async def document(path: str) -> Document | None:
        if path == changed_path:
            return parse(changed_text)
        raw = await get_file(session.gh, head["repo"]["full_name"], path, head["ref"])
        return None if raw is None else parse(raw.decode("utf-8", errors="replace"))

    documents = await asyncio.gather(*(document(path) for path in await session.rfc_files()))
    config = session.config
    await labels.sync_labels(
        session.gh,
        session.repo,
        session.number,
        current=[label["name"] for label in session.pull.get("labels", [])],
        desired=labels.desired_labels(config, documents),
        owned=functools.partial(labels.is_owned_label, config),
        style=functools.partial(labels.label_style, config),
        known=session.ctx.known_labels,
    )


def manual_edit_text(head: HeadFile, new_text: str, target: str, *, fork: bool) -> str:
    """The exact lines to change by hand when the App may not push to the branch."""
    why = (
        "this pull request comes from a fork that doesn't allow maintainers to edit it"
        if fork
        else "GitHub refused my commit to the pull request's branch"
    )
    changes = _changed_lines(head.text, new_text)
    where = " and ".join(f"line {number}" for number, _, _ in changes)
    diff = "\n".join(f"-{old}\n+{new}" for _, old, new in changes)
    return (
        f"I can't change `{head.path}` myself: {why}. To move it to **{target}**, "
        f"please change {where} as follows (keep the two trailing spaces):\n\n"
        f"{_fence(diff, 'diff')}\n\nNothing else needs to change."
    )


def _changed_lines(old: str, new: str) -> list[tuple[int, str, str]]:
    """(1-based line, old, new) for each line the edit changed (edits keep the line count)."""
    pairs = zip(old.splitlines(), new.splitlines(), strict=False)
    return [(n, a, b) for n, (a, b) in enumerate(pairs, start=1) if a != b]


def _current_status(head: HeadFile, config: Config) -> str:
    current = canonical_status(head.document.status, config)
    if current is None:
        written = head.document.status
        found = f"reads `{_plain(written)}`" if written else "is missing"
        names = ", ".join(f"**{status}**" for status in config.statuses)
        raise UserError(
            f"the **Status:** line of `{head.path}` {found}; it must be one of {names}. "
            "Please fix it by hand first."
        )
    return current


async def _refusal(session: Session, head: HeadFile, current: str, target: str) -> Refused | None:
    roles = await actor_roles(
        session.gh,
        session.repo,
        session.actor,
        current=current,
        target=target,
        pull_author=(session.pull.get("user") or {}).get("login"),
        rfc_authors=head.document.authors,
        config=session.config,
    )
    decision = decide(session.actor, current, target, roles, session.config)
    return decision if isinstance(decision, Refused) else None


def _edited(head: HeadFile, target: str, session: Session) -> str:
    try:
        return set_status(head.text, target, session.ctx.clock().date())
    except ValueError as error:
        raise UserError(f"I can't edit `{head.path}`: {error}.") from error


# --- replies ------------------------------------------------------------------------------


def render_reply(
    parsed: Sequence[ParsedLine], outcomes: Sequence[Outcome], config_error: ConfigError | None
) -> str:
    """One reply for the whole comment: each command line quoted, then what came of it."""
    parts = [
        f"{_code(item.raw.strip())}: {_capitalised(outcome.text)}"
        for item, outcome in zip(parsed, outcomes, strict=True)
    ]
    if config_error is not None:
        parts.append(
            f"Note: `{CONFIG_PATH}` on the default branch is invalid ({_plain(str(config_error))})"
            ", so the default settings were used."
        )
    return "\n\n".join(parts)


def help_text(config: Config) -> str:
    """The grammar and who may do what, from this repository's config."""
    rows = [
        f"| {current} -> {target} | {describe_roles(who_may(current, target, config))} |"
        for current in config.statuses
        for target in config.allowed_next(current)
    ]
    listed = ", ".join(f"`{name}`" for name in config.maintainers) or "none"
    statuses = "|".join(status.lower() for status in config.statuses)
    return "\n".join(
        [
            "here is what I understand, one command per line, outside code and quotes:",
            "",
            f"- `/rfc status <{statuses}> [PATH]`: move an RFC to a new status "
            "(PATH only when the pull request has several RFCs)",
            "- `/rfc check`: validate the RFCs again now",
            "- `/rfc help`: this message",
            "- `/rfc number`: retry number assignment on a merged pull request (maintainers)",
            "",
            "| move | who may do it |",
            "| --- | --- |",
            *rows,
            "",
            f"Maintainers are users with write access, plus those listed in `{CONFIG_PATH}`: "
            f"{listed}.",
        ]
    )


def _forms_block(forms: Sequence[str]) -> str:
    return "Valid forms:\n\n" + _fence("\n".join(forms))


def _file_list(files: Sequence[str]) -> str:
    return "\n".join(f"- `{path}`" for path in files)


def _decode_content(item: Mapping[str, Any]) -> bytes:
    return base64.b64decode(item.get("content") or "")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(text: str) -> str:
    """User text inside a one-backtick code span: no backtick may end it early."""
    return text.replace("`", "'")


def _code(text: str) -> str:
    """A code span that holds any text (the delimiter outgrows the text's backtick runs)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str, info: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    ticks = "`" * (longest + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"
