"""`rfc-bot audit --github OWNER/REPO`: the same history read through GitHub's API, against the
simulator (every request checked against GitHub's REST description)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from bot.cli.audit_github import read_github_audit
from bot.cli.commands import CliError
from bot.policy.audit import ProofKey, Verdict
from sandbox.sim_state import Repo, blob_sha
from sandbox.simulator import Simulator
from tests.cli.audit_helpers import BOT, KEY, SCHEMA, SECRET, app_message, decision
from tests.cli.helpers import rfc

NAME = "octo-org/rfcs"
X0, X42 = "rfcs/0000-audit-log.md", "rfcs/0042-audit-log.md"
CACHE = "rfcs/0043-cache.md"


def history(sim: Simulator) -> Repo:
    """#1: an RFC proposed by the App and finalised by a decision, squashed, then numbered;
    #2: another RFC finalised by hand."""
    repo = sim.create_repo(NAME, files={"rfcs/README.md": "# Index\n"})
    pull = sim.open_pull_request(repo, "rfc/audit-log", {X0: rfc("Audit Log")}, title="RFC: A")
    proposed = rfc("Audit Log", status="Proposed")
    message = app_message(X0, "Draft", "Proposed", pull.number, repo=NAME)
    sim.commit(repo, "rfc/audit-log", {X0: proposed}, message, author=BOT)
    approved = decision(blob_sha(proposed.encode()), "mona", "nina")
    message = app_message(X0, "Proposed", "Final", pull.number, approved, repo=NAME)
    final = rfc("Audit Log", status="Final")
    sim.commit(repo, "rfc/audit-log", {X0: final}, message, author=BOT)
    sim.merge_pull_request(repo, pull.number)
    sim.commit(repo, "main", {X0: None, X42: final}, "Assign RFC number 0042", author=BOT)
    other = sim.open_pull_request(repo, "rfc/cache", {CACHE: rfc("Cache", status="Proposed")})
    sim.commit(repo, "rfc/cache", {CACHE: rfc("Cache", status="Final")}, "Finalise", "bob")
    sim.merge_pull_request(repo, other.number)
    return repo


async def test_the_history_through_the_api(sim: Simulator) -> None:
    repo = history(sim)
    token, _ = sim.issue_token(repo.installation_id)
    report = await read_github_audit(NAME, sim.base_url, token, ProofKey(KEY))
    assert report.source == "github" and report.head == sim.head(repo, "main")
    audited, cache = report.rfcs
    assert audited.path == X42 and audited.status == "Final"
    (squashed,) = audited.moves
    assert (squashed.current, squashed.target, squashed.created) == ("Draft", "Final", True)
    assert squashed.verdict is Verdict.PROVEN and squashed.commit.pull == 1
    assert [step.decision.approvers for step in squashed.steps if step.decision] == [
        ("mona", "nina")
    ]
    assert [(m.current, m.target, m.verdict) for m in cache.moves] == [
        ("Draft", "Final", Verdict.UNPROVEN)
    ]
    assert not report.ok


async def test_the_command(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = history(sim)
    token, _ = sim.issue_token(repo.installation_id)
    monkeypatch.setenv("GITHUB_API_URL", sim.base_url + "/")
    monkeypatch.setenv("GITHUB_TOKEN", token)
    monkeypatch.setenv("RFC_BOT_SECRET", SECRET)
    monkeypatch.chdir(Path(__file__).parent)  # the local checkout plays no part

    async def audit(*args: str) -> int:  # the command runs its own event loop: a thread
        return await asyncio.to_thread(main, ["audit", "--github", *args])

    assert await audit(NAME, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, SCHEMA)
    assert report["source"] == "github" and report["repository"] == NAME
    assert [rfc["path"] for rfc in report["rfcs"]] == [X42, CACHE]
    assert report["summary"] == {
        "rfcs": 2,
        "moves": 2,
        "proven": 1,
        "permitted": 0,
        "unproven": 1,
        "unverified": 0,
    }
    assert await audit(NAME, "docs") == 2
    assert capsys.readouterr().err == f"rfc-bot: error: no such directory in {NAME}: docs\n"
    assert await audit("octo-org/nothing") == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot: error: GitHub answered 404 for octo-org/nothing")
    assert err.count("\n") == 1
    assert await audit("not-a-name") == 2
    assert capsys.readouterr().err == (
        "rfc-bot: error: --github takes OWNER/REPO, not 'not-a-name'\n"
    )
    sim.commit(repo, "main", {".github/rfc-bot.yml": "statuses: 7\n"}, "Break the config")
    assert await audit(NAME) == 2
    assert capsys.readouterr().err.startswith(f"rfc-bot: error: {NAME}:.github/rfc-bot.yml:1")


async def test_an_unreachable_api_is_one_line() -> None:
    with pytest.raises(CliError, match=r"^cannot read o/r at http://127\.0\.0\.1:9: "):
        await read_github_audit("o/r", "http://127.0.0.1:9", None, ProofKey(None, "set X"))
