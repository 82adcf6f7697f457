"""``decisions.atom``: the Atom feed of decision events, newest first, from the RFC directory's
git history as ``rfc-bot audit`` reads it. Pure and deterministic.

A status move the App made at the end of a decision carries its ``RFC-Decision`` trailer (who
approved, when the comment period ran); from it come four events: **approved** (the approvals
were all in when the period started), **comment period started**, **comment period ended**,
and **moved**. Any other status move is one **moved** event. Each says how ``rfc-bot audit``
judged the move (proven, permitted, unverified without the App's key, or UNPROVEN); the
approvers and period of a move whose proof fails are never shown, since anyone can write a
trailer. Starts, concerns and cancels live in the pull request's decision record, which the
branch's history does not keep: they are not in this feed (the weekly digest lists them).

An entry's id is derived from the commit, the file and the event, so it never changes between
builds; every text from an RFC or a commit goes through ``bot.site.feed``'s escaping.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.policy.audit import Move, RfcAudit, Verdict
from bot.policy.provenance import DecisionTrailer, status_claims
from bot.site.feed import FEED_LIMIT, escape, quoteattr
from bot.site.model import page_name

FILE = "decisions.atom"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VERDICTS = {
    Verdict.PROVEN: "proven: the App's signed commit",
    Verdict.PERMITTED: "permitted: a move without a decision",
    Verdict.UNVERIFIED: "unverified: no key to check the App's proof",
    Verdict.UNPROVEN: "UNPROVEN",
}


@dataclass(frozen=True, slots=True)
class DecisionEvent:
    kind: str  # "approved", "period-started", "period-ended" or "moved"
    at: datetime
    path: str  # the RFC's file as it is now
    title: str
    move: Move

    @property
    def key(self) -> str:
        return f"rfc-bot:decision:{self.move.commit.sha}:{self.move.path}:{self.kind}"


def decision_events(rfcs: Iterable[RfcAudit]) -> list[DecisionEvent]:
    """Every event of every RFC's moves, newest first (ties in a fixed order)."""
    events = []
    for rfc in rfcs:
        title = rfc.title or rfc.path
        for move in rfc.moves:
            decision = shown_decision(move)
            if decision is not None and decision.period_start is not None:
                start = decision.period_start
                events.append(DecisionEvent("approved", start, rfc.path, title, move))
                events.append(DecisionEvent("period-started", start, rfc.path, title, move))
            if decision is not None and decision.period_end is not None:
                end = decision.period_end
                events.append(DecisionEvent("period-ended", end, rfc.path, title, move))
            events.append(DecisionEvent("moved", move.commit.date, rfc.path, title, move))
    order = {"approved": 0, "period-started": 1, "period-ended": 2, "moved": 3}
    return sorted(events, key=lambda e: (e.at, order[e.kind], e.key), reverse=True)


def shown_decision(move: Move) -> DecisionTrailer | None:
    """The decision a move's commit records, when it may be shown: proven (its step), or
    claimed where no key could check it (marked unverified); never one whose proof failed."""
    proven = [step.decision for step in move.steps if step.decision is not None]
    if proven:
        return proven[0]
    if move.verdict is not Verdict.UNVERIFIED:
        return None
    claims = [
        claim.decision
        for claim in status_claims(move.commit.message)
        if claim.decision is not None
        and (claim.move.current, claim.move.target) == (move.current, move.target)
    ]
    return claims[0] if claims else None


def decision_feed(
    events: Sequence[DecisionEvent],
    *,
    site_url: str | None = None,
    repo_url: str | None = None,
) -> str:
    """The feed, at most ``FEED_LIMIT`` entries; its ``updated`` is the newest entry's time,
    so the same history always gives the same bytes."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    newest = list(events)[:FEED_LIMIT]
    updated = newest[0].at if newest else EPOCH
    feed_id = base + FILE if site_url else uuid.uuid5(uuid.NAMESPACE_URL, "rfc-bot:decisions").urn
    entries = "".join(_entry(event, base, repo_url) for event in newest)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<title>RFC decisions</title>\n"
        f"<id>{escape(feed_id)}</id>\n<updated>{_time(updated)}</updated>\n"
        "<author><name>rfc-bot</name></author>\n"
        f'<link rel="self" href={quoteattr(base + FILE)}/>\n'
        f'<link rel="alternate" type="text/html" href={quoteattr(base + "index.html")}/>\n'
        f"{entries}</feed>\n"
    )


def _entry(event: DecisionEvent, base: str, repo_url: str | None) -> str:
    move, page = event.move, base + page_name(event.path)
    entry_id = uuid.uuid5(uuid.NAMESPACE_URL, event.key).urn
    commit = move.commit
    link = f"{repo_url.rstrip('/')}/commit/{commit.sha}" if repo_url else page
    return (
        "<entry>\n"
        f"<title>{escape(_title(event))}</title>\n"
        f"<id>{entry_id}</id>\n<updated>{_time(event.at)}</updated>\n"
        f"<link href={quoteattr(page)}/>\n"
        f'<link rel="related" href={quoteattr(link)}/>\n'
        f"<author><name>{escape(_actor(event))}</name></author>\n"
        f"<summary>{escape(_summary(event))}</summary>\n"
        "</entry>\n"
    )


def _title(event: DecisionEvent) -> str:
    move = f"{event.move.current} → {event.move.target}"
    what = {
        "approved": f"{move} approved",
        "period-started": f"{move}: final comment period started",
        "period-ended": f"{move}: final comment period ended",
        "moved": f"moved {move}",
    }[event.kind]
    return f"{event.title}: {what}"


def _actor(event: DecisionEvent) -> str:
    decision = shown_decision(event.move)
    if event.kind == "approved" and decision is not None and decision.approvers:
        return ", ".join(decision.approvers)
    return event.move.commit.author or "unknown"


def _summary(event: DecisionEvent) -> str:
    move, decision = event.move, shown_decision(event.move)
    parts = [f"{event.path}, commit {move.commit.sha[:7]} by {move.commit.author or 'unknown'}"]
    if move.commit.pull is not None:
        parts.append(f"pull request #{move.commit.pull}")
    if decision is not None:
        approvers = ", ".join(decision.approvers) or "nobody"
        period = f"{_time(decision.period_start)} to {_time(decision.period_end)}"
        parts.append(f"approved by {approvers}; comment period {period}")
    parts.append(_VERDICTS[move.verdict] + ("" if not move.reason else f" ({move.reason})"))
    return "; ".join(parts) + "."


def _time(moment: datetime | None) -> str:
    if moment is None:
        return "(not set)"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
