"""The repository's config, read from its default branch (never from a pull request's head),
with the files it extends (``_extends``) from their repositories' default branches.

The repository's own file is read once per default-branch commit. An extended file is read
through the installation's token on every load, as a conditional request (an unchanged file
is a 304, free of the rate limit), and parsed once per blob; the merged config is kept per
(commit, versions of the extended files). Which file comes next and what is applied is
decided in ``bot.policy.config_extends``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

from bot.features.caches import BoundedLRUCache
from bot.features.context import Context
from bot.github.contents import FileRead, NotRead, read_file
from bot.github.gitdata import get_branch_head
from bot.policy.config_extends import Home, Link, Settled, next_target, settle, unreadable
from bot.rfc.config.public import (
    CONFIG_PATH,
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    ConfigFile,
    ConfigProblem,
    ExtendsTarget,
    parse_config_file,
)
from bot.values import Pull

log = logging.getLogger(__name__)

LoadedConfig = tuple[Config, ConfigError | None]
# The conditional-request cache of extended files keeps their answers (base64 bodies) up to this.
_ANSWERS_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class EffectiveConfig:
    """The config a repository runs on: the value, what went wrong, and the files applied."""

    settled: Settled
    files: tuple[ConfigFile, ...] = ()  # applied, nearest first
    extends_line: int | None = None  # the repository's own `_extends` line, if it has one

    @property
    def config(self) -> Config:
        return self.settled.config

    @property
    def error(self) -> ConfigError | None:
        return self.settled.error

    @property
    def loaded(self) -> LoadedConfig:
        return self.config, self.error


LocalFile = ConfigFile | ConfigError | None  # None: the repository has no config file
# The reconciler reads every repository's config each sweep (through its timers): with fewer
# entries than the repositories a replica sweeps, each would be evicted before its next read
# and read again, a rate-limited request per repository per sweep.
CONFIG_CACHE_ENTRIES = 4096


class ConfigCache(LRUCache[tuple[str, str], LocalFile]):
    """(repository full name, default-branch commit) -> its own config file, parsed."""

    def __init__(self) -> None:
        super().__init__(maxsize=CONFIG_CACHE_ENTRIES)


class EffectiveCache(LRUCache[tuple[str, str, tuple[str, ...]], EffectiveConfig]):
    """(repository, commit, versions of the files it extends) -> the merged config."""

    def __init__(self) -> None:
        super().__init__(maxsize=256)


class ExtendedFiles:
    """Extended files: the conditional-request cache (per owner: a token sees only its own
    installation's repositories, so one owner's answer is never served to another) and each
    blob parsed once."""

    def __init__(self) -> None:
        self.answers: BoundedLRUCache[tuple[str, str], Any] = BoundedLRUCache(
            max_entries=1024, max_size=_ANSWERS_BYTES, getsizeof=_answer_size
        )
        self.parsed: LRUCache[tuple[str, str], ConfigFile | ConfigError] = LRUCache(maxsize=256)

    def conditional(self, owner: str) -> MutableMapping[str, Any]:
        return _OwnerView(self.answers, owner.lower())

    async def parse(self, target: ExtendsTarget, read: FileRead) -> ConfigFile | ConfigError:
        key = (str(target), read.sha)
        found = self.parsed.get(key)
        if found is None:
            found = self.parsed[key] = await parse_off_loop(read.content, str(target))
        return found


async def config_for(gh: GitHubAPI, pull: Pull, ctx: Context) -> LoadedConfig:
    """The config at the default branch's head: the config, and what is wrong with it."""
    return (await effective_config_for(gh, pull, ctx)).loaded


async def effective_config_for(gh: GitHubAPI, pull: Pull, ctx: Context) -> EffectiveConfig:
    """The config at the default branch's head. A pull request that targets the default branch
    carries that commit already; otherwise one request finds it."""
    if pull.base.ref == pull.default_branch:
        return await effective_config_at(gh, pull.repo, pull.base.sha, ctx)
    head = await get_branch_head(gh, pull.repo, pull.default_branch)
    return await effective_config_at(gh, pull.repo, head, ctx)


async def default_branch_config(
    gh: GitHubAPI, repo: str, default_branch: str, ctx: Context
) -> LoadedConfig:
    return await config_at(gh, repo, await get_branch_head(gh, repo, default_branch), ctx)


async def config_at(gh: GitHubAPI, repo: str, commit_sha: str, ctx: Context) -> LoadedConfig:
    return (await effective_config_at(gh, repo, commit_sha, ctx)).loaded


async def effective_config_at(
    gh: GitHubAPI, repo: str, commit_sha: str, ctx: Context
) -> EffectiveConfig:
    """The config at a commit of the default branch, with what it extends.

    A broken config never stops the App: what can be applied is (the repository's own file
    without an extended file that cannot be read, or the defaults), and the problems are
    returned for the caller to show on the pull request.
    """
    local = await _local_file(gh, repo, commit_sha, ctx)
    if local is None:
        return EffectiveConfig(Settled(Config()))
    if isinstance(local, ConfigError):
        return EffectiveConfig(Settled(Config(), local.problems, left_out=(CONFIG_PATH,)))
    owner, _, name = repo.partition("/")
    files = ctx.caches.of(ExtendedFiles)

    async def fetch(target: ExtendsTarget) -> Fetched | str:
        return await fetch_extended(gh, target, files, home_owner=owner)

    chain = await follow(Home(owner, name), local, fetch)
    key = (repo, commit_sha, chain.versions)
    cache = ctx.caches.of(EffectiveCache)
    found = cache.get(key)
    if found is None:
        # Merging and reading is CPU work (tens of milliseconds for a large file): off the loop.
        found = cache[key] = await asyncio.to_thread(chain.settle)
        if found.error is not None:
            log.warning("config problems in %s: %s", repo, found.error)
    return found


async def _local_file(gh: GitHubAPI, repo: str, commit_sha: str, ctx: Context) -> LocalFile:
    key, cache = (repo, commit_sha), ctx.caches.of(ConfigCache)
    if key in cache:
        return cache[key]
    read = await read_file(gh, repo, CONFIG_PATH, commit_sha)
    if isinstance(read, NotRead) and read.status != 404:
        return ConfigError(CONFIG_PATH, None, None, read.message)  # not kept: asked again
    found = None if isinstance(read, NotRead) else await parse_off_loop(read.content, CONFIG_PATH)
    cache[key] = found
    return found


async def parse_off_loop(content: bytes, source: str) -> ConfigFile | ConfigError:
    """A config file composed in a thread: YAML is parsed in pure Python (a 64 KiB file takes
    about a tenth of a second), which must not stall the event loop."""
    return await asyncio.to_thread(_parse, content, source)


def _parse(content: bytes, source: str) -> ConfigFile | ConfigError:
    text = content.decode("utf-8", errors="replace")
    try:
        return parse_config_file(text, source, limit=MAX_CONFIG_BYTES)
    except ConfigError as error:
        return error


# --- following a chain (the App, and `rfc-bot config --effective`) ---------------------------


@dataclass(frozen=True, slots=True)
class Fetched:
    """An extended file as read: parsed (or why it does not parse), and its version."""

    file: ConfigFile | ConfigError
    version: str


Fetch = Callable[[ExtendsTarget], Awaitable[Fetched | str]]  # str: why it could not be read


@dataclass(frozen=True, slots=True)
class Chain:
    """The files of a chain as read, what stopped it, and the versions read (a cache key)."""

    links: tuple[Link, ...]
    problems: tuple[ConfigProblem, ...]
    versions: tuple[str, ...]

    def settle(self) -> EffectiveConfig:
        files = [link.file for link in self.links]
        settled = settle(files, self.problems)
        applied = tuple(file for file in files if file.source in settled.applied)
        return EffectiveConfig(settled, applied, self.links[0].file.directives.extends_line)


async def follow(home: Home, local: ConfigFile, fetch: Fetch) -> Chain:
    """Read the files ``local`` extends, one after the other, until one extends nothing or
    the chain must stop (``next_target``), or a file cannot be read or parsed."""
    links = [Link(local)]
    problems: list[ConfigProblem] = []
    versions: list[str] = []
    while True:
        target = next_target(home, links)
        if target is None:
            break
        if isinstance(target, ConfigProblem):
            problems.append(target)
            break
        fetched = await fetch(target)
        versions.append(f"{target}@{fetched if isinstance(fetched, str) else fetched.version}")
        if isinstance(fetched, str):
            problems.append(unreadable(links, target, fetched))
            break
        if isinstance(fetched.file, ConfigError):
            problems += fetched.file.problems
            break
        links.append(Link(fetched.file, target))
    return Chain(tuple(links), tuple(problems), tuple(versions))


async def fetch_extended(
    gh: GitHubAPI, target: ExtendsTarget, files: ExtendedFiles, *, home_owner: str
) -> Fetched | str:
    """An extended file from its repository's default branch, as a conditional request."""
    read = await read_file(gh, target.full_name, target.path, cache=files.conditional(home_owner))
    if isinstance(read, NotRead):
        return unreadable_reason(read)
    return Fetched(await files.parse(target, read), read.sha)


def unreadable_reason(read: NotRead) -> str:
    if read.status == 404:
        return (
            "not found: no such file on that repository's default branch, or a repository "
            "this App's installation cannot read (install the App on it too)"
        )
    if read.status == 403:
        return f"GitHub refused to read it (403: {read.message})"
    return read.message


class _OwnerView(MutableMapping[str, Any]):
    """One owner's part of the shared conditional-request cache."""

    def __init__(self, cache: MutableMapping[tuple[str, str], Any], owner: str) -> None:
        self.cache, self.owner = cache, owner

    def __getitem__(self, url: str) -> Any:
        return self.cache[(self.owner, url)]

    def __setitem__(self, url: str, value: Any) -> None:
        self.cache[(self.owner, url)] = value

    def __delitem__(self, url: str) -> None:
        del self.cache[(self.owner, url)]

    def __iter__(self) -> Iterator[str]:
        return (url for owner, url in list(self.cache) if owner == self.owner)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _answer_size(answer: Any) -> int:
    """A kept answer's weight: its body (base64 content) dominates."""
    body = answer[2] if isinstance(answer, tuple) and len(answer) > 2 else None
    return 1 + (len(str(body.get("content") or "")) if isinstance(body, dict) else 0)
