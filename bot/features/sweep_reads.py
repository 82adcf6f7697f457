"""What one repository's sweep reads, each at most once: its open pull requests, its comments
within the window and its config.

Several passes of a sweep need the same listing (the checks and the decisions the open pull
requests; the commands, the numbers' announcements and the decisions the comments): each is
read when its first reader asks, and kept for the rest of that repository's sweep only (the
next sweep reads it again: a conditional request, a 304 when nothing changed). A pass that
reads after an earlier pass wrote may see the listing as it was before that write; every
repair looks at GitHub again before it writes, so it never acts twice on an old listing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gidgethub.abc import GitHubAPI

from bot.features.config import default_branch_config
from bot.features.context import Context
from bot.github.listings import comments_updated_since, pulls_updated_since
from bot.rfc.config.public import Config
from bot.values import Repository


@dataclass
class SweepReads:
    """One repository in one sweep: its client and the listings its passes share."""

    gh: GitHubAPI
    repository: Repository
    ctx: Context
    since: str  # the window's start (ISO time): comments older than this are not read
    _open_pulls: list[dict[str, Any]] | None = field(default=None, repr=False)
    _comments: list[dict[str, Any]] | None = field(default=None, repr=False)
    _config: Config | None = field(default=None, repr=False)

    @property
    def repo(self) -> str:
        return self.repository.full_name

    async def open_pulls(self) -> list[dict[str, Any]]:
        """The open pull requests, most recently updated first (a copy: callers shuffle)."""
        if self._open_pulls is None:
            self._open_pulls = await pulls_updated_since(self.gh, self.repo, "open", None)
        return list(self._open_pulls)

    async def comments(self) -> list[dict[str, Any]]:
        """The repository's comments updated within the window, most recent first."""
        if self._comments is None:
            self._comments = await comments_updated_since(self.gh, self.repo, self.since)
        return self._comments

    async def config(self) -> Config:
        """The config on the default branch (cached by its commit across sweeps)."""
        if self._config is None:
            branch = self.repository.default_branch
            self._config, _ = await default_branch_config(self.gh, self.repo, branch, self.ctx)
        return self._config
