"""A pull request's decision history, read from GitHub: its RFC files, its comments, and, once
a decision has started, its reviews and commits, as the events ``bot.policy.decisions`` folds.

Only the App's own comments can hold its records and its panel (GitHub proves who wrote them);
people's comments hold commands; other bots' comments count nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.issues import comments, written_by
from bot.github.pulls import commit_files, list_pull_commits, list_pull_files, list_reviews
from bot.policy.decisions.events import (
    Event,
    Started,
    app_comment_events,
    command_events,
    commit_events,
    latest_starts,
    review_events,
    text_changes,
)
from bot.policy.markers import PANEL, carries
from bot.rfc.config.public import Config, DecisionRule
from bot.rfc.paths import is_rfc_path
from bot.values import Comment, Pull


@dataclass
class History:
    events: list[Event]
    rfc_paths: list[str]
    panel: Comment | None
    starts: dict[str, Started]  # the latest start per path

    def rule_for(self, path: str, config: Config) -> DecisionRule | None:
        started = self.starts.get(path)
        return None if started is None else config.decision_rule(started.current, started.target)


async def read_history(
    gh: GitHubAPI, pull: Pull, config: Config, ctx: Context, *, skip_comment: int | None = None
) -> History:
    """Everything on GitHub that makes up the pull request's decisions, as events; without the
    comment ``skip_comment`` (the one whose commands are being checked)."""
    files = await list_pull_files(gh, pull.repo, pull.number)
    paths = [
        str(f["filename"])
        for f in files
        if f.get("status") != "removed" and is_rfc_path(str(f["filename"]), config)
    ]
    events: list[Event] = []
    panel: Comment | None = None
    async for comment in comments(gh, pull.repo, pull.number):
        if comment.id == skip_comment:
            continue
        if written_by(comment, ctx.app_id):
            panel = panel or (comment if carries(comment.body, PANEL) else None)
            events += app_comment_events(comment)
        elif not comment.author_is_bot:
            events += command_events(comment, paths, config.statuses)
    starts = latest_starts(events)
    if not starts:  # no decision ever started here: reviews and commits cannot matter
        return History(events, paths, panel, starts)
    events += review_events(await list_reviews(gh, pull.repo, pull.number))
    events += await _commit_events(gh, pull, ctx, paths, min(s.at for s in starts.values()))
    return History(events, paths, panel, starts)


async def _commit_events(
    gh: GitHubAPI, pull: Pull, ctx: Context, paths: list[str], since: datetime
) -> list[Event]:
    """The App's proven moves, and pushes of others that changed an RFC after ``since``."""
    commits = await list_pull_commits(gh, pull.repo, pull.number)
    found, pushes = commit_events(commits, ctx.signing_key, pull.repo, pull.number, since)
    for push in pushes:
        found += text_changes(push, set(await commit_files(gh, pull.repo, push.sha)), paths)
    return found
