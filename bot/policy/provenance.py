"""Proof that a commit was written by this App: signed trailers. Pure.

Anything the App reads back from GitHub that a user could have written is trusted only once
proven. The App's commits carry an ``RFC-Proof`` trailer: an HMAC-SHA256, keyed by a key
derived from the App's secret, over what the commit claims (the repository, the pull request,
and for a status move the file and the move). Without the secret nobody can compute it, and a
proof copied from one of the App's commits proves only the claim it was made for: pasting it
under another pull request, file or move changes what is signed, so it fails.

Why not "a verified commit authored by the App's bot user"? Signatures are also verified for
other bots (``github-actions[bot]`` commits of any workflow a contributor can write), and the
Action mode of rfc-bot commits as that shared identity; the HMAC holds in every mode.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from bot.rfc.workflow import Provenance

PROOF = "RFC-Proof"
STATUS = "RFC-Status"
PULL = "RFC-PR"
NUMBERED = "RFC-Numbered"
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


def status_trailers(key: bytes, repo: str, pull: int, move: StatusMove) -> str:
    """The trailer lines of a status commit: the move (one JSON line, whatever the path holds)
    and its proof."""
    value = json.dumps([move.path, move.current, move.target], ensure_ascii=True)
    proof = _proof(key, "status", repo, str(pull), move.path, move.current, move.target)
    return f"{STATUS}: {value}\n{PROOF}: {proof}"


def proven_status_moves(
    key: bytes, repo: str, pull: int, messages: Iterable[str]
) -> frozenset[StatusMove]:
    """The status moves this App provably committed in the pull request's commits."""
    moves = set()
    for message in messages:
        fields = trailers(message)
        claim, proof = fields.get(STATUS), fields.get(PROOF)
        if claim is None or proof is None:
            continue
        move = _status_claim(claim)
        if move is not None and _valid(
            key, proof, "status", repo, str(pull), move.path, move.current, move.target
        ):
            moves.add(move)
    return frozenset(moves)


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
    fields: dict[str, str] = {}
    for line in block.splitlines():
        key, colon, value = line.partition(":")
        if colon and key and " " not in key:
            fields[key] = value.strip()
    return fields


def _json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return None


def _status_claim(value: str) -> StatusMove | None:
    parts = _json(value)
    if not (isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)):
        return None
    return StatusMove(*parts)
