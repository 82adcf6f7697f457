"""The audit's pure parts: the pull request a commit came in by, a file's path through
renames, and the class of each move."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.policy.audit import (
    AuditPlan,
    Change,
    CommitInfo,
    ProofKey,
    Verdict,
    Verifier,
    Version,
    audit_rfc,
    judge,
)
from bot.policy.audit_history import FileTouch, GraphCommit, Step, Touch, landing_pulls, pull_named
from bot.policy.audit_report import AuditReport, render_text
from bot.policy.provenance import StatusMove, signing_key, status_trailers
from bot.rfc.config.public import Config
from tests.cli.helpers import rfc

KEY = signing_key("secret")
CONFIG = Config()
WHEN = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("subject", "pull"),
    [
        ("Merge pull request #12 from alice/rfc-x", 12),
        ("RFC: Audit log (#7)", 7),
        ("Fix (#7) typo", None),
        ("Merge branch 'main' into rfc-x", None),
        ("Merge pull request #12", None),
        ("(#99999999999)", None),
    ],
)
def test_pull_named(subject: str, pull: int | None) -> None:
    assert pull_named(subject) == pull


def test_landing_pulls_follow_the_first_parent_line() -> None:
    """main: root → squash (#3) → merge (#5) of b1 → b2, where b2 also merged main's root."""
    graph = [
        GraphCommit("merge", ("squash", "b2"), "Merge pull request #5 from a/b"),
        GraphCommit("b2", ("b1", "root"), "Merge branch 'main' into b"),
        GraphCommit("b1", ("root",), "work"),
        GraphCommit("squash", ("root",), "Title (#3)"),
        GraphCommit("root", (), "Initial commit"),
        GraphCommit("elsewhere", ("root",), "not reachable"),
    ]
    assert landing_pulls(graph, "merge") == {"merge": 5, "b2": 5, "b1": 5, "squash": 3}


def test_trace_follows_renames_back_to_the_creation() -> None:
    touches = [
        Touch("later", (FileTouch("M", "rfcs/0042-a.md", "rfcs/0042-a.md"),)),
        Touch("number", (FileTouch("R", "rfcs/0000-a.md", "rfcs/0042-a.md"),)),
        Touch("other", (FileTouch("A", "rfcs/0000-b.md", "rfcs/0000-b.md"),)),
        Touch("edit", (FileTouch("M", "rfcs/0000-a.md", "rfcs/0000-a.md"),)),
        Touch("add", (FileTouch("A", "rfcs/0000-a.md", "rfcs/0000-a.md"),)),
        Touch("gone", (FileTouch("D", "rfcs/0000-a.md", "rfcs/0000-a.md"),)),
        Touch("older", (FileTouch("A", "rfcs/0000-a.md", "rfcs/0000-a.md"),)),
    ]
    plan = AuditPlan.of(["rfcs/0042-a.md"], "later", [], touches)
    assert plan.steps["rfcs/0042-a.md"] == [
        Step("add", None, "rfcs/0000-a.md"),
        Step("edit", "rfcs/0000-a.md", "rfcs/0000-a.md"),
        Step("number", "rfcs/0000-a.md", "rfcs/0042-a.md"),
        Step("later", "rfcs/0042-a.md", "rfcs/0042-a.md"),
    ]


def change(before: str | None, after: str, message: str = "edit", pull: int | None = 7) -> Change:
    """A commit moving rfcs/0000-a.md from ``before`` (None: creating it) to ``after``."""
    path = "rfcs/0000-a.md"
    old = None if before is None else Version(path, rfc("A", status=before), "1" * 40)
    commit = CommitInfo("c" * 40, "alice", WHEN, message, pull)
    return Change(commit, old, Version(path, rfc("A", status=after), "2" * 40))


def app(current: str, target: str, pull: int = 7) -> str:
    """The App's commit message for this move in pull request ``pull``."""
    move = StatusMove("rfcs/0000-a.md", current, target)
    return f"RFC 0000-a: status {current} -> {target}\n\n{status_trailers(KEY, 'o/r', pull, move)}"


def verdict(
    current: str | None,
    target: str,
    message: str = "edit",
    *,
    pull: int | None = 7,
    key: bytes | None = KEY,
) -> tuple[Verdict, str]:
    moved = judge(
        change(current, target, message, pull),
        current or CONFIG.initial_status,
        target,
        CONFIG,
        Verifier(key, "o/r"),
    )
    return moved.verdict, moved.reason


def test_an_ungated_move_is_permitted_whoever_claims_it() -> None:
    assert verdict("Draft", "Proposed") == (Verdict.PERMITTED, "hand edit, no decision needed")
    assert verdict("Draft", "Proposed", app("Draft", "Proposed"))[0] is Verdict.PROVEN
    assert verdict("Draft", "Proposed", app("Draft", "Proposed"), key=None) == (
        Verdict.PERMITTED,
        "no decision needed (claims the App's proof; no key to check it)",
    )
    assert verdict("Draft", "Proposed", app("Draft", "Proposed", pull=8)) == (
        Verdict.PERMITTED,
        "no decision needed (its claimed proof does not hold)",
    )


def test_a_gated_move() -> None:
    assert verdict("Proposed", "Final", app("Proposed", "Final"))[0] is Verdict.PROVEN
    assert verdict("Proposed", "Final", app("Proposed", "Final"), key=None) == (
        Verdict.UNVERIFIED,
        "claims the App's proof",
    )
    assert verdict("Proposed", "Final") == (
        Verdict.UNPROVEN,
        "needs a decision; no proof that the App made it",
    )
    assert verdict("Draft", "Final") == (
        Verdict.UNPROVEN,
        "not a move of the workflow without a decision; no proof that the App made it",
    )
    # A commit the history ties to no pull request is checked against the one it names...
    assert verdict("Proposed", "Final", app("Proposed", "Final"), pull=None)[0] is Verdict.PROVEN
    # ...and a message that names none (the App's older commits) cannot be checked.
    unnamed = app("Proposed", "Final").replace("RFC-PR: #7\n", "")
    assert verdict("Proposed", "Final", unnamed, pull=None) == (
        Verdict.UNPROVEN,
        "its proof names no pull request to check it against",
    )


def test_a_squash_is_proven_by_a_chain_of_proofs() -> None:
    body = f"Title (#7)\n\n* {app('Draft', 'Proposed')}\n\n* {app('Proposed', 'Final')}"
    assert verdict("Draft", "Final", body) == (Verdict.PROVEN, "the App's commits, squashed")
    only_last = f"Title (#7)\n\n* hand edit\n\n* {app('Proposed', 'Final')}"
    assert verdict(None, "Final", only_last)[0] is Verdict.PROVEN  # Draft → Proposed is free
    assert verdict(None, "Final", "Title (#7)\n\n* hand edits")[0] is Verdict.UNPROVEN


def test_a_version_without_a_valid_status_moves_nothing() -> None:
    path = "rfcs/0000-a.md"
    commits = [CommitInfo(str(n) * 40, "alice", WHEN, "edit") for n in range(4)]
    texts = [rfc("A"), rfc("A", status="Bogus"), rfc("A", status="Final"), rfc("A", status="???")]
    versions = [Version(path, text, str(n) * 40) for n, text in enumerate(texts)]
    changes = [Change(commits[0], None, versions[0])] + [
        Change(commit, before, after)
        for commit, before, after in zip(commits[1:], versions[:-1], versions[1:], strict=True)
    ]
    audited = audit_rfc(path, changes, CONFIG, Verifier(KEY, "o/r"))
    assert [(m.current, m.target, m.verdict) for m in audited.moves] == [
        ("Draft", "Final", Verdict.UNPROVEN)
    ]
    assert audited.status is None and audited.created_as == "Draft"
    report = AuditReport((audited,), "git", "0" * 40, "o/r", None)
    assert not report.ok
    assert render_text(report).startswith(f"{path}  A  (no valid status)\n")


def test_the_key_comes_from_the_environment() -> None:
    assert ProofKey.from_environ({}) == ProofKey(None, "set RFC_BOT_SECRET")
    assert ProofKey.from_environ({"GITHUB_WEBHOOK_SECRET": "secret"}).key == KEY
    both = {"RFC_BOT_SECRET": "secret", "GITHUB_WEBHOOK_SECRET": "other"}
    assert ProofKey.from_environ(both).key == KEY
    assert ProofKey.from_environ(both, "NAMED") == ProofKey(None, "set NAMED")


def test_an_rfc_with_no_history_is_said_so() -> None:
    audited = audit_rfc("rfcs/0000-a.md", [], CONFIG, Verifier(None, ""))
    report = AuditReport((audited,), "git", "0" * 40, None, "set RFC_BOT_SECRET")
    assert "(no history: the file is not committed)" in render_text(report)
    assert report.ok
