"""A file's new text rebuilt from the ``patch`` of a pull request's file listing, and proven.

GitHub's listing gives each file's diff (``patch``, hunks only) and the blob sha of its new
version (``sha``). Applied to the old text (nothing, for an added file), the patch gives the
new text; hashed as git hashes a blob, it must give that sha, or it is not used. So a patch
GitHub left out (too big, binary), cut short, or that does not fit the old text at hand
costs nothing but the contents request it would have saved: the text used is always the
file's, byte for byte.

One pass over the patch and the old text, no regular expression: both are user content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

_NO_NEWLINE = "\\"  # "\ No newline at end of file": the line before it has no newline


def blob_sha(data: bytes) -> str:
    """The git blob sha of ``data`` (what GitHub gives as a file's ``sha``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def listed_commit(entry: Mapping[str, Any]) -> str | None:
    """The commit a listing entry describes: the ``ref`` of its ``contents_url``."""
    url = entry.get("contents_url")
    if not isinstance(url, str):
        return None
    refs = parse_qs(urlsplit(url).query).get("ref")
    return refs[0] if refs else None


def text_from_listing(entry: Mapping[str, Any], old: bytes | None) -> bytes | None:
    """The new text of a listed file: its ``patch`` applied to ``old`` (None: an added file),
    or None unless the result is exactly the blob the entry names."""
    patch, sha = entry.get("patch"), entry.get("sha")
    if not isinstance(patch, str) or not isinstance(sha, str):
        return None
    try:
        old_lines = _lines(old.decode("utf-8")) if old is not None else []
        new = "".join(_apply(patch, old_lines)).encode("utf-8")
    except (UnicodeError, _Misfit):  # not UTF-8, or not this old text's patch
        return None
    return new if blob_sha(new) == sha else None


class _Misfit(Exception):
    """The patch does not read as a patch, or does not fit the old text."""


def _lines(text: str) -> list[str]:
    """Lines as git splits them: at ``\\n`` only, each keeping it (the last may lack it)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _apply(patch: str, old: list[str]) -> list[str]:
    new: list[str] = []
    lines = patch.split("\n")
    if lines[-1] == "":  # a patch that ends with a newline
        lines.pop()
    at = 0  # the next line of the patch
    kept = 0  # old lines consumed
    while at < len(lines):
        start, old_count, new_count = _hunk_header(lines[at])
        if start < kept or start > len(old):
            raise _Misfit
        new += old[kept:start]
        kept = start
        at += 1
        while old_count or new_count:
            if at >= len(lines) or not lines[at]:
                raise _Misfit
            mark, body = lines[at][0], lines[at][1:] + "\n"
            at += 1
            if at < len(lines) and lines[at].startswith(_NO_NEWLINE):
                body, at = body[:-1], at + 1
            if mark in " -":
                if kept >= len(old) or old[kept] != body or not old_count:
                    raise _Misfit
                kept, old_count = kept + 1, old_count - 1
            if mark in " +":
                if not new_count:
                    raise _Misfit
                new.append(body)
                new_count -= 1
            if mark not in " -+":
                raise _Misfit
    return new + old[kept:]


def _hunk_header(line: str) -> tuple[int, int, int]:
    """``@@ -a,b +c,d @@ ...`` -> (0-based old start, old count, new count)."""
    if not line.startswith("@@ -"):
        raise _Misfit
    old_range, _, rest = line[4:].partition(" +")
    new_range = rest.partition(" @@")[0]
    old_start, old_count = _range(old_range)
    _, new_count = _range(new_range)
    # An empty old side names the line before the insertion (0: the top of the file).
    return (old_start if old_count == 0 else old_start - 1), old_count, new_count


def _range(text: str) -> tuple[int, int]:
    start, comma, count = text.partition(",")
    if not _number(start) or (comma and not _number(count)):
        raise _Misfit
    return int(start), int(count) if comma else 1


def _number(text: str) -> bool:
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()
