"""The repository's config, read from its default branch (never from a PR head)."""

from __future__ import annotations

import logging

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.calls import get_file
from bot.rfc.config import CONFIG_PATH, Config, ConfigError, load_config

log = logging.getLogger(__name__)


async def repo_config(
    gh: GitHubAPI, repo: str, default_branch_sha: str, ctx: Context
) -> tuple[Config, ConfigError | None]:
    """The config at the default branch's commit, cached by that commit.

    A broken config never stops the App: the defaults are used and the error is returned,
    for the caller to show on the pull request.
    """
    key = (repo, default_branch_sha)
    cached = ctx.config_cache.get(key)
    if cached is not None:
        return cached
    raw = await get_file(gh, repo, CONFIG_PATH, default_branch_sha)
    result: tuple[Config, ConfigError | None]
    if raw is None:
        result = (Config(), None)
    else:
        try:
            result = (load_config(raw.decode("utf-8", errors="replace"), CONFIG_PATH), None)
        except ConfigError as error:
            log.warning("invalid config in %s: %s", repo, error)
            result = (Config(), error)
    ctx.config_cache[key] = result
    return result
