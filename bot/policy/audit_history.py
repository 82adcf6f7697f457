"""An RFC's history for ``rfc-bot audit``: its path through renames, each commit's pull request.

Pure: commit values in, steps out.

Both sources (a local checkout, GitHub's API) give the same values: every commit of the
branch with its parents and subject (``GraphCommit``), and the commits that touched the RFC
directory with what they did to each file (``Touch``), newest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# GitHub's merge commit ("Merge pull request #12 from owner/branch"), and its squash and
# rebase merges ("Title (#12)").
_MERGED = re.compile(r"^Merge pull request #(\d{1,9}) from \S")
_SQUASHED = re.compile(r"\(#(\d{1,9})\)\s*$")


@dataclass(frozen=True, slots=True)
class GraphCommit:
    sha: str
    parents: tuple[str, ...]
    subject: str


@dataclass(frozen=True, slots=True)
class FileTouch:
    """What one commit did to one file: ``A``dded, ``M``odified, ``D``eleted or ``R``enamed
    (``old`` is the path before; the same as ``path`` unless renamed)."""

    kind: str
    old: str
    path: str


@dataclass(frozen=True, slots=True)
class Touch:
    """A commit that changed files under the RFC directory, and what it did to each."""

    sha: str
    files: tuple[FileTouch, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One commit's change to one RFC: its path before (None: the commit created it) in the
    commit's first parent, and after."""

    sha: str
    before: str | None
    after: str


def pull_named(subject: str) -> int | None:
    """The pull request a commit subject says it merged, as GitHub writes it, else None."""
    match = _MERGED.match(subject) or _SQUASHED.search(subject)
    return int(match[1]) if match else None


def landing_pulls(commits: Iterable[GraphCommit], head: str) -> dict[str, int]:
    """Commit sha -> the pull request it came in by: each commit of the branch's first-parent
    line that names one (a merge, squash or rebase by GitHub) brings itself and every commit
    it makes reachable for the first time. Linear in the number of commits."""
    graph = {commit.sha: commit for commit in commits}
    line = []
    sha: str | None = head
    while sha is not None and sha in graph:
        line.append(sha)
        parents = graph[sha].parents
        sha = parents[0] if parents else None
    landed: dict[str, int] = {}
    seen: set[str] = set()
    for tip in reversed(line):  # oldest first: what an older tip reached is not new later
        pull = pull_named(graph[tip].subject)
        pending = [tip]
        while pending:
            current = pending.pop()
            if current in seen or current not in graph:
                continue
            seen.add(current)
            if pull is not None:
                landed[current] = pull
            pending.extend(graph[current].parents)
    return landed


def trace(path: str, touches: Sequence[Touch]) -> list[Step]:
    """The steps of the file at ``path`` (at the head), oldest first, followed back through
    renames (the App's numbering commits rename ``0000-slug.md`` to ``0042-slug.md``) to the
    commit that created it. ``touches`` are newest first, as ``git log`` lists them."""
    steps: list[Step] = []
    for touch in touches:
        change = next((f for f in touch.files if f.path == path and f.kind != "D"), None)
        if change is None:
            continue
        created = change.kind == "A"
        steps.append(Step(touch.sha, None if created else change.old, path))
        if created:
            break
        path = change.old
    return steps[::-1]


def first_parents(commits: Iterable[GraphCommit]) -> dict[str, str | None]:
    """Commit sha -> its first parent (None for a root commit)."""
    return {c.sha: (c.parents[0] if c.parents else None) for c in commits}
