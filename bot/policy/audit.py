"""``rfc-bot audit``'s verdicts: each status move of an RFC, and whether it was proven. Pure.

A move is two consecutive versions of an RFC whose Status differs (a file created past the
initial status moves from it). Its class:

- **proven**: the commit carries the App's signed status trailers (``bot.policy.provenance``)
  for this file and move, checked against the pull request the commit came in by; a squash
  merge's body keeps them, and a chain of proven and ungated moves counts;
- **permitted**: a move with no decision rule, which the check allows those with the
  permission to make by hand;
- **unproven**: any other move (it needs a decision, or is no move of the workflow) without
  a proof that holds;
- **unverified**: the commit claims the App's proof but there is no key to check it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.policy.audit_history import (
    GraphCommit,
    Step,
    Touch,
    first_parents,
    landing_pulls,
    pull_named,
    trace,
)
from bot.policy.provenance import DecisionTrailer, StatusClaim, signing_key, status_claims
from bot.rfc.config.public import Config
from bot.rfc.document import parse
from bot.rfc.workflow import Move as Transition
from bot.rfc.workflow import reachable


class Verdict(StrEnum):
    PROVEN = "proven"
    PERMITTED = "permitted"
    UNPROVEN = "unproven"
    UNVERIFIED = "unverified"


FAILING = frozenset({Verdict.UNPROVEN, Verdict.UNVERIFIED})
# The secret the App's key derives from: the Action's (``rfc-bot action``), else the webhook
# server's (``rfc-bot serve`` signs with a key derived from its webhook secret).
SECRET_VARIABLES = ("RFC_BOT_SECRET", "GITHUB_WEBHOOK_SECRET")


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    author: str
    date: datetime
    message: str
    pull: int | None = None  # the pull request the history says it came in by


@dataclass(frozen=True, slots=True)
class Version:
    """One file as one commit has it: its path, text and blob sha."""

    path: str
    text: str
    blob: str


@dataclass(frozen=True, slots=True)
class Change:
    """One commit's change to an RFC: the file in its first parent (None: it created the
    file) and in the commit."""

    commit: CommitInfo
    before: Version | None
    after: Version


@dataclass(frozen=True, slots=True)
class Verifier:
    """What checks a proof: the App's key (None: no key given) and the repository's
    ``owner/name``, which every proof names."""

    key: bytes | None
    repo: str


@dataclass(frozen=True, slots=True)
class ProofKey:
    """The key that checks the App's proofs (derived from its secret), or None with a hint on
    how to give it."""

    key: bytes | None
    hint: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], variable: str | None = None) -> ProofKey:
        """From ``variable``, else the first of ``SECRET_VARIABLES`` that is set."""
        names = (variable,) if variable else SECRET_VARIABLES
        secret = next((environ[name] for name in names if environ.get(name)), "")
        return cls(signing_key(secret)) if secret else cls(None, f"set {names[0]}")

    def verifier(self, repo: str) -> Verifier:
        return Verifier(self.key, repo)


@dataclass(frozen=True, slots=True)
class ProvenStep:
    current: str
    target: str
    pull: int
    decision: DecisionTrailer | None = None


@dataclass(frozen=True, slots=True)
class Move:
    commit: CommitInfo
    path: str  # the file's path in that commit
    current: str
    target: str
    gated: bool  # no chain of moves without a decision rule leads from current to target
    verdict: Verdict
    reason: str
    steps: tuple[ProvenStep, ...] = ()
    created: bool = False  # the commit created the file past the initial status


@dataclass(frozen=True, slots=True)
class RfcAudit:
    path: str
    title: str | None
    status: str | None  # now, as the config spells it (None: unreadable)
    created: CommitInfo | None  # the commit that created the file (None: not in the history)
    moves: tuple[Move, ...]
    created_as: str | None = None  # its status then


@dataclass(frozen=True)
class AuditPlan:
    """What to read for the RFCs at the head, and how to judge it once read: each RFC's steps
    (``trace``), each commit's first parent and the pull request it came in by."""

    steps: dict[str, list[Step]]
    parents: dict[str, str | None]
    landed: dict[str, int]

    @classmethod
    def of(
        cls, paths: Iterable[str], head: str, graph: Sequence[GraphCommit], touches: Sequence[Touch]
    ) -> AuditPlan:
        steps = {path: trace(path, touches) for path in sorted(paths)}
        return cls(steps, first_parents(graph), landing_pulls(graph, head))

    def reads(self) -> set[tuple[str, str]]:
        """(commit sha, path) of every version the verdicts need."""
        wanted = set()
        for step in (step for steps in self.steps.values() for step in steps):
            wanted.add((step.sha, step.after))
            parent = self.parents.get(step.sha)
            if step.before is not None and parent is not None:
                wanted.add((parent, step.before))
        return wanted

    def audit(
        self,
        commits: Mapping[str, CommitInfo],
        versions: Mapping[tuple[str, str], Version | None],
        config: Config,
        verifier: Verifier,
    ) -> tuple[RfcAudit, ...]:
        """Each RFC's audit, from the commits that touched the directory and the versions
        ``reads`` asked for (None: not there, e.g. not a file)."""
        audits = []
        for path, steps in self.steps.items():
            changes = []
            for step in steps:
                after = versions.get((step.sha, step.after))
                parent = self.parents.get(step.sha)
                before = None
                if step.before is not None and parent is not None:
                    before = versions.get((parent, step.before))
                commit = replace(commits[step.sha], pull=self.landed.get(step.sha))
                if after is not None:
                    changes.append(Change(commit, before, after))
            audits.append(audit_rfc(path, changes, config, verifier))
        return tuple(audits)


def audit_rfc(path: str, changes: Sequence[Change], config: Config, verifier: Verifier) -> RfcAudit:
    """The moves in one RFC's changes (oldest first). A version without a readable Status
    moves nothing: the next readable one is compared with the last readable one."""
    moves: list[Move] = []
    previous: str | None = None
    for change in changes:
        before = _status(change.before, config) if change.before else config.initial_status
        before = before or previous
        after = _status(change.after, config)
        if after is None:
            continue
        if before is not None and before != after:
            moves.append(judge(change, before, after, config, verifier))
        previous = after
    latest = parse(changes[-1].after.text) if changes else None
    first = changes[0] if changes and changes[0].before is None else None
    return RfcAudit(
        path,
        latest.title if latest else None,
        config.canonical_status(latest.status) if latest else None,
        first.commit if first else None,
        tuple(moves),
        _status(first.after, config) if first else None,
    )


def judge(change: Change, current: str, target: str, config: Config, verifier: Verifier) -> Move:
    """The class of one move, with the reason a reader is shown."""
    ungated = _ungated(config)
    gated = not reachable(current, target, ungated)
    checks = [_check(claim, change, current, target, verifier) for claim in _claims(change)]
    held = [check for check in checks if check.holds]

    def move(verdict: Verdict, reason: str, steps: Iterable[_Check] = ()) -> Move:
        proven = tuple(check.step for check in steps)
        created = change.before is None
        path = change.after.path
        return Move(change.commit, path, current, target, gated, verdict, reason, proven, created)

    direct = [c for c in held if (c.claim.move.current, c.claim.move.target) == (current, target)]
    if direct:
        return move(Verdict.PROVEN, "the App's commit", direct[:1])
    if not gated:
        return move(Verdict.PERMITTED, _hand_edit_reason(checks))
    if reachable(current, target, ungated | {c.transition for c in held}):
        return move(Verdict.PROVEN, "the App's commits, squashed", held)
    if any(check.holds is None for check in checks):
        return move(Verdict.UNVERIFIED, "claims the App's proof")
    problems = [check.problem for check in checks if check.problem]
    return move(Verdict.UNPROVEN, problems[0] if problems else _why_gated(current, target, config))


@dataclass(frozen=True, slots=True)
class _Check:
    claim: StatusClaim
    pull: int | None  # the pull request it was checked against
    holds: bool | None  # None: no key to check it with
    problem: str = ""

    @property
    def transition(self) -> Transition:
        return (self.claim.move.current, self.claim.move.target)

    @property
    def step(self) -> ProvenStep:
        assert self.pull is not None  # only a proof that holds becomes a step
        return ProvenStep(*self.transition, self.pull, self.claim.decision)


def _claims(change: Change) -> list[StatusClaim]:
    """The status claims in the commit's message about this file, under either path."""
    paths = {change.after.path, *([change.before.path] if change.before else [])}
    return [c for c in status_claims(change.commit.message) if c.move.path in paths]


def _check(
    claim: StatusClaim, change: Change, current: str, target: str, verifier: Verifier
) -> _Check:
    """Whether the claim's proof holds for the pull request the commit came in by (or, when
    the history names none, the one the claim names)."""
    commit, key = change.commit, verifier.key
    pull = commit.pull if commit.pull is not None else claim.pull
    if key is None:
        return _Check(claim, pull, None)
    if pull is None:
        return _Check(claim, pull, False, "its proof names no pull request to check it against")
    if not claim.holds(key, verifier.repo, pull):
        copied = claim.pull not in (None, pull)
        if copied and claim.pull is not None and claim.holds(key, verifier.repo, claim.pull):
            problem = (
                f"its proof was made for pull request #{claim.pull}; this commit came in by #{pull}"
            )
        else:
            problem = "its proof does not hold (not the App's for this file, move and pull request)"
        return _Check(claim, pull, False, problem)
    mismatch = _approved_elsewhere(claim, change, current, target)
    return _Check(claim, pull, not mismatch, mismatch)


def _approved_elsewhere(claim: StatusClaim, change: Change, current: str, target: str) -> str:
    """For the App's own decision commit (not a merge of it): the text it moved must be the
    text the approvers approved (a proof copied onto other text fails here)."""
    decision = claim.decision
    own = (claim.move.current, claim.move.target) == (current, target)
    if decision is None or change.before is None or not own:
        return ""
    if pull_named(change.commit.message.partition("\n")[0]) is not None:
        return ""  # a squash or merge: the approved text was on the pull request's branch
    if decision.blob == change.before.blob:
        return ""
    return (
        f"the text it moved (blob {change.before.blob[:7]}) is not the text approved "
        f"(blob {decision.blob[:7]})"
    )


def _ungated(config: Config) -> set[Transition]:
    """The workflow's moves without a decision rule: hand edits the check allows."""
    return {
        (current, target)
        for current in config.statuses
        for target in config.allowed_next(current)
        if config.decision_rule(current, target) is None
    }


def _hand_edit_reason(checks: Sequence[_Check]) -> str:
    if any(check.holds is None for check in checks):
        return "no decision needed (claims the App's proof; no key to check it)"
    if checks:
        return "no decision needed (its claimed proof does not hold)"
    return "hand edit, no decision needed"


def _why_gated(current: str, target: str, config: Config) -> str:
    if config.decision_rule(current, target) is not None:
        return "needs a decision; no proof that the App made it"
    return "not a move of the workflow without a decision; no proof that the App made it"


def _status(version: Version | None, config: Config) -> str | None:
    return None if version is None else config.canonical_status(parse(version.text).status)
