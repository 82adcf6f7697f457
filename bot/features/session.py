"""What the handlers of one pull request share, each read at most once: a ``PullSession``,
and a ``CommandSession`` for one comment's worth of ``/rfc`` commands."""

from __future__ import annotations

from dataclasses import dataclass, field

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.pulls import list_pull_files
from bot.rfc.config.public import Config
from bot.rfc.paths import is_rfc_path
from bot.values import Comment, Pull


@dataclass
class PullSession:
    """One pull request with its config, and its files once read."""

    gh: GitHubAPI
    ctx: Context
    pull: Pull
    config: Config
    _files: list[dict[str, object]] | None = field(default=None, repr=False, kw_only=True)

    @property
    def repo(self) -> str:
        return self.pull.repo

    async def pull_files(self) -> list[dict[str, object]]:
        if self._files is None:
            self._files = await list_pull_files(self.gh, self.repo, self.pull.number)
        return self._files

    async def rfc_files(self) -> list[str]:
        """The RFC files this pull request adds or changes (removed ones are not RFCs here)."""
        return [
            str(f["filename"])
            for f in await self.pull_files()
            if f.get("status") != "removed" and is_rfc_path(str(f["filename"]), self.config)
        ]


@dataclass
class CommandSession(PullSession):
    """The commands of one comment on the pull request: its author is the actor."""

    comment: Comment
    # A command of this comment was appended to the decision record: the settle after it
    # reads the record even before any panel or label points to one.
    recorded: bool = field(default=False, kw_only=True)

    @property
    def actor(self) -> str:
        return self.comment.author or ""
