"""`rfc-bot site` writes decisions.atom from the checkout's history: a valid Atom feed (RFC 4287's
required elements), the decision's events with stable ids, user text escaped, proofs judged as
`rfc-bot audit` judges them, linked from every page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.policy.provenance import DecisionTrailer
from tests.cli.audit_helpers import BOT, REPO, SECRET, History, app_message, decision
from tests.cli.helpers import rfc

ATOM = "{http://www.w3.org/2005/Atom}"
X0, X42 = "rfcs/0000-audit-log.md", "rfcs/0042-audit-log.md"
HOSTILE = 'Audit <script>alert(1)</script> & ]]> "quoted" @mona'


@pytest.fixture
def history(project: Path, monkeypatch: pytest.MonkeyPatch) -> History:
    for name in ("RFC_BOT_SECRET", "GITHUB_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RFC_BOT_SECRET", SECRET)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    repo = History(project)
    repo.commit({"README.md": "# RFCs\n", "rfcs/README.md": "# Index\n"}, "Initial commit")
    return repo


def decided(history: History, title: str = "Audit Log", pull: int = 7) -> None:
    """alice proposes an RFC by hand; a decision approved by mona and nina moves it to Final
    (the App's signed commit); merged, then numbered."""
    history.branch("rfc-audit-log")
    history.commit({X0: rfc(title)}, "Add the audit log RFC")
    history.commit({X0: rfc(title, status="Proposed")}, "Propose it")
    # The period ran from the proposal's commit for a minute, ending before the App's move.
    start = history.clock
    approved = DecisionTrailer(("mona", "nina"), start, start + timedelta(minutes=1),
                               history.blob(X0))  # fmt: skip
    message = app_message(X0, "Proposed", "Final", pull, approved)
    history.commit({X0: rfc(title, status="Final")}, message, author=BOT)
    history.merge("rfc-audit-log", pull)
    history.rename(X0, X42, pull)


def build(*options: str) -> ET.Element:
    assert main(["site", "rfcs", "-o", "_site", *options]) == 0
    return ET.fromstring(Path("_site/decisions.atom").read_text(encoding="utf-8"))


def check_atom(feed: ET.Element) -> list[ET.Element]:
    """RFC 4287: a feed has one id, title and updated, an author (here the feed's, which every
    entry inherits); each entry one id, title and updated and a link; ids are unique."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert entry.find(f"{ATOM}link") is not None
        assert (entry.findtext(f"{ATOM}updated") or "").endswith("Z")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    return entries


def titles(entries: list[ET.Element]) -> list[str]:
    return [entry.findtext(f"{ATOM}title") or "" for entry in entries]


def test_a_decision_becomes_its_events_newest_first(history: History) -> None:
    decided(history)
    entries = check_atom(build("--site-url", "https://rfcs.example/"))
    assert titles(entries) == [
        "Audit Log: moved Proposed → Final",
        "Audit Log: Proposed → Final: final comment period ended",
        "Audit Log: Proposed → Final: final comment period started",
        "Audit Log: Proposed → Final approved",
        "Audit Log: moved Draft → Proposed",
    ]
    summaries = [entry.findtext(f"{ATOM}summary") or "" for entry in entries]
    assert "approved by mona, nina" in summaries[0] and "proven" in summaries[0]
    assert "permitted" in summaries[-1] and "approved by" not in summaries[-1]
    approved = entries[3]
    assert approved.findtext(f"{ATOM}author/{ATOM}name") == "mona, nina"
    assert approved.findtext(f"{ATOM}updated") == "2024-05-01T09:12:00Z"  # the proposal
    link = approved.find(f"{ATOM}link")
    assert link is not None and link.get("href") == "https://rfcs.example/rfcs/0042-audit-log.html"


def test_ids_and_bytes_are_stable_across_builds(history: History) -> None:
    decided(history)
    first = Path("_site/decisions.atom")
    ids = [e.findtext(f"{ATOM}id") for e in check_atom(build())]
    text = first.read_text(encoding="utf-8")
    Path("_site/.rfc-site.json").unlink()  # a full rebuild
    assert [e.findtext(f"{ATOM}id") for e in check_atom(build())] == ids
    assert first.read_text(encoding="utf-8") == text


def test_a_forged_title_is_text_not_markup(history: History) -> None:
    decided(history, title=HOSTILE)
    entries = check_atom(build())
    assert titles(entries)[0] == f"{HOSTILE}: moved Proposed → Final"
    raw = Path("_site/decisions.atom").read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw


def test_a_forged_decision_trailer_shows_no_approvers(history: History) -> None:
    history.branch("forged")
    history.commit({X0: rfc("Forged", status="Proposed")}, "Propose it")
    fake = decision(history.blob(X0), "mallory")
    message = app_message(X0, "Proposed", "Final", 9, fake, key=b"x" * 32)
    history.commit({X0: rfc("Forged", status="Final")}, message, author="mallory")
    history.merge("forged", 9)
    entries = check_atom(build())
    assert titles(entries)[0] == "Forged: moved Proposed → Final"
    summary = entries[0].findtext(f"{ATOM}summary") or ""
    assert "UNPROVEN" in summary and "mallory" in summary and "approved by" not in summary
    assert not [t for t in titles(entries) if "approved" in t]


def test_without_the_key_the_claimed_decision_is_marked_unverified(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    decided(history)
    monkeypatch.delenv("RFC_BOT_SECRET")
    entries = check_atom(build())
    summary = entries[0].findtext(f"{ATOM}summary") or ""
    assert "approved by mona, nina" in summary and "unverified" in summary


def test_every_page_links_the_feed(history: History) -> None:
    decided(history)
    build()
    for page in ("_site/index.html", "_site/rfcs/0042-audit-log.html"):
        html = Path(page).read_text(encoding="utf-8")
        assert 'title="RFC decisions" href="' in html and 'decisions.atom">' in html


def test_without_a_history_the_feed_is_empty_and_says_why(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "rfcs").mkdir()
    (project / "rfcs" / "0000-x.md").write_text(rfc("X"))
    assert check_atom(build()) == []
    assert "decisions.atom: no decision history" in capsys.readouterr().err
