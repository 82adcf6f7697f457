"""Proof that a commit was written by this App: signed trailers. Pure.

Anything the App reads back from GitHub that a user could have written is trusted only once
proven. The App's commits carry an ``RFC-Proof`` trailer: an HMAC-SHA256, keyed by a key
derived from the App's secret, over what the commit claims (the repository, the pull request,
and for a status move the file and the move). Without the secret nobody can compute it, and a
proof copied from one of the App's commits proves only the claim it was made for: pasting it
under another pull request, file or move changes what is signed, so it fails.

A status commit also names its pull request (``RFC-PR``), so ``rfc-bot audit`` knows what to
check the proof against when the history does not say, and a decision's move records the
decision (``RFC-Decision``: the approvers, the comment period and the blob sha of the RFC's
text they approved), covered by the same proof.

Why not "a verified commit authored by the App's bot user"? Signatures are also verified for
other bots (``github-actions[bot]`` commits of any workflow a contributor can write), and the
Action mode of rfc-bot commits as that shared identity; the HMAC holds in every mode.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.rfc.workflow import Provenance
from bot.values import github_time

PROOF = "RFC-Proof"
STATUS = "RFC-Status"
PULL = "RFC-PR"
NUMBERED = "RFC-Numbered"
DECISION = "RFC-Decision"
_CLAIM_KEYS = frozenset({PULL, DECISION})  # the lines a status claim may hold between its ends
_CONTEXT = b"rfc-bot provenance v1"


def signing_key(secret: str) -> bytes:
    """The key for proofs, derived from the App's secret (never the secret itself)."""
    return hmac.new(secret.encode("utf-8"), _CONTEXT, hashlib.sha256).digest()


def _proof(key: bytes, *claim: str) -> str:
    message = json.dumps(claim, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _valid(key: bytes, proof: str, *claim: str) -> bool:
    return hmac.compare_digest(proof.strip().lower(), _proof(key, *claim))


@dataclass(frozen=True, slots=True)
class StatusMove:
    path: str
    current: str
    target: str


@dataclass(frozen=True, slots=True)
class PullProvenance:
    """Who stands behind a pull request's status changes: its author (and whether a
    maintainer), and the moves the App provably committed in it."""

    opener: str | None
    opener_is_maintainer: bool = False
    moves: frozenset[StatusMove] = frozenset()

    def for_path(self, path: str) -> Provenance:
        """What the lint engine needs for one file."""
        proven = frozenset((m.current, m.target) for m in self.moves if m.path == path)
        return Provenance(self.opener, self.opener_is_maintainer, proven)


@dataclass(frozen=True, slots=True)
class DecisionTrailer:
    """The ``RFC-Decision`` trailer of a decision's move: who approved, the comment period,
    and the blob sha of the RFC's text they approved (approvals bind to content). The
    decision's own record is elsewhere (``bot.policy.decisions.record``); this is what the
    move's commit keeps of it, for ``rfc-bot audit``."""

    approvers: tuple[str, ...]
    period_start: datetime | None
    period_end: datetime | None
    blob: str

    def trailer_value(self) -> str:
        """One JSON line, always spelled the same (it is signed as written)."""
        value = {
            "approvers": list(self.approvers),
            "period": [_iso(self.period_start), _iso(self.period_end)],
            "blob": self.blob,
        }
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    @classmethod
    def from_value(cls, value: str) -> DecisionTrailer | None:
        data = _json(value)
        if not isinstance(data, dict):
            return None
        approvers, period, blob = data.get("approvers"), data.get("period"), data.get("blob")
        if not (isinstance(approvers, list) and all(isinstance(a, str) for a in approvers)):
            return None
        if not (isinstance(period, list) and len(period) == 2 and isinstance(blob, str)):
            return None
        return cls(tuple(approvers), _moment(period[0]), _moment(period[1]), blob)


@dataclass(frozen=True, slots=True)
class StatusClaim:
    """A status move as a commit message claims it: the trailer lines, not yet proven."""

    move: StatusMove
    pull: int | None  # as the ``RFC-PR`` line names it
    proof: str
    decision_value: str | None = None  # the ``RFC-Decision`` line, exactly as signed

    @property
    def decision(self) -> DecisionTrailer | None:
        value = self.decision_value
        return None if value is None else DecisionTrailer.from_value(value)

    def holds(self, key: bytes, repo: str, pull: int) -> bool:
        """Whether the proof is this App's for this claim in pull request ``pull`` of
        ``repo`` (a proof made for another repository or pull request fails)."""
        move = self.move
        claim = ["status", repo, str(pull), move.path, move.current, move.target]
        if self.decision_value is not None:
            claim.append(self.decision_value)
        return _valid(key, self.proof, *claim)


def status_trailers(
    key: bytes, repo: str, pull: int, move: StatusMove, decision: DecisionTrailer | None = None
) -> str:
    """The trailer lines of a status commit: the move (one JSON line, whatever the path holds),
    its pull request, the decision that made it (if one did) and the proof of them all."""
    value = json.dumps([move.path, move.current, move.target], ensure_ascii=True)
    lines = [f"{STATUS}: {value}", f"{PULL}: #{pull}"]
    claim = ["status", repo, str(pull), move.path, move.current, move.target]
    if decision is not None:
        lines.append(f"{DECISION}: {decision.trailer_value()}")
        claim.append(decision.trailer_value())
    return "\n".join([*lines, f"{PROOF}: {_proof(key, *claim)}"])


def proven_status_moves(
    key: bytes, repo: str, pull: int, messages: Iterable[str]
) -> frozenset[StatusMove]:
    """The status moves this App provably committed in the pull request's commits (each
    message's trailer block)."""
    moves = set()
    for message in messages:
        claim = _claim(trailers(message))
        if claim is not None and claim.holds(key, repo, pull):
            moves.add(claim.move)
    return frozenset(moves)


def status_claims(message: str) -> list[StatusClaim]:
    """Every status claim anywhere in the message: a squash merge keeps the messages of the
    commits it squashed in its body, each with its trailer lines. A claim runs from an
    ``RFC-Status`` line to the next ``RFC-Proof`` line, with only its own keys between.
    Linear in the message."""
    found = []
    fields: dict[str, str] | None = None
    for key, value in _key_lines(message):
        if key == STATUS:
            fields = {STATUS: value}
        elif fields is not None and key in _CLAIM_KEYS:
            fields[key] = value
        elif fields is not None and key == PROOF:
            fields[PROOF] = value
            claim = _claim(fields)
            found += [claim] if claim is not None else []
            fields = None
        else:
            fields = None
    return found


def _key_lines(message: str) -> Iterator[tuple[str, str]]:
    """(key, value) of each ``Key: value`` line; ("", "") for any other line."""
    for line in message.splitlines():
        key, colon, value = line.partition(":")
        yield (key, value.strip()) if colon and key and " " not in key else ("", "")


def _claim(fields: dict[str, str]) -> StatusClaim | None:
    value, proof = fields.get(STATUS), fields.get(PROOF)
    move = None if value is None else _status_claim(value)
    if move is None or proof is None:
        return None
    return StatusClaim(move, _pull_number(fields.get(PULL)), proof, fields.get(DECISION))


def numbering_trailers(key: bytes, repo: str, pull: int, renames: Iterable[tuple[str, str]]) -> str:
    """The trailers of a numbering commit: the pull request, its renames, and their proof."""
    value = json.dumps(sorted(renames), ensure_ascii=True)
    proof = _proof(key, "numbered", repo, str(pull), value)
    return f"{PULL}: #{pull}\n{NUMBERED}: {value}\n{PROOF}: {proof}"


def proven_numbering(key: bytes, repo: str, pull: int, messages: Iterable[str]) -> dict[str, str]:
    """old path -> numbered path for the RFCs that the App's proven numbering commits renamed
    for this pull request. A forged or copied trailer counts nothing."""
    renamed: dict[str, str] = {}
    for message in messages:
        fields = trailers(message)
        value, proof = fields.get(NUMBERED), fields.get(PROOF)
        if fields.get(PULL, "").strip() != f"#{pull}" or value is None or proof is None:
            continue
        if not _valid(key, proof, "numbered", repo, str(pull), value):
            continue
        pairs = _json(value)
        for pair in pairs if isinstance(pairs, list) else ():
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
                renamed[pair[0]] = pair[1]
    return renamed


def trailers(message: str) -> dict[str, str]:
    """The ``Key: value`` lines of the message's last paragraph (git's trailer block); the last
    one wins when a key repeats. Linear in the message."""
    block = message.rstrip().rsplit("\n\n", 1)[-1]
    return {key: value for key, value in _key_lines(block) if key}


def _json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return None


def _pull_number(value: str | None) -> int | None:
    digits = (value or "").strip().removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else github_time(moment)


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _status_claim(value: str) -> StatusMove | None:
    parts = _json(value)
    if not (isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)):
        return None
    return StatusMove(*parts)
