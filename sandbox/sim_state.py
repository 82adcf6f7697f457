"""The simulator's in-memory GitHub: repositories, git objects, pull requests and the rest.

Pure data and git operations, no HTTP: ``sim_render`` renders this state as GitHub JSON, the
routes (``sandbox/routes``) answer from it and the scenario API exposes it to tests. Blob
shas are real git blob shas; tree and commit shas are content hashes in git's format (40 hex
digits) but not byte-identical to git's.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.sim_patch import PatchLimits, file_diff

PERMISSION_LEVELS = ("none", "read", "triage", "write", "maintain", "admin")
DEFAULT_LABEL_COLOR = "ededed"
# Seconds the simulator's clocks start away from the machine's time (see ``Clock``).
CLOCK_OFFSET_VARIABLE = "SIM_CLOCK_OFFSET_SECONDS"


class ApiError(Exception):
    """A GitHub error response: status plus the JSON ``message`` (and optional ``errors``)."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


class Clock:
    """The simulator's time: every timestamp it writes (commits, pull requests, comments,
    check runs, reviews, tokens, rate-limit windows) comes from here.

    By default it follows the wall clock moved by ``SIM_CLOCK_OFFSET_SECONDS`` (the test suite
    sets a random one, printed in its header, so that no test depends on the day it runs); tests
    move it with :meth:`advance` or stop it with :meth:`freeze` (a frozen clock still moves when
    advanced). The App under test reads this clock too (``sandbox.harness``). Whole seconds,
    like GitHub's timestamps.
    """

    def __init__(self, offset: timedelta | None = None) -> None:
        self._offset = default_offset() if offset is None else offset
        self._frozen: datetime | None = None

    def follow_the_machine(self) -> None:
        """Run on the machine's own time, for an App in another process: it reads the machine's
        clock as in production, and GitHub's clock agrees with it. Call it before the scene is
        built, or after freezing in the past: it may otherwise move time backwards."""
        self._offset, self._frozen = timedelta(0), None

    def now(self) -> datetime:
        moment = self._frozen or datetime.now(UTC) + self._offset
        return moment.replace(microsecond=0)

    def advance(self, by: timedelta | float) -> datetime:
        """Move time forward (seconds or a timedelta); returns the new now."""
        delta = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._offset += delta
        return self.now()

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at ``at`` (an aware datetime; default: now)."""
        if at is not None and at.tzinfo is None:
            raise ValueError("give an aware datetime (e.g. tzinfo=UTC)")
        self._frozen = (at or self.now()).astimezone(UTC)
        return self.now()

    def resume(self) -> None:
        """Let a frozen clock run again from where it stands."""
        if self._frozen is not None:
            self._offset = self._frozen - datetime.now(UTC)
            self._frozen = None


def default_offset() -> timedelta:
    """The offset from the machine's time that new clocks start at (``SIM_CLOCK_OFFSET_SECONDS``,
    0 when unset)."""
    raw = os.environ.get(CLOCK_OFFSET_VARIABLE, "").strip()
    try:
        return timedelta(seconds=int(raw or 0))
    except ValueError:
        raise ValueError(f"{CLOCK_OFFSET_VARIABLE} must be whole seconds, not {raw!r}") from None


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _hash(kind: str, payload: Any) -> str:
    data = json.dumps(payload, sort_keys=True).encode()
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


Files = dict[str, str]  # path -> blob sha: a whole tree, flattened


@dataclass
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: str
    date: datetime
    sequence: int  # creation order, to sort commits made within the same second
    committer: str = ""  # empty: the author committed it

    @property
    def committed_by(self) -> str:
        return self.committer or self.author


@dataclass
class ObjectStore:
    """Git objects; a fork shares its parent's store as GitHub's forks share objects."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, Files] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)
    _sequence: itertools.count[int] = field(default_factory=itertools.count)

    def put_blob(self, content: bytes) -> str:
        sha = blob_sha(content)
        self.blobs[sha] = content
        return sha

    def put_tree(self, files: Files) -> str:
        """Store a flattened tree and every subtree below it; returns the root tree sha."""
        for directory in {"", *directories(files)}:
            sub = subtree(files, directory)
            self.trees.setdefault(_hash("tree", sub), sub)
        return _hash("tree", files)

    def put_commit(
        self,
        tree: str,
        parents: tuple[str, ...],
        message: str,
        author: str,
        date: datetime | None = None,
        committer: str = "",
    ) -> Commit:
        sequence = next(self._sequence)
        sha = _hash("commit", [tree, parents, message, author, committer, sequence])
        moment = date or self.clock.now()
        commit = Commit(sha, tree, parents, message, author, moment, sequence, committer)
        self.commits[sha] = commit
        return commit

    def files_at(self, commit_sha: str) -> Files:
        return self.trees[self.commits[commit_sha].tree]

    def ancestors(self, sha: str) -> set[str]:
        """``sha`` and every commit reachable from it."""
        seen: set[str] = set()
        pending = [sha]
        while pending:
            current = pending.pop()
            if current in seen or current not in self.commits:
                continue
            seen.add(current)
            pending.extend(self.commits[current].parents)
        return seen

    def history(self, sha: str) -> list[Commit]:
        """Every commit reachable from ``sha``, newest first (as GitHub lists commits)."""
        commits = [self.commits[s] for s in self.ancestors(sha)]
        return sorted(commits, key=lambda c: (c.date, c.sequence), reverse=True)

    def merge_base(self, a: str, b: str) -> str | None:
        common = self.ancestors(a) & self.ancestors(b)
        if not common:
            return None
        return max(common, key=lambda s: (self.commits[s].date, self.commits[s].sequence))


def directories(files: Files) -> set[str]:
    found = set()
    for path in files:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            found.add("/".join(parts[:depth]))
    return found


def subtree(files: Files, directory: str) -> Files:
    if not directory:
        return dict(sorted(files.items()))
    prefix = directory + "/"
    return {p.removeprefix(prefix): s for p, s in sorted(files.items()) if p.startswith(prefix)}


@dataclass
class FileChange:
    filename: str
    status: str  # added | modified | removed | renamed
    sha: str | None  # blob sha of the new version (None when removed)
    previous_filename: str | None = None
    additions: int = 0
    deletions: int = 0
    patch: str | None = None  # None: GitHub leaves it out (binary, too large, no change)


def diff_files(
    store: ObjectStore, old: Files, new: Files, limits: PatchLimits | None = None
) -> list[FileChange]:
    """The files that differ from ``old`` to ``new``, with renames detected as git does,
    each with its patch within ``limits`` (GitHub's by default)."""
    limits = limits or PatchLimits()
    changes: list[FileChange] = []
    added = sorted(p for p in new if p not in old)
    removed = sorted(p for p in old if p not in new)
    for path in sorted(p for p in new if p in old and new[p] != old[p]):
        changes.append(_change(store, path, "modified", old[path], new[path], limits))
    for path in added:
        source = _rename_source(store, new[path], [old[r] for r in removed], removed)
        if source is not None:
            removed.remove(source)
            change = _change(store, path, "renamed", old[source], new[path], limits)
            change.previous_filename = source
        else:
            change = _change(store, path, "added", None, new[path], limits)
        changes.append(change)
    changes.extend(_change(store, path, "removed", old[path], None, limits) for path in removed)
    return sorted(changes, key=lambda c: c.filename)


def _rename_source(
    store: ObjectStore, sha: str, candidates: list[str], paths: list[str]
) -> str | None:
    # git's default rename threshold: at least 50% similar content.
    best, best_ratio = None, 0.5
    text = store.blobs[sha].decode("utf-8", "replace").splitlines()
    for path, candidate in zip(paths, candidates, strict=True):
        if candidate == sha:
            return path
        other = store.blobs[candidate].decode("utf-8", "replace").splitlines()
        ratio = difflib.SequenceMatcher(None, other, text, autojunk=False).ratio()
        if ratio >= best_ratio:
            best, best_ratio = path, ratio
    return best


def _change(
    store: ObjectStore,
    path: str,
    status: str,
    old: str | None,
    new: str | None,
    limits: PatchLimits,
) -> FileChange:
    if old == new:  # a pure rename: GitHub lists no patch, and no line changed
        return FileChange(path, status, new)
    diff = file_diff(store.blobs[old] if old else None, store.blobs[new] if new else None, limits)
    # GitHub's patch has at least one hunk; an empty one (an empty file added) is left out.
    return FileChange(path, status, new, None, diff.additions, diff.deletions, diff.patch or None)


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None


@dataclass
class Reaction:
    id: int
    user: str
    user_type: str
    content: str
    created_at: datetime


@dataclass
class Comment:
    id: int
    issue_number: int
    user: str
    user_type: str
    body: str
    created_at: datetime
    updated_at: datetime
    reactions: list[Reaction] = field(default_factory=list)
    app_id: int | None = None  # the App it was made through (installation token), else None


@dataclass
class Review:
    id: int
    pull_number: int
    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    body: str
    commit_id: str
    submitted_at: datetime
    dismissed_by: str | None = None  # who dismissed it (state DISMISSED), else None
    dismissal_message: str | None = None


@dataclass
class TeamMembership:
    login: str  # as given when added (logins are case-insensitive, shown as written)
    role: str  # member | maintainer
    state: str  # active | pending (invited, not yet accepted)


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: datetime | None
    completed_at: datetime | None
    output: dict[str, Any]
    external_id: str | None
    details_url: str | None
    suite_id: int
    app_id: int  # the App that created it
    annotations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Issue:
    """An issue that is not a pull request (they share the repository's numbers)."""

    number: int
    id: int
    title: str
    body: str
    user: str
    user_type: str
    created_at: datetime
    updated_at: datetime
    app_id: int | None = None  # the App it was made through (installation token), else None
    state: str = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class PullRequest:
    number: int
    id: int
    title: str
    body: str
    user: str
    base_ref: str
    head_ref: str
    head_repo: Repo
    head_sha: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    draft: bool = False
    merged: bool = False
    merged_at: datetime | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    closed_at: datetime | None = None
    maintainer_can_modify: bool = True
    labels: list[str] = field(default_factory=list)
    merge_base_sha: str | None = None  # frozen at merge, so the file list stays the PR's
    reactions: list[Reaction] = field(default_factory=list)  # to the pull request itself

    def current_head(self) -> str:
        """Follow the head branch while it exists (pushes move the PR's head and, as on
        GitHub, its ``updated_at``)."""
        if self.state == "open":
            moved = self.head_repo.branches.get(self.head_ref, self.head_sha)
            if moved != self.head_sha:
                self.head_sha = moved
                self.touch(self.head_repo.objects.commits[moved].date)
        return self.head_sha

    def touch(self, moment: datetime) -> None:
        self.updated_at = max(self.updated_at, moment)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    owner_type: str
    default_branch: str
    installation_id: int | None
    objects: ObjectStore
    branches: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # other refs ("x/y" of refs/x/y) -> sha
    protected: set[str] = field(default_factory=set)
    permissions: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # lower-cased name -> label
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)  # those that are not pull requests
    comments: dict[int, Comment] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)
    check_suites: dict[str, int] = field(default_factory=dict)  # head sha -> suite id
    fork_of: Repo | None = None
    next_number: int = 1
    private: bool = False
    web_url: str = "https://github.com"  # where its html_url links go (sim.link_here)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def resolve(self, ref: str) -> str:
        """A branch name, ``heads/x``/``refs/heads/x``, ``refs/pull/N/head`` or (short) sha."""
        name = ref.removeprefix("refs/").removeprefix("heads/")
        if name in self.branches:
            return self.branches[name]
        if name.startswith("pull/") and name.endswith("/head"):
            number = name.removeprefix("pull/").removesuffix("/head")
            if number.isdigit() and int(number) in self.pulls:
                return self.pulls[int(number)].current_head()
        if len(ref) >= 7 and all(c in "0123456789abcdef" for c in ref):
            matches = [s for s in self.objects.commits if s.startswith(ref)]
            if len(matches) == 1:
                return matches[0]
        raise ApiError(404, f"No commit found for the ref {ref}")

    def commit(
        self,
        branch: str,
        changes: Mapping[str, str | bytes | None],
        message: str,
        author: str,
        committer: str = "",
    ) -> str:
        """Apply ``changes`` (None deletes) on top of ``branch`` (made from the default)."""
        parent = self.branches.get(branch) or self.branches.get(self.default_branch)
        files = dict(self.objects.files_at(parent)) if parent else {}
        for path, content in changes.items():
            if content is None:
                files.pop(path, None)
            else:
                data = content.encode() if isinstance(content, str) else content
                files[path] = self.objects.put_blob(data)
        tree = self.objects.put_tree(files)
        commit = self.objects.put_commit(
            tree, (parent,) if parent else (), message, author, committer=committer
        )
        self.branches[branch] = commit.sha
        return commit.sha

    def label(self, name: str) -> Label | None:
        return self.labels.get(name.lower())

    def take_number(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    def permission_of(self, user: str) -> str:
        # GitHub answers "read" for a user without explicit access to a public repository,
        # and "none" (the legacy base role of no access) on a private one.
        return self.permissions.get(user.lower(), "none" if self.private else "read")
