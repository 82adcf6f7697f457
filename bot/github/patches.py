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
    """The new text's pieces. Only the hunks' shape is checked here (order, counts, marks):
    whether the result is the file is for the blob sha to say. The patch is cut at its hunk
    headers only, and each hunk's marks counted and stripped on its text (C loops): a 20 KB
    added file costs no Python loop per line."""
    patch = patch.removesuffix("\n")
    if not patch.startswith("@@"):
        raise _Misfit
    pieces: list[str] = []
    kept = 0  # old lines consumed
    at = 0
    while at < len(patch):
        header_end = patch.find("\n", at)
        header_end = len(patch) if header_end < 0 else header_end
        next_hunk = patch.find("\n@@", header_end)
        next_hunk = len(patch) if next_hunk < 0 else next_hunk
        start, old_count, new_count = _hunk_header(patch[at:header_end])
        if start < kept:
            raise _Misfit
        pieces += old[kept:start]
        pieces.append(_hunk_text(patch[header_end:next_hunk], old_count, new_count))
        kept = start + old_count
        at = next_hunk + 1
    return pieces + old[kept:]


def _hunk_text(body: str, old_count: int, new_count: int) -> str:
    """The new side of one hunk, from its lines (``body``: each line after a newline)."""
    lines = body.count("\n")
    added = body.replace("\n+", "\n")  # one mark less per line that adds
    plus = len(body) - len(added)
    if plus == lines and old_count == 0 and new_count == lines:  # a new file, an insertion
        return added[1:] + "\n"
    last = body.rpartition("\n")
    if plus == lines - 1 == new_count and not old_count and last[2].startswith(_NO_NEWLINE):
        return last[0].replace("\n+", "\n")[1:]  # ... whose last line has no newline
    return _mixed_hunk_text(body[1:].split("\n"), old_count, new_count)


def _mixed_hunk_text(lines: list[str], old_count: int, new_count: int) -> str:
    new: list[str] = []
    old_seen = 0
    for line in lines:
        mark = line[:1]
        if mark == "+" or mark == " ":
            new.append(line[1:])
        if mark == "-" or mark == " ":
            old_seen += 1
        elif mark != "+" and mark != _NO_NEWLINE:
            raise _Misfit  # a line with no mark, or an unknown one
    if len(new) != new_count or old_seen != old_count:
        raise _Misfit
    if not new:
        return ""
    return "\n".join(new) + ("" if _last_lacks_newline(lines) else "\n")


def _last_lacks_newline(body: list[str]) -> bool:
    """Whether the hunk's last new-side line ends the file without a newline."""
    for at in range(len(body) - 1, 0, -1):
        if body[at].startswith(_NO_NEWLINE) and body[at - 1][:1] in " +":
            return True
        if body[at][:1] in " +":
            return False
    return False


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
