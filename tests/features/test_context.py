"""The Context: built once and frozen, with the bounded caches the features own."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from bot.features.caches import BoundedLRUCache, Caches
from bot.features.context import Context
from bot.features.dashboard import DashboardCache
from bot.features.numbering import BLOB_CACHE_BYTES, BlobTexts


def test_entry_cap_evicts_the_least_recently_used() -> None:
    cache = BoundedLRUCache[str, str](max_entries=2, max_size=1000, getsizeof=len)
    cache["a"], cache["b"] = "x", "y"
    assert cache["a"] == "x"  # "a" is now the most recently used
    cache["c"] = "z"
    assert sorted(cache) == ["a", "c"]


def test_size_cap_holds_even_with_room_for_more_entries() -> None:
    cache = BoundedLRUCache[str, str](max_entries=100, max_size=10, getsizeof=len)
    cache["a"], cache["b"] = "x" * 6, "y" * 6
    assert list(cache) == ["b"]
    assert cache.currsize == 6


def test_blob_texts_count_memory_not_characters() -> None:
    texts = Context().caches.of(BlobTexts)
    texts["sha"] = ""
    assert texts.currsize == sys.getsizeof("") > 0  # empty texts still use up the budget
    assert texts.maxsize == BLOB_CACHE_BYTES


def test_each_cache_type_has_one_value_per_context() -> None:
    first, second = Context(), Context()
    assert first.caches.of(DashboardCache) is first.caches.of(DashboardCache)
    assert first.caches.of(DashboardCache) is not second.caches.of(DashboardCache)
    assert isinstance(Caches().of(BlobTexts), BlobTexts)


def test_a_context_is_not_changed_after_it_is_built() -> None:
    ctx = Context()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.app_id = 1  # type: ignore[misc]
    changed = dataclasses.replace(ctx, app_id=1)
    assert (changed.app_id, ctx.app_id) == (1, None)
