"""The App's signed status trailers: the pull request and the decision under one proof, and
claims found anywhere in a message (a squash merge's body)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.policy.provenance import (
    DecisionTrailer,
    StatusMove,
    proven_status_moves,
    signing_key,
    status_claims,
    status_trailers,
)

KEY = signing_key("secret")
MOVE = StatusMove("rfcs/0000-a.md", "Proposed", "Final")
DECISION = DecisionTrailer(
    ("mona", "nina"),
    datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
    datetime(2024, 5, 8, 9, 0, tzinfo=UTC),
    "b" * 40,
)


def test_the_trailers_name_the_pull_request_and_the_decision() -> None:
    lines = status_trailers(KEY, "o/r", 7, MOVE, DECISION).splitlines()
    assert lines[0] == 'RFC-Status: ["rfcs/0000-a.md", "Proposed", "Final"]'
    assert lines[1] == "RFC-PR: #7"
    assert lines[2] == (
        'RFC-Decision: {"approvers":["mona","nina"],'
        '"period":["2024-05-01T09:00:00Z","2024-05-08T09:00:00Z"],"blob":"' + "b" * 40 + '"}'
    )
    assert lines[3].startswith("RFC-Proof: ") and len(lines) == 4


@pytest.mark.parametrize("decision", [None, DECISION])
def test_the_proof_covers_every_line(decision: DecisionTrailer | None) -> None:
    trailers = status_trailers(KEY, "o/r", 7, MOVE, decision)
    message = f"RFC 0000-a: status Proposed -> Final\n\n{trailers}"
    assert proven_status_moves(KEY, "o/r", 7, [message]) == {MOVE}
    (claim,) = status_claims(message)
    assert (claim.move, claim.pull, claim.decision) == (MOVE, 7, decision)
    assert claim.holds(KEY, "o/r", 7)
    assert not claim.holds(KEY, "o/r", 8) and not claim.holds(KEY, "o/other", 7)
    assert not claim.holds(signing_key("other"), "o/r", 7)
    if decision is not None:  # an approver added afterwards breaks the proof
        tampered = message.replace('["mona","nina"]', '["mona","nina","eve"]')
        assert proven_status_moves(KEY, "o/r", 7, [tampered]) == frozenset()
        (forged,) = status_claims(tampered)
        assert forged.decision is not None and not forged.holds(KEY, "o/r", 7)
    stripped = "\n".join(line for line in message.splitlines() if "RFC-Decision" not in line)
    assert proven_status_moves(KEY, "o/r", 7, [stripped]) == (
        {MOVE} if decision is None else frozenset()
    )


def test_a_proof_of_the_old_shape_still_holds() -> None:
    """Commits the App made before it wrote ``RFC-PR``: the status line and the proof."""
    lines = status_trailers(KEY, "o/r", 7, MOVE).splitlines()
    old = "\n".join(line for line in lines if not line.startswith("RFC-PR"))
    assert proven_status_moves(KEY, "o/r", 7, [f"RFC a\n\n{old}"]) == {MOVE}
    (claim,) = status_claims(old)
    assert claim.pull is None and claim.holds(KEY, "o/r", 7)


def test_claims_anywhere_in_a_squash_body() -> None:
    first = StatusMove("rfcs/0000-a.md", "Draft", "Proposed")
    body = "\n\n".join(
        [
            "RFC: A (#7)",
            "* Add the RFC",
            f"* RFC 0000-a: status Draft -> Proposed\n\n{status_trailers(KEY, 'o/r', 7, first)}",
            f"* RFC 0000-a: status Proposed -> Final\n\n"
            f"{status_trailers(KEY, 'o/r', 7, MOVE, DECISION)}",
            "Co-authored-by: Mona <mona@example.com>",
        ]
    )
    claims = status_claims(body)
    assert [claim.move for claim in claims] == [first, MOVE]
    assert [claim.decision for claim in claims] == [None, DECISION]
    # The live App reads only the last paragraph of each of its pull request's commits.
    assert proven_status_moves(KEY, "o/r", 7, [body]) == frozenset()


def test_a_claim_is_its_lines_together() -> None:
    trailers = status_trailers(KEY, "o/r", 7, MOVE).splitlines()
    interrupted = "\n".join([trailers[0], "Signed-off-by: someone", *trailers[1:]])
    assert status_claims(interrupted) == []
    assert status_claims("\n".join(trailers[1:])) == []  # no status line
    assert status_claims("\n".join(trailers[:-1])) == []  # no proof
    bad = "\n".join(['RFC-Status: ["only", "two"]', trailers[-1]])
    assert status_claims(bad) == []
    restarted = "\n".join([trailers[0], *trailers])
    assert [claim.move for claim in status_claims(restarted)] == [MOVE]


@pytest.mark.parametrize(
    "value",
    ["not json", "[]", '{"approvers":"mona","period":[null,null],"blob":"b"}', '{"approvers":[]}'],
)
def test_a_malformed_decision_reads_as_none(value: str) -> None:
    assert DecisionTrailer.from_value(value) is None


def test_a_decision_without_a_period() -> None:
    record = DecisionTrailer(("mona",), None, None, "c" * 40)
    assert DecisionTrailer.from_value(record.trailer_value()) == record
