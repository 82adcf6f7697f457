"""GitRevision: files as they were at a ref of a local repository; GitHistory: the commits
rfc-bot audit reads; git's failures as one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.local.git import GitError, GitHistory, GitRevision, _parse_touches, git_root, repo_name
from bot.policy.audit import Version
from bot.policy.audit_history import FileTouch
from bot.rfc.touched import parse_patch
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


# --- the history rfc-bot audit reads -----------------------------------------------------------


def test_the_history_of_a_directory(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    git(repo, "mv", "rfcs/0001-a.md", "rfcs/0042-a.md")
    (repo / "rfcs/odd\nname.md").write_text("# Odd\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Rename (#5)\n\nWith a body.")
    history = GitHistory.open(repo / "rfcs")
    second = history.head
    assert [(c.sha, c.parents, c.subject) for c in history.graph()] == [
        (second, (first,), "Rename (#5)"),
        (first, (), "first"),
    ]
    touches, commits = history.touches("rfcs")
    assert [touch.sha for touch in touches] == [second, first]
    assert set(touches[0].files) == {
        FileTouch("R", "rfcs/0001-a.md", "rfcs/0042-a.md"),
        FileTouch("A", "rfcs/odd\nname.md", "rfcs/odd\nname.md"),
    }
    assert commits[second].message == "Rename (#5)\n\nWith a body.\n"
    assert sorted(history.files("rfcs")) == ["rfcs/0042-a.md", "rfcs/odd\nname.md"]
    versions = history.versions(
        {(second, "rfcs/0042-a.md"), (second, "rfcs/odd\nname.md"), (first, "rfcs/0042-a.md")}
    )
    assert versions[second, "rfcs/0042-a.md"] == Version(
        "rfcs/0042-a.md", "# Old\r\n", git(repo, "rev-parse", f"{second}:rfcs/0042-a.md")
    )
    odd = versions[second, "rfcs/odd\nname.md"]
    assert odd is not None and odd.text == "# Odd\n"  # read apart from the batch
    assert versions[first, "rfcs/0042-a.md"] is None
    assert history.versions({(first, "rfcs/odd\nname.md")}) == {(first, "rfcs/odd\nname.md"): None}


def test_the_remote_names_the_repository(repo: Path) -> None:
    assert GitHistory.open(repo).remote_repo() is None
    git(repo, "remote", "add", "origin", "https://github.com/octo-org/rfcs.git")
    assert GitHistory.open(repo).remote_repo() == "octo-org/rfcs"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/octo-org/rfcs.git", "octo-org/rfcs"),
        ("git@github.com:octo-org/rfcs.git", "octo-org/rfcs"),
        ("ssh://git@ghe.example.com/octo-org/rfcs/", "octo-org/rfcs"),
        ("/srv/git/rfcs", None),
        ("../rfcs", None),
        ("file:///srv/octo-org/rfcs", None),
    ],
)
def test_repo_name(url: str, name: str | None) -> None:
    assert repo_name(url) == name


def test_git_failing_is_one_line(repo: Path) -> None:
    history = GitHistory(repo, "0" * 40)
    with pytest.raises(GitError, match=r"^git ls-tree failed: fatal: "):
        history.files("rfcs")
    with pytest.raises(GitError, match=r"^git log printed something unexpected$"):
        _parse_touches(["not a sha", "a", "2024-01-01T00:00:00+00:00", "m"])


def test_diff_is_plain_hunks_whatever_the_git_config_says(repo: Path) -> None:
    """The legacy pass reads the touched lines from this diff: colours, an external diff
    program, more context or no prefixes in the user's config must not change it."""
    for key, value in (
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("diff.context", "9"),
        ("diff.noprefix", "true"),
    ):
        git(repo, "config", key, value)
    old = "".join(f"line {n}\n" for n in range(1, 21))
    (repo / "rfcs/0001-a.md").write_text(old)
    git(repo, "commit", "-q", "-am", "twenty lines")
    new = (
        old.replace("line 5\n", "line five\n")
        .replace("line 12\n", "")
        .replace("line 20\n", "line 20\n@@ -1 +1 @@\n")
    )
    (repo / "rfcs/0001-a.md").write_text(new)
    patch = GitRevision.open(repo, "main").diff(repo / "rfcs/0001-a.md")
    touched = parse_patch(patch)
    assert touched is not None
    assert touched.lines() == {5, 20}  # line 12 removed: the head's 20th line is the new one
    assert touched.gaps == (4, 11)
    assert touched.fits(old, new) == (True, True)
    assert GitRevision.open(repo, "main").diff(repo / "rfcs/0001-a.md") == patch


def test_diff_of_an_unchanged_file_is_empty(repo: Path) -> None:
    assert GitRevision.open(repo, "main").diff(repo / "rfcs/0001-a.md") == ""
