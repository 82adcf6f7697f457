"""A changed file's ``patch`` as GitHub lists it (pull request files, a commit's files): the
unified diff's hunks with three lines of context and no file headers, lines split at ``\\n``
as git splits them, ``\\ No newline at end of file`` after a last line without one.

GitHub leaves ``patch`` out for a binary file (git's test: a NUL in the first 8,000 bytes) and
for a diff over its limits ("No single file's diff may exceed 20,000 lines ... or 500 KB of
raw diff data", docs.github.com, Repository limits); tests lower the limits through
``PatchLimits``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 3
_BINARY_PROBE = 8_000
_NO_NEWLINE = "\\ No newline at end of file"

# A line and whether a newline ends it: "x" at the end of a file differs from "x\n".
Line = tuple[str, bool]


@dataclass
class PatchLimits:
    """GitHub's limits on one file's diff, changeable by tests (``sim.patch_limits``)."""

    max_bytes: int = 500_000
    max_lines: int = 20_000


@dataclass(frozen=True)
class FileDiff:
    """What GitHub says of one changed file's content: its counts, and its patch (None when
    GitHub leaves it out)."""

    additions: int
    deletions: int
    patch: str | None


def file_diff(old: bytes | None, new: bytes | None, limits: PatchLimits) -> FileDiff:
    if _binary(old) or _binary(new):
        return FileDiff(0, 0, None)
    before, after = _lines(old), _lines(new)
    matcher = difflib.SequenceMatcher(None, before, after)
    additions = deletions = 0
    body: list[str] = []
    for group in matcher.get_grouped_opcodes(CONTEXT):
        body.append(_header(group))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                body += _quote(" ", before[i1:i2])
                continue
            body += _quote("-", before[i1:i2])
            body += _quote("+", after[j1:j2])
            deletions += i2 - i1
            additions += j2 - j1
    patch = "\n".join(body)
    too_big = len(body) > limits.max_lines or len(patch.encode()) > limits.max_bytes
    return FileDiff(additions, deletions, None if too_big else patch)


def _binary(data: bytes | None) -> bool:
    return data is not None and b"\x00" in data[:_BINARY_PROBE]


def _lines(data: bytes | None) -> list[Line]:
    if not data:
        return []
    text = data.decode("utf-8", "replace")
    parts = text.split("\n")
    last = parts.pop()  # "" when the text ends with a newline
    lines: list[Line] = [(part, True) for part in parts]
    if last:
        lines.append((last, False))
    return lines


def _quote(prefix: str, lines: list[Line]) -> list[str]:
    quoted: list[str] = []
    for text, ended in lines:
        quoted.append(prefix + text)
        if not ended:
            quoted.append(_NO_NEWLINE)
    return quoted


def _header(group: list[tuple[str, int, int, int, int]]) -> str:
    first, last = group[0], group[-1]
    return f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@"


def _range(start: int, stop: int) -> str:
    """git's and difflib's hunk range: ``start`` (1-based) and a count unless it is 1; an
    empty range names the line before it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + (length > 0)},{length}"
