"""``rfc-bot audit``'s report: text (a block per RFC, a line per move) and JSON. Pure.

The JSON's shape is docs/audit.schema.json (a test holds the two together).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.policy.audit import FAILING, CommitInfo, Move, ProvenStep, RfcAudit, Verdict
from bot.policy.provenance import DecisionTrailer
from bot.values import github_time

FORMATS = ("text", "json")
JSON_VERSION = 1
_LABELS = {
    Verdict.PROVEN: "proven",
    Verdict.PERMITTED: "permitted",
    Verdict.UNPROVEN: "UNPROVEN",
    Verdict.UNVERIFIED: "unverified",
}


@dataclass(frozen=True)
class AuditReport:
    """Every RFC of the directory, with its moves, as read from one history."""

    rfcs: tuple[RfcAudit, ...]
    source: str  # "git" or "github"
    head: str  # the commit the history was read from
    repo: str | None  # owner/name, when known
    key_hint: str | None  # None: the proofs were checked; else how to give the key

    @property
    def moves(self) -> list[Move]:
        return [move for rfc in self.rfcs for move in rfc.moves]

    @property
    def ok(self) -> bool:
        """Every move that needs the App's proof has one that holds."""
        return not any(move.verdict in FAILING for move in self.moves)

    def count(self, verdict: Verdict) -> int:
        return sum(move.verdict is verdict for move in self.moves)


def render(report: AuditReport, fmt: str) -> str:
    return render_json(report) if fmt == "json" else render_text(report)


# --- text ----------------------------------------------------------------------------------


def render_text(report: AuditReport) -> str:
    """A block per RFC: its path, title and status now, then a line per move (when, which
    commit, which pull request, who, the move, its class and why), columns aligned."""
    rows = {rfc.path: [_row(move, report.key_hint) for move in rfc.moves] for rfc in report.rfcs}
    for rfc in report.rfcs:
        if rfc.created is not None and not (rfc.moves and rfc.moves[0].created):
            rows[rfc.path].insert(0, _created_row(rfc.created, rfc.created_as))
    widths = [max((len(row[i]) for r in rows.values() for row in r), default=0) for i in range(5)]
    blocks = []
    for rfc in report.rfcs:
        head = f"{rfc.path}  {rfc.title or '(no title)'}  ({rfc.status or 'no valid status'})"
        lines = [head] + ["  " + _aligned(row, widths) for row in rows[rfc.path]]
        if not rows[rfc.path]:
            lines.append("  (no history: the file is not committed)")
        blocks.append("\n".join(lines))
    blocks.append(_summary(report))
    return "\n\n".join(blocks) + "\n"


def _row(move: Move, key_hint: str | None) -> list[str]:
    arrow = f"{move.current} → {move.target}" + (" (created)" if move.created else "")
    label = _LABELS[move.verdict]
    if move.verdict is Verdict.UNVERIFIED:
        label = f"unverified (no key: {key_hint or 'give the key'})"
    return [*_commit_cells(move.commit), arrow, f"{label}: {_details(move)}"]


def _details(move: Move) -> str:
    """Why, and for a proven move what the App's proofs say (the decision, if one made it)."""
    steps = move.steps
    if len(steps) == 1 and (steps[0].current, steps[0].target) == (move.current, move.target):
        decision = steps[0].decision
        return move.reason + (f"; {_decision_text(decision)}" if decision else "")
    chain = ", then ".join(
        f"{step.current} → {step.target}"
        + (f" ({_decision_text(step.decision)})" if step.decision else "")
        for step in steps
    )
    return f"{move.reason}: {chain}" if chain else move.reason


def _created_row(commit: CommitInfo, status: str | None) -> list[str]:
    return [*_commit_cells(commit), f"created: {status or 'no valid status'}", ""]


def _commit_cells(commit: CommitInfo) -> list[str]:
    pull = f"#{commit.pull}" if commit.pull is not None else ""
    return [f"{_when(commit.date)}  {commit.sha[:7]}", pull, commit.author]


def _aligned(row: list[str], widths: list[int]) -> str:
    """The cells padded to their column's width; a column empty in every row is left out."""
    cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False) if width]
    return "  ".join([*cells, row[-1]]).rstrip()


def _decision_text(decision: DecisionTrailer) -> str:
    approvers = ", ".join(f"@{login}" for login in decision.approvers) or "nobody"
    start, end = decision.period_start, decision.period_end
    period = "no comment period"
    if start is not None and end is not None:
        until = _when(end)
        same_day = until[:10] == _when(start)[:10]
        period = f"comment period {_when(start)} to {until[11:] if same_day else until} UTC"
    return f"decision approved by {approvers}, {period}, text {decision.blob[:7]}"


def _summary(report: AuditReport) -> str:
    counts = ", ".join(f"{report.count(v)} {v.value}" for v in Verdict if report.count(v))
    text = f"{_plural(len(report.rfcs), 'RFC')}, {_plural(len(report.moves), 'move')}"
    text += f": {counts}." if counts else "."
    if report.key_hint is not None:
        text += f"\nNo key: the App's proofs were not checked ({report.key_hint})."
    failing = report.count(Verdict.UNPROVEN) + report.count(Verdict.UNVERIFIED)
    if failing:
        count = _plural(failing, "move")
        text += f"\nNot proven: {count} that only the App may make (UNPROVEN or unverified above)."
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


# --- JSON ----------------------------------------------------------------------------------


def render_json(report: AuditReport) -> str:
    data = {
        "version": JSON_VERSION,
        "source": report.source,
        "repository": report.repo,
        "head": report.head,
        "verified": report.key_hint is None,
        "ok": report.ok,
        "summary": {"rfcs": len(report.rfcs), "moves": len(report.moves)}
        | {verdict.value: report.count(verdict) for verdict in Verdict},
        "rfcs": [_rfc_json(rfc) for rfc in report.rfcs],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _rfc_json(rfc: RfcAudit) -> dict[str, Any]:
    return {
        "path": rfc.path,
        "title": rfc.title,
        "status": rfc.status,
        "created": None
        if rfc.created is None
        else _commit_json(rfc.created) | {"status": rfc.created_as},
        "moves": [_move_json(move) for move in rfc.moves],
    }


def _move_json(move: Move) -> dict[str, Any]:
    return {
        "from": move.current,
        "to": move.target,
        "path": move.path,
        "created": move.created,
        "gated": move.gated,
        "verdict": move.verdict.value,
        "reason": move.reason,
        "commit": _commit_json(move.commit),
        "proofs": [_step_json(step) for step in move.steps],
    }


def _commit_json(commit: CommitInfo) -> dict[str, Any]:
    return {
        "sha": commit.sha,
        "author": commit.author,
        "date": _iso(commit.date),
        "pull_request": commit.pull,
    }


def _step_json(step: ProvenStep) -> dict[str, Any]:
    decision = step.decision
    return {
        "from": step.current,
        "to": step.target,
        "pull_request": step.pull,
        "decision": None
        if decision is None
        else {
            "approvers": list(decision.approvers),
            "period_start": _iso(decision.period_start),
            "period_end": _iso(decision.period_end),
            "blob": decision.blob,
        },
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else github_time(moment)
