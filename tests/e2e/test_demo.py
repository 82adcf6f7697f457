"""`rfc-bot demo` runs the whole loop on loopback: red, green, a status command, a merge."""

from __future__ import annotations

import io

from sandbox import demo


async def test_demo_shows_a_red_check_then_a_green_one() -> None:
    out = io.StringIO()
    ok = await demo.run_demo(out)
    text = out.getvalue()
    assert ok
    assert text.index("RFC validation: FAILURE") < text.index("RFC validation: SUCCESS")
    assert "[status-invalid]" in text
    assert "**Status:** In review" in text  # the offending source line is shown
    assert "**Status:** Proposed" in text
    assert "Assigned RFC 0001: [rfcs/0001-job-retries.md]" in text
    assert "index row: | 0001 | [Job Retries](0001-job-retries.md) | Final |" in text
    assert "Started a decision to move `rfcs/0000-job-retries.md` from **Proposed** to" in text
    assert "- [x] `nina`: [approved in a review]" in text
    # Each step of the decision shows what the App answered.
    approval = text.split("approves the pull request in a review", 1)[1].split("==>", 1)[0]
    assert "- [x] `nina`: [approved in a review]" in approval
    assert "**Comment period:** ends" in approval
    concern = text.split("raises a concern", 1)[1].split("==>", 1)[0]
    assert "comment by rfc-bot[bot]: `/rfc concern naming`: The concern `naming`" in concern
    assert "- `naming`: [raised]" in concern
    resolved = text.split("resolves the concern", 1)[1].split("==>", 1)[0]
    assert "comment by rfc-bot[bot]: `/rfc resolve naming`: The concern `naming`" in resolved
    assert "**Status:** Final" in text and "status Proposed -> Final" in text
    assert "is now **Final**" in text
    follow_up = text.split("the tracking issue and the links", 1)[1].split("==>", 1)[0]
    assert "issue #2: Tracking issue for RFC 0001: Job Retries (assigned to alice)" in follow_up
    assert "- [ ] **Retry share:** under 5% of jobs" in follow_up
    assert "rfcs/0001-job-retries.md on main: **Tracking Issue:** #2" in follow_up
    assert "[the RFC](../rfcs/0001-job-retries.md)" in follow_up
    assert "/blob/main/rfcs/0001-job-retries.md)" in follow_up.split("description:", 1)[1]
    assert "tracked in #2" in text
    assert "FAILED" not in text
    assert "\033[" not in text  # no colour when the output is not a terminal


def test_main_exits_zero() -> None:
    out = io.StringIO()
    # A plain (not async) test: main() runs its own event loop.
    assert demo.main([], out=out) == 0
    assert "ok  number assigned on merge" in out.getvalue()


async def test_the_demo_ends_with_the_audit_of_its_repository() -> None:
    """`rfc-bot audit --github` of the demo's repository, read through the simulator's API:
    the squashed pull request's moves, each proven by the App's commits, the decision's
    approvers named."""
    out = io.StringIO()
    assert await demo.run_demo(out)
    audit = out.getvalue().split("==> rfc-bot audit --github octo-org/rfcs", 1)[1]
    block = audit.split("==> Result", 1)[0]
    assert "rfcs/0001-job-retries.md  Job Retries  (Final)" in block
    assert "#1  mona  Draft → Final (created)" in block
    assert "proven: the App's commits, squashed: Draft → Proposed, then Proposed → Final" in block
    assert "(decision approved by @mona, @nina, comment period " in block
    assert "1 RFC, 1 move: 1 proven." in block
    assert "ok  audit: every move proven, the decision's approvers named" in out.getvalue()
