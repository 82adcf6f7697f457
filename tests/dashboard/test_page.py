"""The dashboard's HTML: every value escaped, links only to https, small, and what it says."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.dashboard.page import Notes, render_dashboard, render_message
from bot.policy.dashboard import PullCard, build_view
from bot.policy.decisions import NO_DECISION, Approved, ConcernRaised
from bot.policy.panel import RfcPanel
from tests.policy.dashboard_cards import MOVES, PATH, RULE, T0, card, state


class Tags(HTMLParser):
    """Every start tag and attribute, to prove user text never became markup."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def page(cards, viewer="carol", *, mine_only=False, notes=None):
    view = build_view(cards, viewer, lambda repo: True, T0, mine_only=mine_only)
    return render_dashboard(view, "csrf-token-1", notes or Notes())


def test_the_page_shows_status_check_decision_and_who_must_act():
    decided = state(ConcernRaised(T0, "bob", PATH, "budget", "https://github.com/o/r/pull/1#c"))
    html = page([card(decision=decided)])
    for text in ("Proposed", "passing", "→ Final", "collecting approvals", "budget", "bob"):
        assert text in html
    assert '<input type="hidden" name="csrf" value="csrf-token-1">' in html
    assert 'action="/dashboard/logout"' in html and 'method="post"' in html


def test_the_viewer_is_shown_as_you_and_the_card_marked():
    html = page([card(decision=state())], viewer="carol")
    assert '<span class="you">you</span>' in html and 'class="card mine"' in html
    assert "Waiting on me (1)" in html


def test_a_comment_period_shows_its_end_as_an_absolute_utc_time():
    votes = [
        Approved(T0 + timedelta(minutes=m), who, PATH) for m, who in ((1, "bob"), (2, "carol"))
    ]
    html = page([card(decision=state(*votes))])
    assert "final comment period" in html and "ends" in html and "2024-05-08 09:02 UTC" in html


def test_empty_views_say_so():
    assert "Nothing is waiting on you." in page([card()], mine_only=True)
    assert "No open pull request changes an RFC" in page([])


def test_notes_say_what_could_not_be_shown():
    html = page([], notes=Notes(loading=3, unavailable=1, rate_limited=True))
    assert "3 pull requests could not be read in time" in html
    assert "did not answer" in html and "short of GitHub API requests" in html


def test_links_are_only_https():
    hostile = PullCard("o/r", 1, "t", "javascript:alert(1)", "a", "failure", "data:x", card().rfcs)
    html = page([hostile])
    assert "javascript:" not in html and "data:x" not in html
    hrefs = [attrs.get("href") for tag, attrs in tags(html) if tag == "a"]
    assert all(h and (h.startswith(("/", "#", "https://"))) for h in hrefs)


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("http://127.0.0.1:8123/o/r/pull/1", True),  # the demo's simulator, on this machine
        ("http://localhost/o/r/pull/1", True),
        ("http://github.com/o/r/pull/1", False),  # across a network in clear
        ("http://127.0.0.1.attacker.example/o/r/pull/1", False),
        ("http://127.0.0.1:80@attacker.example/o/r/pull/1", False),
    ],
)
def test_plain_http_links_only_on_loopback(url: str, linked: bool):
    html = page([PullCard("o/r", 1, "t", url, "a", "failure", url, card().rfcs)])
    hrefs = [attrs.get("href") for tag, attrs in tags(html) if tag == "a"]
    assert (url in hrefs) is linked


def test_the_page_is_light():
    cards = [card("o/r", n, decision=state()) for n in range(50)]
    assert len(page(cards).encode()) < 120_000  # 50 RFCs; about 2 KB each
    assert len(page([card()]).encode()) < 6_000


def test_a_message_page_escapes_its_text():
    html = render_message("Sign-in refused", "<script>x</script>", link=("/dashboard", "Retry"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/dashboard">Retry</a>' in html


HOSTILE = st.text(st.characters(codec="utf-8"), max_size=40)


@given(title=HOSTILE, path=HOSTILE, status=HOSTILE, login=HOSTILE, concern=HOSTILE)
@example(title="<img src=x onerror=alert(1)>", path='"><b>', status="<i>", login="<u>", concern="&")
def test_user_text_never_becomes_markup(title, path, status, login, concern):
    decided = state(ConcernRaised(T0, "bob", PATH, concern))
    rfc = RfcPanel(path, title, status, MOVES, decided, RULE)
    hostile = PullCard(
        "o/r", 1, title, "https://github.com/o/r/pull/1", login, "failure", "", (rfc,)
    )
    plain = PullCard(
        "o/r",
        2,
        "t",
        "https://github.com/o/r/pull/2",
        "a",
        "success",
        "",
        (RfcPanel(PATH, "t", "Draft", (), NO_DECISION, None),),
    )
    viewer = login.strip() or "x"
    html = page([hostile, plain], viewer=viewer)
    assert _same_shape(html)
    tame = tags(page([_tame(hostile), plain], viewer=viewer))
    assert [tag for tag, _ in tags(html)] == [tag for tag, _ in tame]


def _tame(pull: PullCard) -> PullCard:
    rfc = pull.rfcs[0]
    tame = RfcPanel("p", "t", "s", rfc.moves, rfc.decision, rfc.rule)
    return PullCard(pull.repo, pull.number, "t", pull.url, "a", pull.check, "", (tame,))


def _same_shape(html: str) -> bool:
    """No tag or attribute beyond the page's own vocabulary."""
    allowed = {
        "html",
        "head",
        "meta",
        "title",
        "link",
        "body",
        "a",
        "header",
        "p",
        "strong",
        "form",
        "input",
        "button",
        "main",
        "h1",
        "h2",
        "nav",
        "ul",
        "li",
        "span",
        "code",
        "dl",
        "dt",
        "dd",
        "time",
        "footer",
    }
    return all(
        tag in allowed and not any(k.startswith("on") for k in attrs) for tag, attrs in tags(html)
    )
