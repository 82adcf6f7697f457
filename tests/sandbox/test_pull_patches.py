"""A pull request's files carry GitHub's ``patch`` and name the head commit in their URLs;
a patch is what ``git apply`` applies, and GitHub's diff limits leave it out."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sandbox.sim_diff import FILE_MAX_LINES, VIEW_MAX_LINES, unified_patch, within_view
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


def git_applied(before: bytes | None, patch: str) -> bytes:
    """``patch`` applied by git itself to ``before`` (None: a new file)."""
    with tempfile.TemporaryDirectory() as directory:
        return _applied(Path(directory), before, patch)


def _applied(tmp: Path, before: bytes | None, patch: str) -> bytes:
    target = tmp / "f.md"
    old = "/dev/null" if before is None else "a/f.md"
    if before is not None:
        target.write_bytes(before)
    diff = tmp / "change.diff"
    diff.write_text(f"--- {old}\n+++ b/f.md\n{patch}\n", encoding="utf-8")
    subprocess.run(["git", "apply", "--unsafe-paths", f"--directory={tmp}", str(diff)],
                   cwd=tmp, check=True, capture_output=True)  # fmt: skip
    return target.read_bytes()


texts = st.lists(st.sampled_from(["a", "b", "c", "", "a\r", "é"]), max_size=12).map(
    "\n".join
) | st.just("")


@settings(max_examples=40, deadline=None)
@given(before=texts, after=texts, new_file=st.booleans())
@example(before="a\nb", after="a\nb\n", new_file=False)  # the last line gains its newline
@example(before="", after="x", new_file=True)  # a new file of one line and no newline
def test_git_applies_the_patch_and_gets_the_new_text(
    before: str, after: str, new_file: bool
) -> None:
    old = None if new_file else before.encode()
    patch = unified_patch(old, after.encode())
    if patch is None:  # nothing changed
        assert (old or b"") == after.encode()
        return
    assert not patch.endswith("\n")
    assert git_applied(old, patch) == after.encode()


def test_binary_files_and_oversized_diffs_have_no_patch() -> None:
    assert unified_patch(None, b"\xff\xfe binary") is None
    assert unified_patch(None, b"x\n" * (FILE_MAX_LINES - 1)) is not None
    assert unified_patch(None, b"x\n" * FILE_MAX_LINES) is None  # its hunk header is a line too


def test_past_the_views_limit_files_lose_their_patches() -> None:
    patch = "\n".join(["@@ -0,0 +1,2 @@", *(["+x"] * 2)])
    big = "\n".join(["@@ -0,0 +1,9999 @@", *(["+x"] * 9999)])
    assert within_view([big, None, big, patch]) == [True, True, True, False]


async def test_the_listing_gives_the_patch_and_the_head_commit(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.commit(repo, "main", {"rfcs/0001-a.md": "# A\n\nold\n"}, "add A")
    pull = sim.open_pull_request(
        repo, "rfc/b", {"rfcs/0001-a.md": "# A\n\nnew\n", "rfcs/0002-b.md": "# B\n"}
    )
    files = {f["filename"]: f for f in (await api.get(f"{REPO}/pulls/{pull.number}/files")).body}
    assert files["rfcs/0002-b.md"]["patch"] == "@@ -0,0 +1 @@\n+# B"
    assert files["rfcs/0001-a.md"]["patch"] == "@@ -1,3 +1,3 @@\n # A\n \n-old\n+new"
    head = sim.pull_request(repo, pull.number).current_head()
    for entry in files.values():
        assert parse_qs(urlsplit(entry["contents_url"]).query)["ref"] == [head]
        assert f"/blob/{head}/" in entry["blob_url"] and f"/raw/{head}/" in entry["raw_url"]


async def test_a_page_past_the_limit_reports_no_patch_and_no_line_counts(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    lines = FILE_MAX_LINES - 10
    files = {f"rfcs/0000-f{i}.md": "x\n" * lines for i in range(VIEW_MAX_LINES // lines + 1)}
    pull = sim.open_pull_request(repo, "rfc/big", files)
    page = (await api.get(f"{REPO}/pulls/{pull.number}/files")).body
    *within, past = page
    assert all("patch" in f and f["additions"] == lines for f in within)
    assert "patch" not in past and (past["additions"], past["changes"]) == (0, 0)
