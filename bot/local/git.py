"""Files as they were at a git revision of the local repository, for ``rfc-bot lint --base``.

This runs the ``git`` program on the checkout the command runs in (``git cat-file``), so it
lives apart from the engine (``bot.rfc`` runs no subprocesses) and from ``bot.github`` (which
reads the same history over GitHub's API, for the App). A GitHub Action runs in a checkout
too, and can use this module as it is.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


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
        try:
            relative = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            raise GitError(f"{path.as_posix()} is outside the git repository") from None
        spec = f"{self.ref}:{relative}"
        if _git(self.root, "cat-file", "-e", spec).returncode:
            return None
        shown = _git(self.root, "cat-file", "blob", spec)
        if shown.returncode:
            reason = shown.stderr.decode(errors="replace").strip()  # stays one stderr line
            raise GitError(f"git cannot read {spec}: {reason}")
        return shown.stdout


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
