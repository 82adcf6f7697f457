"""A pull request's decision history: the App's decision record (``decision_record``), folded
alone, with the RFC files at the head and the App's status panel.

Comments, reviews and commits are never read back as decision state: a command counts once
the App has accepted it and appended it to the record, and only then. The App's own panel is
found by its marker in a comment GitHub proves the App wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.features.decision_record import read_record
from bot.github.issues import comments, written_by
from bot.github.pulls import list_pull_files
from bot.policy.decisions.eligibility import Roster
from bot.policy.decisions.events import Event, Started, latest_starts
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.record import Entry, baseline_blob, open_paths
from bot.policy.decisions.record_view import record_events
from bot.policy.decisions.state import DecisionState
from bot.policy.labels import decision_labels
from bot.policy.markers import PANEL, carries, panel_says_running
from bot.rfc.config.public import Config, DecisionRule
from bot.rfc.paths import is_rfc_path
from bot.values import Comment, Pull

MISSING = (
    "the decision record of this pull request cannot be found, although this panel said a "
    "decision was running"
)

_INSTANT = timedelta(microseconds=1)


@dataclass
class History:
    events: list[Event]
    rfc_paths: list[str]
    panel: Comment | None
    starts: dict[str, Started]  # the latest start per path
    entries: list[Entry] = field(default_factory=list)
    blobs: dict[str, str] = field(default_factory=dict)  # path -> its blob sha at the head
    broken: str | None = None  # why the record cannot be trusted: the decisions stop
    record_url: str = ""
    head_sha: str = ""
    on_head: bool = False  # the record is on the head commit (else it is carried there)

    def rule_for(self, path: str, config: Config) -> DecisionRule | None:
        started = self.starts.get(path)
        return None if started is None else config.decision_rule(started.current, started.target)

    def state(self, path: str, rule: DecisionRule, roster: Roster, now: datetime) -> DecisionState:
        """The decision on ``path`` as the record has it now."""
        return decision_state(path, self.events, rule, roster, now, recorded=True)

    def text_change(self, path: str, now: datetime) -> list[Entry]:
        """A ``text-changed`` entry when the RFC's blob at the head is not the one the record
        last saw (by content: commit dates and commit windows play no part). Dated just before
        ``now``: the change was there before the event accepted with it."""
        blob = self.blobs.get(path)
        known = baseline_blob(self.entries, path)
        if not blob or known is None or blob == known or path not in open_paths(self.entries):
            return []
        return [Entry("text-changed", path, "", now - _INSTANT, self.head_sha, blob)]

    def recorded_from(self, source: str, kind: str, path: str, name: str = "") -> bool:
        """The record already holds this command of comment ``source`` (a redelivery, or a
        retry after a crash between the record and the reply): answer it, never again."""
        return any(
            (e.source, e.kind, e.path, str(e.extra.get("name", ""))) == (source, kind, path, name)
            for e in self.entries
        )

    def with_entries(self, entries: list[Entry]) -> History:
        """The history after the App appended to its record."""
        events = record_events(entries)
        return replace(self, events=events, starts=latest_starts(events), entries=entries)


async def read_history(
    gh: GitHubAPI,
    pull: Pull,
    config: Config,
    ctx: Context,
    *,
    command: bool = False,
    before: str | None = None,
    recorded: bool = False,
) -> History:
    """The pull request's decisions as the record holds them. The record is read when
    something points to one: the App's panel, a decision label, ``recorded`` (an entry was
    just appended) or a ``command`` that may act on a decision."""
    files = await list_pull_files(gh, pull.repo, pull.number)
    blobs = {
        str(f["filename"]): str(f.get("sha") or "")
        for f in files
        if f.get("status") != "removed" and is_rfc_path(str(f["filename"]), config)
    }
    panel: Comment | None = None
    async for comment in comments(gh, pull.repo, pull.number):
        if written_by(comment, ctx.app_id) and carries(comment.body, PANEL):
            panel = comment
            break
    pointed = recorded or command or set(pull.labels) & decision_labels(config)
    if panel is None and not pointed:
        return History([], list(blobs), None, {}, blobs=blobs)  # no decision was started here
    read = await read_record(gh, pull, ctx, before=before, walk=panel is not None)
    broken = read.broken
    if read.found_on is None and panel is not None and panel_says_running(panel.body):
        broken = MISSING
    history = History([], list(blobs), panel, {}, blobs=blobs, broken=broken)
    history.record_url, history.on_head = read.url, read.found_on == pull.head.sha
    history.head_sha = pull.head.sha
    return history.with_entries(read.entries)
