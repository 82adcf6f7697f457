"""`rfc-bot audit` on a git repository built in the test: each move proven, permitted or
unproven; renames, merges and squashes followed; the App's key; text and JSON; exit codes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.cli import main
from tests.cli.audit_helpers import (
    BOT,
    REPO,
    ROOT,
    SCHEMA,
    SECRET,
    History,
    app_message,
    decision,
)
from tests.cli.helpers import error_line, rfc
from tests.doc_examples import shell

X0, X42 = "rfcs/0000-audit-log.md", "rfcs/0042-audit-log.md"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The App's secret set; nothing else of the machine's environment that audit reads."""
    for name in ("RFC_BOT_SECRET", "GITHUB_WEBHOOK_SECRET", "GITHUB_REPOSITORY", "OTHER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RFC_BOT_SECRET", SECRET)
    return monkeypatch


@pytest.fixture
def history(project: Path, env: pytest.MonkeyPatch) -> History:
    repo = History(project)
    repo.commit({"README.md": "# RFCs\n", "rfcs/README.md": "# Index\n"}, "Initial commit")
    return repo


def decided(history: History, pull: int = 7) -> None:
    """Pull request 7: alice adds an RFC, moves it to Proposed by hand, a decision moves it to
    Final (the App's commit); merged with a merge commit, then numbered 0042."""
    history.branch("rfc-audit-log")
    history.commit({X0: rfc("Audit Log")}, "Add the audit log RFC")
    history.commit({X0: rfc("Audit Log", status="Proposed")}, "Propose it")
    approved = decision(history.blob(X0), "mona", "nina")
    message = app_message(X0, "Proposed", "Final", pull, approved)
    history.commit({X0: rfc("Audit Log", status="Final")}, message, author=BOT)
    history.merge("rfc-audit-log", pull)
    history.rename(X0, X42, pull)


def audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["audit", "--repo", REPO, *args])
    return status, capsys.readouterr().out


def lines_of(out: str, path: str) -> list[str]:
    block = next(b for b in out.split("\n\n") if b.startswith(path + "  "))
    return block.splitlines()[1:]


def test_a_decision_proven_through_merge_and_numbering(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    decided(history)
    status, out = audit(capsys)
    assert status == 0, out
    created, proposed, final = lines_of(out, X42)
    assert out.startswith(f"{X42}  Audit Log  (Final)\n")
    assert "#7" in created and "alice" in created and created.endswith("created: Draft")
    assert "Draft → Proposed" in proposed
    assert "permitted: hand edit, no decision needed" in proposed
    assert BOT in final and "Proposed → Final" in final
    assert "proven: the App's commit; decision approved by @mona, @nina" in final
    assert "comment period 2024-05-01 09:00 to 09:01 UTC" in final
    # The columns line up: every move's arrow starts at the same place.
    assert proposed.index("Draft →") == final.index("Proposed →")
    assert out.endswith("1 RFC, 2 moves: 1 proven, 1 permitted.\n")


def test_a_hand_edit_to_final_is_unproven(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    decided(history)
    history.branch("finalise", "main")
    history.commit({X42: rfc("Audit Log", status="Deprecated")}, "Deprecate (allowed)")
    other = "rfcs/0043-cache.md"
    history.commit({other: rfc("Cache", status="Proposed")}, "Add the cache RFC")
    history.commit({other: rfc("Cache", status="Final")}, "Finalise it myself", author="bob")
    history.merge("finalise", 8)
    status, out = audit(capsys)
    assert status == 1
    hand = lines_of(out, other)[-1]
    assert "bob" in hand and "#8" in hand and "Proposed → Final" in hand
    assert "UNPROVEN: needs a decision; no proof that the App made it" in hand
    # Created past the initial status: the creation is a move too.
    assert "Draft → Proposed (created)" in lines_of(out, other)[0]
    assert "Final → Deprecated" in lines_of(out, X42)[-1]
    assert "1 unproven" in out
    assert "Not proven: 1 move that only the App may make (UNPROVEN or unverified above)." in out


@pytest.mark.parametrize("forgery", ["copied", "wrong-hmac", "other-repository", "other-text"])
def test_a_forged_proof_proves_nothing(
    history: History, capsys: pytest.CaptureFixture[str], forgery: str
) -> None:
    history.branch("rfc-audit-log")
    history.commit({X0: rfc("Audit Log", status="Proposed")}, "Add it, proposed")
    approved = decision(history.blob(X0), "mona")
    message = {
        # A genuine proof of pull request #3 (closed unmerged) pasted into #4.
        "copied": app_message(X0, "Proposed", "Final", 3, approved),
        "wrong-hmac": app_message(X0, "Proposed", "Final", 4, approved, key=b"k" * 32),
        "other-repository": app_message(X0, "Proposed", "Final", 4, approved, repo="o/other"),
        # The genuine proof of #4's decision, put on text the approvers never saw.
        "other-text": app_message(X0, "Proposed", "Final", 4, approved),
    }[forgery]
    if forgery == "other-text":
        history.commit({X0: rfc("Audit Log", status="Proposed", body="Changed.\n")}, "Edit")
    history.commit({X0: rfc("Audit Log", status="Final")}, message, author="bob")
    history.merge("rfc-audit-log", 4)
    status, out = audit(capsys)
    assert status == 1
    final = lines_of(out, X0)[-1]
    assert "Proposed → Final" in final and "UNPROVEN: " in final
    reason = {
        "copied": "its proof was made for pull request #3; this commit came in by #4",
        "wrong-hmac": "its proof does not hold",
        "other-repository": "its proof does not hold",
        "other-text": "is not the text approved",
    }[forgery]
    assert reason in final


def test_a_squash_merge_keeps_the_proofs_in_its_body(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    """GitHub's squash: one commit that adds the RFC at Final; the App's messages, each with
    its trailers, are list items of its body."""
    history.branch("scratch")
    history.commit({X0: rfc("Audit Log", status="Proposed")}, "scratch")
    blob = history.blob(X0)
    history.run("checkout", "-q", "main")
    body = "\n\n".join(
        [
            "* Add the audit log RFC",
            "* " + app_message(X0, "Draft", "Proposed", 12).strip(),
            "* " + app_message(X0, "Proposed", "Final", 12, decision(blob, "mona")).strip(),
        ]
    )
    history.commit({X0: rfc("Audit Log", status="Final")}, f"RFC: Audit log (#12)\n\n{body}\n")
    history.rename(X0, X42, 12)
    status, out = audit(capsys)
    assert status == 0, out
    (move,) = lines_of(out, X42)
    assert "#12" in move and "Draft → Final (created)" in move
    assert "proven: the App's commits, squashed: Draft → Proposed, then Proposed → Final" in move
    assert "(decision approved by @mona," in move


def test_without_a_key_the_app_moves_are_unverified(
    history: History, capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    decided(history)
    env.delenv("RFC_BOT_SECRET")
    status, out = audit(capsys)
    assert status == 1
    final = lines_of(out, X42)[-1]
    assert "unverified (no key: set RFC_BOT_SECRET): claims the App's proof" in final
    assert "No key: the App's proofs were not checked (set RFC_BOT_SECRET)." in out
    # The webhook server's secret is the same key; --secret-env names another variable.
    env.setenv("GITHUB_WEBHOOK_SECRET", SECRET)
    assert audit(capsys)[0] == 0
    assert audit(capsys, "--secret-env", "OTHER")[1].count("set OTHER") == 2
    env.setenv("OTHER", SECRET)
    assert audit(capsys, "--secret-env", "OTHER")[0] == 0


def test_the_json_report_follows_its_schema(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    decided(history)
    status, out = audit(capsys, "--format", "json")
    assert status == 0
    report: dict[str, Any] = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert report["source"] == "git" and report["repository"] == REPO and report["verified"]
    assert report["ok"] and report["summary"]["proven"] == 1
    (entry,) = report["rfcs"]
    assert (entry["path"], entry["status"], entry["created"]["status"]) == (X42, "Final", "Draft")
    final = entry["moves"][-1]
    assert (final["from"], final["to"], final["verdict"], final["path"]) == (
        "Proposed",
        "Final",
        "proven",
        X0,
    )
    assert final["commit"]["author"] == BOT and final["commit"]["pull_request"] == 7
    assert final["proofs"][0]["decision"]["approvers"] == ["mona", "nina"]
    assert final["proofs"][0]["decision"]["period_end"] == "2024-05-01T09:01:00Z"


def test_the_repository_name(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    decided(history)
    assert main(["audit"]) == 2  # a key, but nothing names the repository
    assert error_line(capsys) == "the proofs name the GitHub repository: pass --repo OWNER/REPO"
    history.run("remote", "add", "origin", f"git@github.com:{REPO}.git")
    assert main(["audit"]) == 0
    history.run("remote", "set-url", "origin", "https://github.com/octo-org/fork.git")
    assert main(["audit"]) == 1  # the proofs were made for octo-org/rfcs
    assert main(["audit", "--repo", "nope"]) == 2
    assert error_line(capsys) == "--repo takes OWNER/REPO, not 'nope'"


def test_usage_errors_are_one_line(
    project: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit"]) == 2
    assert error_line(capsys) == "audit needs a git repository (run it in a clone)"
    history = History(project)
    assert main(["audit"]) == 2
    assert error_line(capsys) == "the git repository has no commit yet"
    history.commit({"rfcs/README.md": "# Index\n"}, "first")
    assert main(["audit", "--repo", REPO, "docs"]) == 2
    assert error_line(capsys) == "no such directory: docs"
    assert main(["audit", "--repo", REPO, str(project.parent)]) == 2
    assert error_line(capsys) == f"{project.parent.as_posix()} is outside the git repository"


def test_a_shallow_clone_is_refused(
    history: History, tmp_path_factory: pytest.TempPathFactory, env: pytest.MonkeyPatch
) -> None:
    decided(history)
    clone = tmp_path_factory.mktemp("clone") / "rfcs"
    source = f"file://{history.root}"
    subprocess.run(["git", "clone", "-q", "--depth", "1", source, str(clone)], check=True)
    env.chdir(clone)
    assert main(["audit", "--repo", REPO]) == 2


def test_this_repositorys_examples(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    """The examples of this checkout: two Draft RFCs that never moved (a fresh clone, as CI
    makes, has their history)."""
    shallow = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"],
        capture_output=True,
        text=True,
    )
    if shallow.returncode or shallow.stdout.strip() != "false":
        pytest.skip("not a full git clone of rfc-bot")
    env.chdir(ROOT)
    env.delenv("RFC_BOT_SECRET")
    status, out = audit(capsys, "examples/rfcs")
    assert status == 0, out
    for path in ("examples/rfcs/0000-job-retries.md", "examples/rfcs/0000-flawed-example.md"):
        assert lines_of(out, path)[0].endswith("created: Draft")
    assert "\n2 RFCs, " in out


def test_the_documented_workflow(history: History) -> None:
    """docs/cli.md's workflow: the whole history checked out, the App's secret given, and its
    audit step run as the runner would (GitHub sets GITHUB_REPOSITORY)."""
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = docs.split("## `rfc-bot audit", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```yaml\n(.*?)^```", section, re.M | re.S)
    assert block is not None
    steps = yaml.safe_load(block[1])["jobs"]["audit"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    audit_step = next(step for step in steps if step.get("name") == "Audit")
    assert audit_step["env"] == {"RFC_BOT_SECRET": "${{ secrets.RFC_BOT_SECRET }}"}
    decided(history)
    command = f"RFC_BOT_SECRET={SECRET} GITHUB_REPOSITORY={REPO} {audit_step['run']}"
    status, out = shell(command, history.root)
    assert status == 0, out
    assert "proven: the App's commit; decision approved by @mona, @nina" in out
