"""The decision record on GitHub: find it (on the head, else carried from an earlier commit),
and append accepted entries to it, confirming each write.

The record is the check run ``RECORD_NAME`` of this App on the pull request's head commit
(``bot.policy.decisions.record`` says why nobody else can write it). A push moves the head;
the record is then found on an earlier commit (the ``synchronize`` delivery's ``before`` first,
then the pull request's commits, newest first, bounded) and carried onto the new head.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.checks import named_check_runs, write_check_output
from bot.github.pulls import list_pull_commits
from bot.policy.decisions.record import (
    RECORD_NAME,
    Entry,
    RecordBroken,
    fits,
    merge,
    parse_record,
    record_key,
    render_record,
)
from bot.policy.decisions.record_view import record_summary
from bot.values import Pull

MAX_COMMITS_WALKED = 50  # earlier commits searched for the record when the head has none
WRITE_ATTEMPTS = 3  # a concurrent writer may overwrite an entry: append again


@dataclass
class RecordRead:
    """The record as found: its entries, the record runs on the head, where it was found, and
    why it cannot be trusted (``broken``), if so."""

    entries: list[Entry] = field(default_factory=list)
    head_runs: list[int] = field(default_factory=list)
    found_on: str | None = None
    broken: str | None = None
    url: str = ""


async def read_record(
    gh: GitHubAPI, pull: Pull, ctx: Context, *, before: str | None = None, walk: bool = True
) -> RecordRead:
    """The record of the pull request: on the head, else (``walk``) carried from ``before``
    or the newest earlier commit that has one."""
    read = await _read_on(gh, pull, ctx, pull.head.sha)
    if read.head_runs or not walk:
        return read
    for sha in await _earlier_commits(gh, pull, before):
        earlier = await _read_on(gh, pull, ctx, sha)
        if earlier.found_on is not None:
            return earlier
    return read


async def _read_on(gh: GitHubAPI, pull: Pull, ctx: Context, sha: str) -> RecordRead:
    runs = await named_check_runs(gh, pull.repo, sha, RECORD_NAME, ctx.app_id)
    read = RecordRead(found_on=sha if runs else None)
    if sha == pull.head.sha:
        read.head_runs = sorted(int(run["id"]) for run in runs)
    key = record_key(ctx.signing_key)
    parts: list[list[Entry]] = []
    for run in runs:
        read.url = read.url or str(run.get("html_url") or "")
        try:
            parts.append(parse_record(key, pull.repo, pull.number, _text_of(run)))
        except RecordBroken as error:
            read.broken = str(error)
    read.entries = merge(*parts)
    return read


def _text_of(run: dict[str, object]) -> str:
    output = run.get("output")
    text = output.get("text") if isinstance(output, dict) else None
    if not isinstance(text, str):
        raise RecordBroken("a decision record has lost its entries")
    return text


async def _earlier_commits(gh: GitHubAPI, pull: Pull, before: str | None) -> list[str]:
    commits = await list_pull_commits(gh, pull.repo, pull.number)
    shas = [str(item.get("sha")) for item in reversed(commits)]
    walked = [sha for sha in shas if sha != pull.head.sha][:MAX_COMMITS_WALKED]
    return ([before] if before and before not in walked else []) + walked


async def append(
    gh: GitHubAPI, pull: Pull, ctx: Context, new: list[Entry], *, fresh: bool = False
) -> list[Entry]:
    """Append ``new`` to the record on the head and confirm they are there; returns the whole
    record. ``fresh``: start a new record, replacing one that is broken. Raises
    ``RecordBroken`` when the record cannot be trusted or is full."""
    read = await read_record(gh, pull, ctx)
    for _ in range(WRITE_ATTEMPTS):
        if read.broken is not None and not fresh:
            raise RecordBroken(read.broken)
        entries = merge(new) if fresh else merge(read.entries, new)
        await _write(gh, pull, ctx, entries, read.head_runs if fresh else read.head_runs[:1])
        read = await read_record(gh, pull, ctx, walk=False)
        have = {entry.identity for entry in read.entries}
        if read.broken is None and all(entry.identity in have for entry in new):
            return read.entries
        fresh = False  # a concurrent writer's entries are kept from now on
    raise RecordBroken("the decision record could not be written (too many concurrent writers)")


async def _write(
    gh: GitHubAPI, pull: Pull, ctx: Context, entries: list[Entry], runs: list[int]
) -> None:
    text = render_record(record_key(ctx.signing_key), pull.repo, pull.number, entries)
    if not fits(text):
        raise RecordBroken(
            "the decision record is full (GitHub keeps 65,535 characters per check run): "
            "no further decision events can be recorded on this pull request"
        )
    title = f"{len(entries)} decision event(s) recorded"
    output = {"title": title, "summary": record_summary(entries), "text": text}
    targets: list[int | None] = [*runs] or [None]
    for run in targets:
        await write_check_output(gh, pull.repo, pull.head.sha, RECORD_NAME, run, output)
