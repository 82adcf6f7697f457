"""A file's text rebuilt from its listing's ``patch`` is the file's exact bytes, or nothing:
patches made by git itself and by the simulator, forged, cut short, for another old text."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.github.patches import blob_sha, listed_commit, text_from_listing
from sandbox.sim_diff import unified_patch

SHA_OF_EMPTY = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # `git hash-object /dev/null`


def entry(patch: str | None, new: bytes, **extra: Any) -> dict[str, Any]:
    return {"patch": patch, "sha": blob_sha(new), **extra}


def git_patch(old: bytes | None, new: bytes) -> str:
    """GitHub's ``patch`` as git itself writes the diff: the hunks, without the header."""
    with tempfile.TemporaryDirectory() as directory:
        a, b = Path(directory, "a"), Path(directory, "b")
        b.write_bytes(new)
        if old is not None:
            a.write_bytes(old)
        run = subprocess.run(
            ["git", "diff", "--no-index", "--no-color", "-U3",
             "/dev/null" if old is None else str(a), str(b)],
            capture_output=True, check=False,
        )  # fmt: skip
    text = run.stdout.decode("utf-8")
    return text[text.index("@@") :].removesuffix("\n")


def test_the_blob_sha_is_gits() -> None:
    assert blob_sha(b"") == SHA_OF_EMPTY
    assert blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


lines = st.sampled_from(["# T", "", "text", "text", "a\r", "é ü", " lead", "@@ -1 +1 @@", "\\x"])
texts = st.lists(lines, max_size=14).map("\n".join) | st.lists(lines, max_size=14).map(
    lambda ls: "".join(line + "\n" for line in ls)
)


@settings(max_examples=60, deadline=None)
@given(old=texts, new=texts, added=st.booleans())
@example(old="", new="x", added=True)
@example(old="a\nb", new="a\nb\n", added=False)  # the last line gains its newline
@example(old="a\n\nb\n", new="a\n\nc\n", added=False)  # an empty context line is " "
@example(old="a\nb", new="a\nc", added=False)  # a changed last line, no newline either side
@example(old="a\nb\n", new="a\nc", added=False)  # the new last line loses its newline
@example(old="a\nb", new="a\nb\nc\n", added=False)  # the old last line gains one
@example(old="a\nb\n", new="a\n", added=False)  # a hunk whose last lines only go
def test_git_and_the_simulator_patches_rebuild_the_new_text(
    old: str, new: str, added: bool
) -> None:
    before = None if added else old.encode()
    after = new.encode()
    if (before or b"") == after or not after:
        return  # nothing to diff, or nothing to rebuild
    for patch in (git_patch(before, after), unified_patch(before, after)):
        assert text_from_listing(entry(patch, after), before) == after, patch


def test_an_rfc_sized_added_file() -> None:
    text = ("".join(f"Line {n} of the RFC, with some words.\n" for n in range(600))).encode()
    assert text_from_listing(entry(git_patch(None, text), text), None) == text


def test_anything_but_the_exact_blob_is_refused() -> None:
    old = b"".join(b"line %d\n" % n for n in range(12))
    new = old.replace(b"line 6\n", b"line six\n")
    patch = git_patch(old, new)
    assert text_from_listing(entry(patch, new), old) == new
    assert text_from_listing(entry(None, new), old) is None  # GitHub left it out
    assert text_from_listing({"patch": patch}, old) is None  # no sha to prove it by
    assert text_from_listing(entry(patch, new + b"forged\n"), old) is None  # another blob
    forged = patch.replace("+line six", "+line evil")
    assert text_from_listing(entry(forged, new), old) is None  # a forged line
    assert text_from_listing(entry(patch[:-2], new), old) is None  # cut short
    assert text_from_listing(entry(patch, new), old + b"more\n") is None  # another old text
    assert text_from_listing(entry(patch, new), None) is None  # not an added file
    assert text_from_listing(entry(patch, new), b"\xff\xfe") is None  # old text not UTF-8


def test_whatever_the_old_text_a_result_with_the_blobs_sha_is_the_file() -> None:
    """A hunk that rewrites every line gives the new text from any old text of that length:
    the blob sha is what proves it, not the old text."""
    patch = git_patch(b"# A\n\nold\n", b"# A\n\nnew\n")
    assert patch.startswith("@@ -1,3 +1,3 @@")
    new = b"# A\n\nnew\n"
    assert text_from_listing(entry(patch, new), b"# B\n\nold\n") == new


def test_patches_that_do_not_read_as_patches() -> None:
    new = b"x\n"
    for patch in (
        "",
        "not a patch",
        "@@ +0,0 -1 @@\n+x",  # sides swapped
        "@@ -0,0 +1 @@",  # a hunk with no lines
        "@@ -0,0 +1,2 @@\n+x",  # fewer lines than it says
        "@@ -0,0 +1 @@\n+x\n+y",  # more
        "@@ -0,0 +1 @@\n*x",  # an unknown mark
        "@@ -0,0 +١ @@\n+x",  # a digit that is not ASCII
        "@@ -0,0 +99999999999999999999 @@\n+x",  # a count nobody has
        "@@ -0,0 +1 @@\n+x\n@@ -0,0 +1 @@\n+x",  # two hunks at one place
        "@@ -1 +1 @@\n-a\n+x\n@@ -0,0 +1 @@\n+x",  # hunks out of order
        "@@ -0,0 +1 @@\n+y",  # another text than the blob's
    ):
        assert text_from_listing(entry(patch, new), None) is None, patch


def test_a_hunk_that_only_removes_lines() -> None:
    assert text_from_listing(entry("@@ -2 +1,0 @@\n-b", b"a\n"), b"a\nb\n") == b"a\n"


def test_a_patch_ending_with_a_newline_still_reads() -> None:
    new = b"x\n"
    assert text_from_listing(entry("@@ -0,0 +1 @@\n+x\n", new), None) == new


def test_the_listed_commit_is_the_ref_of_the_contents_url() -> None:
    sha = "a" * 40
    url = f"https://api.github.com/repos/o/r/contents/rfcs/0000-x.md?ref={sha}"
    assert listed_commit({"contents_url": url}) == sha
    assert listed_commit({"contents_url": "https://api.github.com/repos/o/r/contents/x"}) is None
    assert listed_commit({}) is None
