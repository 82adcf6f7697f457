"""decisions.atom, pure: any RFC title or commit author gives a well-formed feed that reads back
as the same text, with ids that depend only on the commit, the file and the event."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.audit import CommitInfo, Move, ProvenStep, RfcAudit, Verdict
from bot.policy.provenance import DecisionTrailer
from bot.site.decision_feed import decision_events, decision_feed
from bot.site.feed import xml_text

ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2024, 5, 1, 9, tzinfo=UTC)


def audited(title: str, author: str, sha: str = "a" * 40) -> RfcAudit:
    trailer = DecisionTrailer(("mona", author), T0, T0 + timedelta(days=7), "b" * 40)
    commit = CommitInfo(sha, author, T0 + timedelta(days=8), "message", 7)
    step = ProvenStep("Proposed", "Final", 7, trailer)
    move = Move(commit, "rfcs/0042-x.md", "Proposed", "Final", True, Verdict.PROVEN,
                "the App's commit", (step,))  # fmt: skip
    return RfcAudit("rfcs/0042-x.md", title, "Final", None, (move,))


@given(st.text(), st.text())
@example("<![CDATA[x]]> &amp; </title><entry>", "a\x00b\ud800")
@example("\r", "")
def test_any_text_gives_a_well_formed_feed(title: str, author: str) -> None:
    feed = ET.fromstring(decision_feed(decision_events([audited(title, author)])))
    entries = feed.findall(f"{ATOM}entry")
    written = xml_text(f"{title or 'rfcs/0042-x.md'}: moved Proposed → Final")
    # An XML reader ends lines with \n whatever they were written with.
    assert entries[0].findtext(f"{ATOM}title") == written.replace("\r\n", "\n").replace("\r", "\n")
    assert len(entries) == 4


def test_ids_depend_on_the_commit_file_and_event_only() -> None:
    one = decision_events([audited("One", "nina")])
    renamed = decision_events([audited("Renamed", "omar")])
    other = decision_events([audited("One", "nina", sha="c" * 40)])
    assert [e.key for e in one] == [e.key for e in renamed]
    assert not {e.key for e in one} & {e.key for e in other}
    assert decision_feed(one) == decision_feed(one)
    assert ET.fromstring(decision_feed([])).findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
