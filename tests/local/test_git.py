"""GitRevision: files as they were at a ref of a local repository, and git's failures as one
line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.local.git import GitError, GitRevision, git_root
from tests.cli.helpers import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit on main holds rfcs/0001-a.md."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "rfcs").mkdir()
    (tmp_path / "rfcs/0001-a.md").write_bytes(b"# Old\r\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_old_versions_are_the_committed_bytes(repo: Path) -> None:
    (repo / "rfcs/0001-a.md").write_text("# New\n")
    (repo / "rfcs/0002-b.md").write_text("# Added\n")
    revision = GitRevision.open(repo / "rfcs", "main")
    assert revision.root == repo
    assert revision.old_version(repo / "rfcs/0001-a.md") == b"# Old\r\n"  # bytes, as stored
    assert revision.old_version(repo / "rfcs/0002-b.md") is None  # new since main


def test_any_commit_ish_is_a_ref(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert GitRevision.open(repo, head[:12]).old_version(repo / "rfcs/0001-a.md") == b"# Old\r\n"


@pytest.mark.parametrize(
    "ref", ["no-such-ref", "main:rfcs", "main^{tree}", "--help", "--output=pwned", "-q"]
)
def test_an_unknown_ref_fails_at_open(repo: Path, ref: str) -> None:
    """Hostile refs too: one that looks like an option is never taken as one."""
    before = sorted(repo.iterdir())
    with pytest.raises(GitError, match=r"^unknown git ref: "):
        GitRevision.open(repo, ref)
    assert sorted(repo.iterdir()) == before


def test_outside_a_repository(tmp_path: Path) -> None:
    assert git_root(tmp_path) is None
    with pytest.raises(GitError, match=r"^--base needs a git repository$"):
        GitRevision.open(tmp_path, "main")


def test_a_file_outside_the_repository(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "b.md"
    with pytest.raises(GitError, match=r"is outside the git repository$"):
        GitRevision.open(repo, "main").old_version(outside)


def test_a_path_that_was_a_directory_at_the_ref(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.md").mkdir()
    (tmp_path / "a.md/inner.md").write_text("# Inner\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    with pytest.raises(GitError, match=r"^git cannot read main:a.md: ") as raised:
        GitRevision.open(tmp_path, "main").old_version(tmp_path / "a.md")
    assert "\n" not in str(raised.value)


def test_without_git_installed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin"))
    with pytest.raises(GitError, match=r"^cannot run git: No such file or directory$"):
        GitRevision.open(repo, "main")


def test_the_root_is_the_closest_git_directory(repo: Path) -> None:
    nested = repo / "vendor" / "other"
    (nested / ".git").mkdir(parents=True)
    assert git_root(nested / "deep") == nested  # need not exist: only its parents are read
    assert git_root(repo / "rfcs") == repo
