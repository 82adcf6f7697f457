"""The repository's config, read from its default branch (never from a pull request's head)."""

from __future__ import annotations

import logging

from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.contents import get_file
from bot.github.gitdata import get_branch_head
from bot.rfc.config.public import CONFIG_PATH, Config, ConfigError, load_config
from bot.values import Pull

log = logging.getLogger(__name__)

LoadedConfig = tuple[Config, ConfigError | None]


# The reconciler reads every repository's config each sweep (through its timers): with fewer
# entries than the repositories a replica sweeps, each would be evicted before its next read
# and read again, a rate-limited request per repository per sweep.
CONFIG_CACHE_ENTRIES = 4096
# Most repositories have no config file: they all share this one value.
_DEFAULTS: LoadedConfig = (Config(), None)


class ConfigCache(LRUCache[tuple[str, str], LoadedConfig]):
    """(repository full name, commit sha of the default branch) -> its parsed config."""

    def __init__(self) -> None:
        super().__init__(maxsize=CONFIG_CACHE_ENTRIES)


async def config_for(gh: GitHubAPI, pull: Pull, ctx: Context) -> LoadedConfig:
    """The config at the default branch's head. A pull request that targets the default branch
    carries that commit already; otherwise one request finds it."""
    if pull.base.ref == pull.default_branch:
        return await config_at(gh, pull.repo, pull.base.sha, ctx)
    return await default_branch_config(gh, pull.repo, pull.default_branch, ctx)


async def default_branch_config(
    gh: GitHubAPI, repo: str, default_branch: str, ctx: Context
) -> LoadedConfig:
    return await config_at(gh, repo, await get_branch_head(gh, repo, default_branch), ctx)


async def config_at(gh: GitHubAPI, repo: str, commit_sha: str, ctx: Context) -> LoadedConfig:
    """The config at a commit of the default branch, cached by that commit.

    A broken config never stops the App: the defaults are used and the error is returned,
    for the caller to show on the pull request.
    """
    key, cache = (repo, commit_sha), ctx.caches.of(ConfigCache)
    cached = cache.get(key)
    if cached is not None:
        return cached
    raw = await get_file(gh, repo, CONFIG_PATH, commit_sha)
    result: LoadedConfig
    if raw is None:
        result = _DEFAULTS
    else:
        try:
            result = (load_config(raw.decode("utf-8", errors="replace"), CONFIG_PATH), None)
        except ConfigError as error:
            log.warning("invalid config in %s: %s", repo, error)
            result = (Config(), error)
    cache[key] = result
    return result
