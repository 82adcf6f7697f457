"""The RFC files of one check run: their texts, and what lint says of them.

A file's new text comes from the pull request's file listing when it can be proven there (its
``patch`` applied to the old text gives the blob sha the listing names, at the head commit
the run checks: ``bot.github.patches``); otherwise from the contents API at the head commit,
as always. An added RFC therefore costs no request of its own.

Two caches, each keyed by what makes its value immutable:

- ``BaseTexts``: a file's bytes at a commit of the base branch (a commit never changes), so
  the pull requests on one base read each old RFC text once;
- ``LintResults``: what lint said of a text, keyed by the text's blob sha and by everything
  else lint reads (path, base text, config, the day, the provenance): a push that leaves an
  RFC as it was, ``/rfc check``, a re-run or a sweep re-reads and re-lints nothing. A new
  text has a new blob sha, so it is always linted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from gidgethub.abc import GitHubAPI

from bot.features.caches import BoundedLRUCache
from bot.features.context import Context
from bot.github.contents import get_file
from bot.github.patches import listed_commit, text_from_listing
from bot.policy.check import RfcChange
from bot.rfc.config.public import Config
from bot.rfc.lint_summary import LintSummary
from bot.rfc.rules.structure import LINT_TIMEOUT
from bot.rfc.workflow import Provenance
from bot.values import Pull

FileTexts = tuple[bytes | None, bytes | None]  # (head, base); base None for an added file
# (repository, path, head blob sha, base commit, base path, id(config), day, provenance)
LintKey = tuple[str, str, str, str, str, int, date, Provenance, frozenset[str] | None]

# How many file fetches one run keeps in flight (a PR may touch many RFCs).
MAX_PARALLEL_FETCHES = 10

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class BaseTexts(BoundedLRUCache[tuple[str, str, str], bytes | None]):
    """(repository, commit sha, path) -> the file's bytes at that commit (None: absent); at
    most 8 MB."""

    def __init__(self) -> None:
        super().__init__(max_entries=512, max_size=8 << 20, getsizeof=_size_of_text)


class LintResults(BoundedLRUCache[LintKey, tuple[Config, LintSummary]]):
    """``LintKey`` -> (the config linted with, held so its id is not reused; the summary)."""

    def __init__(self) -> None:
        # A diagnostic is a few hundred bytes: at most about 10 MB, however many a text has.
        super().__init__(max_entries=1024, max_size=20_000, getsizeof=_size_of_result)


def _size_of_text(text: bytes | None) -> int:
    return 1 + len(text or b"")


def _size_of_result(entry: tuple[Config, LintSummary]) -> int:
    return 1 + len(entry[1].diagnostics)


class PullFiles:
    """The RFC files of ``pull`` at its head, each text read at most once.

    ``listing`` is the pull request's file listing (``bot.github.pulls.list_pull_files``);
    its entries name the head commit they describe, and only entries of ``pull.head.sha``
    are trusted for a text or a blob sha.
    """

    def __init__(
        self, gh: GitHubAPI, ctx: Context, pull: Pull, listing: Iterable[Mapping[str, Any]]
    ) -> None:
        self.gh, self.ctx, self.pull = gh, ctx, pull
        self._entries = {
            str(entry.get("filename")): entry
            for entry in listing
            if listed_commit(entry) == pull.head.sha and entry.get("status") != "removed"
        }
        self._texts: dict[str, FileTexts] = {}

    async def lint(
        self,
        changes: list[RfcChange],
        config: Config,
        today: date,
        provenance: list[Provenance],
        known: frozenset[str] | None = None,
    ) -> list[LintSummary | None]:
        """Each change's lint (None for a removed file, or one whose head text is gone);
        ``known``: the RFC directory's files, for the link rule (None: it stays silent)."""
        cache = self.ctx.caches.of(LintResults)
        keys = [
            self._key(change, config, today, proven, known)
            for change, proven in zip(changes, provenance, strict=True)
        ]
        cached = [_cached(cache, key, config) for key in keys]
        missing = [c for c, hit in zip(changes, cached, strict=True) if hit is None]
        if len(missing) > 1:  # read at once; one alone needs no task of its own
            await _gather_bounded(self.texts(change) for change in missing)
        results: list[LintSummary | None] = []
        for change, key, hit, proven in zip(changes, keys, cached, provenance, strict=True):
            result = hit or await self._lint(change, config, today, proven, known)
            if hit is None and result is not None and key is not None and _keepable(result):
                _keep(cache, key, (config, result))
            results.append(result)
        return results

    async def texts(self, change: RfcChange) -> FileTexts:
        """(head, base) bytes of one RFC; head None when the head no longer has it."""
        if change.path not in self._texts:
            self._texts[change.path] = await self._read(change)
        return self._texts[change.path]

    async def _lint(
        self,
        change: RfcChange,
        config: Config,
        today: date,
        provenance: Provenance,
        known: frozenset[str] | None,
    ) -> LintSummary | None:
        if change.kind == "removed":
            return None
        content, base = await self.texts(change)
        if content is None:
            return None
        return await self.ctx.lint(
            change.path,
            content,
            config,
            base=base,
            today=today,
            provenance=provenance,
            known_files=known,
        )

    async def _read(self, change: RfcChange) -> FileTexts:
        if change.kind == "removed":
            return None, None
        base = None if change.kind == "added" else await self._base_text(change)
        entry = self._entries.get(change.path)
        head = text_from_listing(entry, base) if entry is not None else None
        if head is None:
            head = await get_file(self.gh, self.pull.repo, change.path, self.pull.head.sha)
        return head, base

    async def _base_text(self, change: RfcChange) -> bytes | None:
        repo, commit = self.pull.repo, self.pull.base.sha
        path = change.previous_path or change.path
        cache, key = self.ctx.caches.of(BaseTexts), (repo, commit, path)
        if key in cache:
            return cache[key]
        text = await get_file(self.gh, repo, path, commit)
        _keep(cache, key, text)
        return text

    def _key(
        self,
        change: RfcChange,
        config: Config,
        today: date,
        provenance: Provenance,
        known: frozenset[str] | None,
    ) -> LintKey | None:
        entry = self._entries.get(change.path)
        blob = entry.get("sha") if entry is not None else None
        if change.kind == "removed" or not isinstance(blob, str):
            return None
        base = self.pull.base.sha if change.kind != "added" else ""
        base_path = (change.previous_path or change.path) if base else ""
        pull = self.pull
        return (pull.repo, change.path, blob, base, base_path, id(config), today, provenance, known)


def _keep(cache: BoundedLRUCache[K, V], key: K, value: V) -> None:
    """Remember ``value`` unless it alone is larger than the whole cache (a huge text, a text
    with tens of thousands of diagnostics): used once, not kept."""
    if cache.getsizeof(value) <= cache.maxsize:
        cache[key] = value


def _cached(cache: LintResults, key: LintKey | None, config: Config) -> LintSummary | None:
    entry = cache.get(key) if key is not None else None
    return entry[1] if entry is not None and entry[0] is config else None


def _keepable(result: LintSummary) -> bool:
    """A lint stopped by its time budget says nothing about the text: never cached."""
    return not any(d.rule == LINT_TIMEOUT.id for d in result.diagnostics)


async def _gather_bounded(coroutines: Iterable[Awaitable[T]]) -> list[T]:
    semaphore = asyncio.Semaphore(MAX_PARALLEL_FETCHES)

    async def bounded(coroutine: Awaitable[T]) -> T:
        async with semaphore:
            return await coroutine

    return list(await asyncio.gather(*(bounded(c) for c in coroutines)))
