"""The local repository's history, read by running git: files at a revision, commits.

Files as they were at a revision serve ``rfc-bot lint --base``; the commits that touched the
RFC directory, with their messages and the files' versions, serve ``rfc-bot audit``.

This runs the ``git`` program on the checkout the command runs in, so it lives apart from the
engine (``bot.rfc`` runs no subprocesses) and from ``bot.github`` (which reads the same
history over GitHub's API). A GitHub Action runs in a checkout too, and can use this module
as it is. What git prints is read NUL-separated, so no file name or message can forge a field.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime
from pathlib import Path

from bot.policy.audit import CommitInfo, Version
from bot.policy.audit_history import FileTouch, GraphCommit, Touch

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_CHANGE = re.compile(r"^[ACDMRTUXB][0-9]*$")  # a --name-status letter, with its score
# A remote on a host (``scheme://host/owner/name``, ``user@host:owner/name``), not a path.
_REMOTE = re.compile(
    r"^(?:[A-Za-z][\w+.-]*://(?:[^@/]*@)?[^/]+/|[\w.-]+@[\w.-]+:)"
    r"(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)(?:\.git)?/?$"
)


class GitError(Exception):
    """git is missing, the ref is unknown, or git refused to read: ``str(error)`` is one line
    for the user."""


def git_root(start: Path) -> Path | None:
    """The closest directory at or above ``start`` that holds ``.git``, if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


class GitRevision:
    """The files at one commit of a local repository, read on demand.

    ``open`` checks the repository and the ref once, so a bad ref fails before any file is
    linted. Instances are used by forked lint workers: they hold only a path and a ref.
    """

    def __init__(self, root: Path, ref: str) -> None:
        self.root, self.ref = root, ref

    @classmethod
    def open(cls, start: Path, ref: str) -> GitRevision:
        """The revision ``ref`` of the repository holding ``start``; GitError when there is
        no repository or no such commit."""
        root = git_root(start.resolve())
        if root is None:
            raise GitError("--base needs a git repository")
        if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode:
            raise GitError(f"unknown git ref: {ref}")
        return cls(root, ref)

    def old_version(self, path: Path) -> bytes | None:
        """The file's content at the ref; None when it did not exist there (a new file)."""
        spec = f"{self.ref}:{self._relative(path)}"
        if _git(self.root, "cat-file", "-e", spec).returncode:
            return None
        shown = _git(self.root, "cat-file", "blob", spec)
        if shown.returncode:
            reason = shown.stderr.decode(errors="replace").strip()  # stays one stderr line
            raise GitError(f"git cannot read {spec}: {reason}")
        return shown.stdout

    def diff(self, path: Path) -> str:
        """The unified diff, without context lines, from the file at the ref to the file on
        disk: what the legacy pass reads the touched lines from (``bot.rfc.touched``)."""
        relative = self._relative(path)
        done = _git(self.root, *_DIFF, self.ref, "--", relative)
        if done.returncode:
            raise GitError(f"git cannot compare {relative} with {self.ref}: {_reason(done)}")
        return done.stdout.decode("utf-8", "replace")

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            raise GitError(f"{path.as_posix()} is outside the git repository") from None


class GitHistory:
    """The history of the branch checked out in a local repository, read for ``rfc-bot
    audit``: its commits, those that touched a directory (through renames), the files at the
    head and their versions."""

    def __init__(self, root: Path, head: str) -> None:
        self.root, self.head = root, head

    @classmethod
    def open(cls, start: Path) -> GitHistory:
        """The repository holding ``start``; GitError when there is none, it has no commit,
        or it is a shallow clone (its history would be cut short, and so would the audit)."""
        root = git_root(start.resolve())
        if root is None:
            raise GitError("audit needs a git repository (run it in a clone)")
        head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        if head.returncode:
            raise GitError("the git repository has no commit yet")
        if _output(root, "rev-parse", "--is-shallow-repository").strip() == "true":
            raise GitError(
                "this clone is shallow, so its history is cut short: fetch all of it "
                "(`git fetch --unshallow`; in GitHub Actions, actions/checkout with fetch-depth: 0)"
            )
        return cls(root, head.stdout.decode().strip())

    def graph(self) -> list[GraphCommit]:
        """Every commit reachable from the head: its parents and subject."""
        fields = _output(self.root, *_LOG, "--format=%H%x00%P%x00%s", self.head).split("\0")
        return [
            GraphCommit(sha.strip(), tuple(parents.split()), subject)
            for sha, parents, subject in zip(fields[0::3], fields[1::3], fields[2::3], strict=False)
            if sha.strip()
        ]

    def touches(self, directory: str) -> tuple[list[Touch], dict[str, CommitInfo]]:
        """The commits that changed files in ``directory`` (relative to the root), newest
        first with parents after children, renames detected; and who made each, when, with
        what message."""
        out = _output(
            self.root,
            *_LOG,
            "--topo-order",
            "-M",
            "--name-status",
            "--format=%H%x00%an%x00%cI%x00%B",
            self.head,
            "--",
            directory or ".",
        )
        return _parse_touches(out.split("\0"))

    def files(self, directory: str) -> list[str]:
        """The paths of the files directly in ``directory`` at the head."""
        spec = [self.head, "--", f"{directory}/"] if directory else [self.head]
        entries = _output(self.root, "ls-tree", "-z", *spec).split("\0")
        return [entry.partition("\t")[2] for entry in entries if " blob " in entry]

    def versions(self, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Version | None]:
        """(commit, path) -> the file there (None: no such file), read in one git process."""
        specs = sorted(wanted)
        plain = [spec for spec in specs if "\n" not in spec[1]]
        answer = _git(
            self.root,
            "cat-file",
            "--batch",
            stdin="".join(f"{sha}:{path}\n" for sha, path in plain).encode(),
        )
        if answer.returncode:
            raise GitError(f"git cannot read the RFC versions: {_reason(answer)}")
        found: dict[tuple[str, str], Version | None] = {}
        for (sha, path), read in zip(plain, _parse_batch(answer.stdout, len(plain)), strict=True):
            found[sha, path] = None if read is None else Version(path, read[1], read[0])
        for sha, path in specs:  # a name git's batch protocol cannot carry: one at a time
            if (sha, path) not in found:
                found[sha, path] = self._version(sha, path)
        return found

    def _version(self, sha: str, path: str) -> Version | None:
        blob = _git(self.root, "rev-parse", "--verify", "--quiet", f"{sha}:{path}")
        if blob.returncode:
            return None
        text = _output(self.root, "cat-file", "blob", blob.stdout.decode().strip())
        return Version(path, text, blob.stdout.decode().strip())

    def remote_repo(self) -> str | None:
        """``owner/name`` of the ``origin`` remote's URL (GitHub's shape), if any."""
        url = _git(self.root, "remote", "get-url", "origin")
        return None if url.returncode else repo_name(url.stdout.decode().strip())


def repo_name(url: str) -> str | None:
    """``owner/name`` from a remote's URL: ``https://host/owner/name.git``,
    ``git@host:owner/name``."""
    match = _REMOTE.match(url)
    return f"{match['owner']}/{match['name']}" if match else None


# One file's diff as plain hunks whatever the user's git config says: no colour, no external
# or converted diff, text even for a file git takes for binary, no context lines.
_DIFF = (
    "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--text", "--no-renames",
    "--unified=0",
)  # fmt: skip
# A type change is a modification; a copy (with diff.renames=copies) a new file.
_KINDS = {"T": "M", "C": "A"}
# Plain output whatever the user's git config says (signatures, colours, external diffs).
_LOG = ("log", "-z", "--no-show-signature", "--no-color", "--no-ext-diff", "--no-textconv")


def _parse_touches(tokens: list[str]) -> tuple[list[Touch], dict[str, CommitInfo]]:
    """``git log -z --format=%H%x00%an%x00%cI%x00%B --name-status`` as values: per commit its
    four fields, then ``status NUL path`` (``R… NUL old NUL new``) per file."""
    touches, commits, at = [], {}, 0
    while at + 3 < len(tokens):
        sha, author, date, message = tokens[at : at + 4]
        sha = sha.strip("\n")
        if not _SHA.match(sha):
            raise GitError("git log printed something unexpected")
        at += 4
        files = []
        while at < len(tokens) and _CHANGE.match(kind := tokens[at].lstrip("\n")):
            renamed = kind[0] in "RC"
            old, path = tokens[at + 1], tokens[at + 2 if renamed else at + 1]
            files.append(FileTouch(_KINDS.get(kind[0], kind[0]), old, path))
            at += 3 if renamed else 2
        touches.append(Touch(sha, tuple(files)))
        commits[sha] = CommitInfo(sha, author, datetime.fromisoformat(date), message)
    return touches, commits


def _parse_batch(out: bytes, count: int) -> list[tuple[str, str] | None]:
    """``git cat-file --batch`` answers, in the order asked: a header ``sha blob size`` and
    the content (read as (blob sha, text)), or ``... missing``."""
    found: list[tuple[str, str] | None] = []
    at = 0
    for _ in range(count):
        end = out.index(b"\n", at)
        header = out[at:end].decode(errors="replace")
        at = end + 1
        sha, kind, size = [*header.rsplit(" ", 2), "", ""][:3]
        if not size.isdigit():  # "<spec> missing" or "<spec> ambiguous"
            found.append(None)
            continue
        content = out[at : at + int(size)]
        at += int(size) + 1
        found.append((sha, content.decode(errors="replace")) if kind == "blob" else None)
    return found


def _output(root: Path, *args: str) -> str:
    done = _git(root, *args)
    if done.returncode:
        raise GitError(f"git {args[0]} failed: {_reason(done)}")
    return done.stdout.decode(errors="replace")


def _reason(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return lines[0] if lines else f"exit status {done.returncode}"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    command = ["git", "--literal-pathspecs", "-C", str(root), *args]
    try:
        return subprocess.run(command, input=stdin, capture_output=True, check=False)
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
