"""What people did on a pull request, read from GitHub, and its staleness now
(``bot.policy.staleness``): what the staleness feature acts on and the status panel's line says.

Three listings, each a conditional request through a sweep's client (a 304 when nothing
changed): the comments (people's, and the App's own stale reminders, proven by
``performed_via_github_app``), the reviews and the commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.issues import comments, written_by
from bot.github.pulls import list_pull_commits, list_reviews
from bot.policy.markers import STALE, carries
from bot.policy.staleness import (
    Activity,
    Staleness,
    assess,
    comment_activity,
    commit_activity,
    panel_line,
    review_activity,
)
from bot.rfc.config.public import Config
from bot.values import Pull


@dataclass
class ActivityRead:
    activities: list[Activity] = field(default_factory=list)
    reminders: list[datetime] = field(default_factory=list)  # the App's stale reminders


async def read_activity(gh: GitHubAPI, pull: Pull, ctx: Context) -> ActivityRead:
    """Everything people did on the pull request, and when the App reminded them."""
    read = ActivityRead()
    if pull.created_at is not None:
        read.activities.append(Activity(pull.created_at, "opened", pull.author or ""))
    async for comment in comments(gh, pull.repo, pull.number):
        if written_by(comment, ctx.app_id):
            if carries(comment.body, STALE) and comment.created_at is not None:
                read.reminders.append(comment.created_at)
        elif (activity := comment_activity(comment)) is not None:
            read.activities.append(activity)
    for review in await list_reviews(gh, pull.repo, pull.number):
        if (activity := review_activity(review)) is not None:
            read.activities.append(activity)
    for commit in await list_pull_commits(gh, pull.repo, pull.number):
        if (activity := commit_activity(commit)) is not None:
            read.activities.append(activity)
    return read


async def staleness_of(
    gh: GitHubAPI, pull: Pull, ctx: Context, config: Config, *, held: bool = False
) -> Staleness:
    read = await read_activity(gh, pull, ctx)
    return assess(config, pull.labels, read.activities, read.reminders, ctx.clock(), held=held)


async def stale_line(gh: GitHubAPI, pull: Pull, ctx: Context, config: Config) -> str:
    """The status panel's stale line: only while the pull request carries the stale label
    (no request otherwise) and is still stale now."""
    if config.labels.stale not in pull.labels:
        return ""
    return panel_line(await staleness_of(gh, pull, ctx, config), config.labels)
