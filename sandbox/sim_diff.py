"""A file's ``patch`` as GitHub's pull request file listing gives it, with GitHub's limits.

GitHub's ``patch`` is the unified diff of one file without its ``---``/``+++`` header: hunks
with three lines of context, ``\\ No newline at end of file`` after a last line that has no
newline, and no newline at the end of the text. It is left out for a binary file and for a
diff too big to show: GitHub's documented limits are 3,000 lines or 100 KB of diff for one
file, and 20,000 lines or 1 MB for all the files of one view (one page of the listing); the
files of a page past its limit also report 0 additions, deletions and changes (observed,
github.com/orgs/community/discussions/213491).
"""

from __future__ import annotations

import difflib

FILE_MAX_LINES = 3_000
FILE_MAX_BYTES = 100 * 1024
VIEW_MAX_LINES = 20_000
VIEW_MAX_BYTES = 1024 * 1024
_NO_NEWLINE = "\\ No newline at end of file"


def unified_patch(before: bytes | None, after: bytes | None) -> str | None:
    """``before`` -> ``after`` (None: the file does not exist on that side) as GitHub's
    ``patch``, or None for a binary file or a diff past one file's limit."""
    try:
        old, new = _lines(before or b""), _lines(after or b"")
    except UnicodeDecodeError:
        return None  # binary: GitHub shows no diff
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        lines.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += _marked(" ", old[i1:i2])
                continue
            lines += _marked("-", old[i1:i2])
            lines += _marked("+", new[j1:j2])
    patch = "\n".join(lines)
    if len(lines) > FILE_MAX_LINES or len(patch.encode()) > FILE_MAX_BYTES:
        return None
    return patch or None


def _lines(data: bytes) -> list[str]:
    """The lines as git splits them: at ``\n`` only, each keeping it (the last may lack it)."""
    parts = data.decode("utf-8").split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _range(start: int, stop: int) -> str:
    """A hunk side as ``git diff`` writes it: 1-based start, and the length unless it is 1;
    an empty side starts at the line before it (0 for an empty file)."""
    length = stop - start
    if length == 0:
        return f"{start},0"
    return f"{start + 1}" if length == 1 else f"{start + 1},{length}"


def _marked(mark: str, lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(mark + line[:-1])
        else:
            out += [mark + line, _NO_NEWLINE]
    return out


def within_view(patches: list[str | None]) -> list[bool]:
    """For the files of one page, in order: whether each still fits the view's limits (the
    files past them lose their patch and their line counts)."""
    fits: list[bool] = []
    lines = size = 0
    for patch in patches:
        if patch is not None:
            lines += patch.count("\n") + 1
            size += len(patch.encode())
        fits.append(lines <= VIEW_MAX_LINES and size <= VIEW_MAX_BYTES)
    return fits
