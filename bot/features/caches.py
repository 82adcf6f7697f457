"""The App's caches: one value of each feature's cache type, reached through ``ctx.caches``.

A feature owns its cache: it defines the type (bounded in its constructor, which takes no
arguments) and asks ``ctx.caches.of(ThatType)``. ``Caches`` makes each value on first use and
keeps it for the life of the App, so two Apps (replicas, tests) never share one, and this
module need not know the features (they import the context, so it cannot import them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K")
V = TypeVar("V")
C = TypeVar("C")


class Caches:
    """One value per cache type, made by calling the type on first use."""

    def __init__(self) -> None:
        self._values: dict[type, object] = {}

    def of(self, kind: type[C]) -> C:
        value = self._values.get(kind)
        if value is None:
            value = self._values[kind] = kind()
        assert isinstance(value, kind)
        return value


class BoundedLRUCache(LRUCache[K, V], Generic[K, V]):
    """An LRU cache capped both by total size (``getsizeof``) and by number of entries."""

    def __init__(self, *, max_entries: int, max_size: int, getsizeof: Callable[[V], int]) -> None:
        super().__init__(maxsize=max_size, getsizeof=getsizeof)
        self.max_entries = max_entries

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        while len(self) > self.max_entries:
            self.popitem()
