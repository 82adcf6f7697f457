"""Reading and writing files, listing PR files, comments and permissions, as GitHub answers."""

from __future__ import annotations

import pytest
from gidgethub import BadRequest, GitHubBroken, RateLimitExceeded

from bot.github import contents, issues, pulls, repos
from bot.github.contents import ContentConflict, WriteRefused, put_file
from sandbox.sim_state import Repo, blob_sha
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI

RFC = "rfcs/0000-x.md"
NAME = "octo-org/rfcs"


async def blob_of(gh: VersionedGitHubAPI, path: str, ref: str) -> str:
    item = await contents.get_file_item(gh, NAME, path, ref)
    assert item is not None
    return str(item["sha"])


async def test_put_file_commits_to_the_branch(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    sha = await blob_of(gh, RFC, "rfc/x")
    answer = await put_file(gh, NAME, RFC, b"# Y\n", sha=sha, branch="rfc/x", message="edit")
    assert answer["commit"]["sha"] == sim.pull_request(repo, pr.number).current_head()
    assert sim.file(repo, RFC, ref="rfc/x") == "# Y\n"


async def test_put_file_stale_sha_is_a_conflict(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    stale = await blob_of(gh, RFC, "rfc/x")
    sim.commit(repo, "rfc/x", {RFC: "# pushed meanwhile\n"})
    with pytest.raises(ContentConflict, match="does not match"):
        await put_file(gh, NAME, RFC, b"# Y\n", sha=stale, branch="rfc/x", message="edit")
    assert sim.file(repo, RFC, ref="rfc/x") == "# pushed meanwhile\n"


async def test_put_file_refusals_carry_the_status(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="eve")
    sha = await blob_of(gh, RFC, "rfc/x")
    sim.make_fork_pr(repo, pr.number)
    with pytest.raises(WriteRefused) as fork:
        await put_file(gh, "eve/rfcs", RFC, b"y", sha=sha, branch="rfc/x", message="m")
    assert fork.value.status == 403
    assert str(fork.value) == "403: Resource not accessible by integration"
    with pytest.raises(WriteRefused) as gone:
        await put_file(gh, NAME, RFC, b"y", sha=sha, branch="deleted", message="m")
    assert (gone.value.status, str(gone.value)) == (404, "404: Branch deleted not found")


async def test_put_file_passes_other_errors_through(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.fail("PUT", r"/contents/", 401, body={"message": "Bad credentials"})
    with pytest.raises(BadRequest) as caught:
        await put_file(gh, NAME, "a.md", b"a", sha="0" * 40, branch="main", message="m")
    assert caught.value.status_code == 401


async def test_get_file_missing_or_directory_is_none(repo: Repo, gh: VersionedGitHubAPI) -> None:
    assert await contents.get_file(gh, NAME, "README.md", "main") == b"# RFCs\n"
    assert await contents.get_file(gh, NAME, "rfcs/nope.md", "main") is None
    assert await contents.get_file_item(gh, NAME, "rfcs", "main") is None


async def test_get_file_errors_other_than_404_propagate(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    """Only "not there" means None; a refusal or an outage must not look like a missing file."""
    refusal = {"message": "Resource not accessible by integration"}
    sim.fail("GET", r"/contents/", 403, body=refusal)
    with pytest.raises(BadRequest) as refused:
        await contents.get_file(gh, NAME, "README.md", "main")
    assert refused.value.status_code == 403
    sim.fail("GET", r"/contents/", 502)
    with pytest.raises(GitHubBroken):
        await contents.get_file(gh, NAME, "README.md", "main")


async def test_permission_falls_back_and_treats_404_as_none(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.set_permission(repo, "mona", "maintain")
    assert await repos.permission(gh, NAME, "mona") == "maintain"
    sim.fail("GET", r"/collaborators/ghost/permission$", 404, body={"message": "Not Found"})
    assert await repos.permission(gh, NAME, "ghost") == "none"
    sim.fail("GET", r"/collaborators/", 200, body={"permission": "write", "role_name": None})
    assert await repos.permission(gh, NAME, "legacy") == "write"
    sim.fail("GET", r"/collaborators/", 403, body={"message": "Forbidden"})
    with pytest.raises(BadRequest):
        await repos.permission(gh, NAME, "mona")


async def test_pull_files_comment_and_reaction(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    files = {f"rfcs/0000-n{i:03}.md": "x" for i in range(120)}
    pr = sim.open_pull_request(repo, "rfc/many", files)
    listed = await pulls.list_pull_files(gh, NAME, pr.number)
    assert sorted(f["filename"] for f in listed) == sorted(files)
    said = await issues.post_comment(gh, NAME, pr.number, "hello", app_id=None)
    await issues.react(gh, NAME, said.id, "rocket")
    assert sim.reactions(repo, said.id) == ["rocket"]


# --- read_file: a config file, a refusal as a value, conditional reads ------------------------


async def test_read_file_serves_bytes_and_blob_sha(repo: Repo, gh: VersionedGitHubAPI) -> None:
    read = await contents.read_file(gh, NAME, "README.md")
    assert read == contents.FileRead(b"# RFCs\n", blob_sha(b"# RFCs\n"))
    assert await contents.read_file(gh, NAME, "README.md", "main") == read


async def test_read_file_refusals_are_values(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    missing = await contents.read_file(gh, NAME, "nope.yml")
    assert isinstance(missing, contents.NotRead) and missing.status == 404
    folder = await contents.read_file(gh, NAME, "rfcs")
    assert folder == contents.NotRead(404, "rfcs is not a file")
    sim.fail("GET", r"/contents/", 403, body={"message": "Resource not accessible by integration"})
    assert await contents.read_file(gh, NAME, "README.md") == contents.NotRead(
        403, "Resource not accessible by integration"
    )


async def test_read_file_raises_what_is_no_answer_about_the_file(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    """An outage or a rate limit says nothing of the file: never taken for a missing one."""
    sim.fail("GET", r"/contents/", 502)
    with pytest.raises(GitHubBroken):
        await contents.read_file(gh, NAME, "README.md")
    sim.set_rate_remaining(repo, 0)
    with pytest.raises(RateLimitExceeded):
        await contents.read_file(gh, NAME, "README.md")


async def test_read_file_with_a_cache_is_conditional(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    kept: dict[str, object] = {}
    first = await contents.read_file(gh, NAME, "README.md", cache=kept)
    again = await contents.read_file(gh, NAME, "README.md", cache=kept)
    assert first == again and len(kept) == 1
    assert [r.status for r in sim.requests[-2:]] == [200, 304]
    assert gh._cache is None  # the client's own cache is left as it was
    sim.commit(repo, "main", {"README.md": "# Changed\n"})
    changed = await contents.read_file(gh, NAME, "README.md", cache=kept)
    assert isinstance(changed, contents.FileRead) and changed.content == b"# Changed\n"


class _ObjectMediaType(VersionedGitHubAPI):
    """GitHub's answer for a file over 1 MB where it serves no content."""

    async def getitem(self, url: str, url_vars: object = None, **kwargs: object) -> object:
        return {"type": "file", "size": 2_000_000, "encoding": "none", "content": "", "sha": "x"}


async def test_read_file_without_content_is_too_large(gh: VersionedGitHubAPI) -> None:
    assert gh.oauth_token is not None
    big = _ObjectMediaType(gh._session, "test", oauth_token=gh.oauth_token)
    assert await contents.read_file(big, NAME, "huge.yml") == contents.NotRead(
        413, "huge.yml is 2,000,000 bytes, too large to serve"
    )
