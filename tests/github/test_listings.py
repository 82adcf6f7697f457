"""The sweep's conditional-request cache: listings and small files are kept, other GETs and
large files pass through."""

from __future__ import annotations

from typing import Any

from bot.github.listings import SMALL_CONTENTS_CHARS, ListingCache

BASE = "https://api.github.com"


def entry(data: Any) -> tuple[str, None, Any, None]:
    return ('W/"etag"', None, data, None)


def file_item(content: str) -> dict[str, Any]:
    return {"type": "file", "path": "rfcs/0001-x.md", "content": content}


def test_listings_are_kept_and_other_reads_are_not() -> None:
    cache = ListingCache(BASE)
    cache[f"{BASE}/repos/o/r/pulls?state=open"] = entry([])
    cache[f"{BASE}/repos/o/r/pulls/7"] = entry({})  # one pull request: read when it changed
    assert list(cache) == [f"{BASE}/repos/o/r/pulls?state=open"]


def test_small_files_are_kept_large_ones_and_directories_are_not() -> None:
    cache = ListingCache(BASE, files=True)
    small = f"{BASE}/repos/o/r/contents/rfcs/0001-x.md?ref=abc"
    large = f"{BASE}/repos/o/r/contents/rfcs/0002-y.md?ref=abc"
    directory = f"{BASE}/repos/o/r/contents/rfcs?ref=abc"
    cache[small] = entry(file_item("x" * SMALL_CONTENTS_CHARS))
    cache[large] = entry(file_item("x" * (SMALL_CONTENTS_CHARS + 1)))
    cache[directory] = entry([file_item("")])
    cache[f"{BASE}/repos/o/r/contents/odd"] = ("not", "gidgethub's", "shape")
    assert list(cache) == [small]
    without_files = ListingCache(BASE)
    without_files[small] = entry(file_item("x"))
    assert list(without_files) == []


def test_the_cache_is_bounded() -> None:
    cache = ListingCache(BASE, maxsize=2)
    for number in range(3):
        cache[f"{BASE}/repos/o/r/issues/{number}/comments"] = entry([])
    assert len(cache) == 2
