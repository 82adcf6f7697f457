"""The App's decision move records the decision (``RFC-Decision``: approvers, comment period,
the blob sha of the text approved) under its proof, and `rfc-bot audit` reads it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cli.audit_github import read_github_audit
from bot.policy.audit import ProofKey, Verdict
from bot.policy.provenance import DecisionTrailer, signing_key, status_claims
from bot.serve.app import RECONCILER
from tests.e2e.attack_helpers import full_rfc
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.helpers import BRANCH, REPO, send

PATH = "rfcs/0001-job-retries.md"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = 'decisions:\n  "Proposed -> Final": {approvals: 2, comment_period: 1h}\n'


async def test_the_decision_move_records_the_decision(sim: Any, bot_app: BotApp) -> None:
    sim.clock.freeze(START)
    proposed = full_rfc(number="0001", status="Proposed")
    files = {"README.md": "# RFCs\n", PATH: proposed, ".github/rfc-bot.yml": CONFIG}
    repo = sim.create_repo(REPO, files=files)
    for maintainer in ("mona", "nina"):
        sim.set_permission(repo, maintainer, "write")
    pull = sim.open_pull_request(repo, BRANCH, {PATH: proposed + "\nMore.\n"}, author="alice")
    comment = sim.add_comment(repo, pull.number, "mona", "/rfc status final")
    await send(bot_app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))
    sim.clock.advance(timedelta(minutes=5))
    review = sim.submit_review(repo, pull.number, "nina", "APPROVED")
    await send(
        bot_app, "pull_request_review", sim.event_pull_request_review(repo, pull.number, review)
    )
    sim.clock.advance(timedelta(hours=2))
    sweeper = bot_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    await sweeper.sweep()

    head = sim.head(repo, BRANCH)
    (claim,) = status_claims(sim.commit_message(repo, head))
    (parent,) = repo.objects.commits[head].parents  # the text the approvers approved
    approved = repo.objects.files_at(parent)[PATH]
    period = (START + timedelta(minutes=5), START + timedelta(hours=1, minutes=5))
    assert claim.pull == pull.number
    assert claim.decision == DecisionTrailer(("mona", "nina"), *period, approved)

    sim.merge_pull_request(repo, pull.number)
    token, _ = sim.issue_token(repo.installation_id)
    key = ProofKey(signing_key(WEBHOOK_SECRET))
    report = await read_github_audit(REPO, sim.base_url, token, key)
    created, move = report.rfcs[0].moves  # created at Proposed (a permitted move), then Final
    assert created.verdict is Verdict.PERMITTED and move.commit.pull == pull.number
    assert (move.current, move.target, move.verdict) == ("Proposed", "Final", Verdict.PROVEN)
    assert move.steps[0].decision == claim.decision
