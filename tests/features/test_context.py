"""The bounded caches a Context holds."""

from __future__ import annotations

import sys

from bot.features.context import BLOB_CACHE_BYTES, BoundedLRUCache, Context


def test_entry_cap_evicts_the_least_recently_used() -> None:
    cache = BoundedLRUCache(max_entries=2, max_size=1000, getsizeof=len)
    cache["a"], cache["b"] = "x", "y"
    assert cache["a"] == "x"  # "a" is now the most recently used
    cache["c"] = "z"
    assert sorted(cache) == ["a", "c"]


def test_size_cap_holds_even_with_room_for_more_entries() -> None:
    cache = BoundedLRUCache(max_entries=100, max_size=10, getsizeof=len)
    cache["a"], cache["b"] = "x" * 6, "y" * 6
    assert list(cache) == ["b"]
    assert cache.currsize == 6


def test_blob_texts_count_memory_not_characters() -> None:
    texts = Context().blob_texts
    texts["sha"] = ""
    assert texts.currsize == sys.getsizeof("") > 0  # empty texts still use up the budget
    assert texts.maxsize == BLOB_CACHE_BYTES
