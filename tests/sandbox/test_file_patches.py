"""The `patch` of each changed file in a pull request's files and a commit's files: GitHub's
hunks, its "no newline" marker, and left out where GitHub leaves it out."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rfc.touched import parse_patch
from sandbox.sim_patch import PatchLimits, file_diff
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"
OLD = "".join(f"line {n}\n" for n in range(1, 31))


async def files_of(sim: Simulator, repo: Repo, api: Api, files: dict[str, str | None]) -> Any:
    pull = sim.open_pull_request(repo, "rfc/x", files)
    answer = await api.get(f"{REPO}/pulls/{pull.number}/files")
    assert answer.status == 200
    return {item["filename"]: item for item in answer.body}


async def test_a_modified_file_has_githubs_hunks(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.commit(repo, "main", {"rfcs/a.md": OLD})
    new = OLD.replace("line 3\n", "line three\n").replace("line 20\n", "")
    item = (await files_of(sim, repo, api, {"rfcs/a.md": new}))["rfcs/a.md"]
    assert item["patch"] == (
        "@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+line three\n line 4\n line 5\n line 6\n"
        "@@ -17,7 +17,6 @@\n line 17\n line 18\n line 19\n-line 20\n line 21\n line 22\n line 23"
    )
    assert (item["additions"], item["deletions"], item["changes"]) == (1, 2, 3)


async def test_a_last_line_without_newline_is_marked(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.commit(repo, "main", {"rfcs/a.md": "a\nb"})
    item = (await files_of(sim, repo, api, {"rfcs/a.md": "a\nb\nc"}))["rfcs/a.md"]
    assert item["patch"] == "@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n" \
        "\\ No newline at end of file"  # fmt: skip


async def test_patch_is_left_out_for_binary_files_large_diffs_and_pure_renames(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.commit(repo, "main", {"rfcs/bin.md": "a\x00b", "rfcs/big.md": OLD, "rfcs/old.md": OLD})
    sim.patch_limits.max_lines = 10
    files = await files_of(
        sim,
        repo,
        api,
        {
            "rfcs/bin.md": "a\x00c",
            "rfcs/big.md": OLD.replace("line", "LINE"),
            "rfcs/old.md": None,
            "rfcs/new.md": OLD,
            "rfcs/small.md": "x\n",
        },
    )
    assert "patch" not in files["rfcs/bin.md"]
    assert (files["rfcs/bin.md"]["additions"], files["rfcs/bin.md"]["deletions"]) == (0, 0)
    assert "patch" not in files["rfcs/big.md"] and files["rfcs/big.md"]["changes"] == 60
    renamed = files["rfcs/new.md"]
    assert renamed["status"] == "renamed" and "patch" not in renamed and renamed["changes"] == 0
    assert files["rfcs/small.md"]["patch"] == "@@ -0,0 +1 @@\n+x"


async def test_a_commits_files_carry_their_patch(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.commit(repo, "main", {"rfcs/a.md": OLD})
    sha = sim.commit(repo, "main", {"rfcs/a.md": OLD + "line 31\n"})
    answer = await api.get(f"{REPO}/commits/{sha}")
    [item] = answer.body["files"]
    assert item["patch"] == "@@ -28,3 +28,4 @@\n line 28\n line 29\n line 30\n+line 31"


def test_the_byte_limit_counts_utf8_bytes() -> None:
    diff = file_diff(b"", "é\n".encode() * 10, PatchLimits(max_bytes=30))
    assert diff.patch is None and diff.additions == 10  # 20 characters, 40 bytes with "+"s
    assert file_diff(b"", "é\n".encode() * 10, PatchLimits()).patch is not None


LINES = st.lists(st.sampled_from(["a", "b", "", "@@ -1 +1 @@", "\\ x", "c\r"]), max_size=20)


@settings(max_examples=80, deadline=None)
@given(LINES, LINES, st.booleans(), st.booleans())
def test_the_patch_reads_back_as_the_change_it_is(
    old: list[str], new: list[str], old_ends: bool, new_ends: bool
) -> None:
    """The App's diff reader takes the simulator's patch, and it fits both versions."""
    before = "\n".join(old) + ("\n" if old and old_ends else "")
    after = "\n".join(new) + ("\n" if new and new_ends else "")
    diff = file_diff(before.encode(), after.encode(), PatchLimits())
    touched = parse_patch(diff.patch or "")
    assert touched is not None
    assert touched.fits(before, after) == (True, True)
    assert len(touched.lines()) == diff.additions
