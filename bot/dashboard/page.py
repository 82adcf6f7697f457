"""The dashboard's HTML: one small page, no script, every value escaped. Pure.

Logins are shown as text, never as links GitHub would turn into mentions; everything that
came from GitHub (titles, paths, statuses, logins, concern names, links) is escaped, and a
link is only ever an https URL, or plain http on this machine (loopback: the GitHub simulator's
own pages in the demo; nothing crosses a network in clear).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.policy.dashboard import DashboardView, Row
from bot.policy.decisions import DecisionState, Phase, utc

STYLESHEET = "/dashboard/dashboard.css"
_LINKABLE = re.compile(
    r"(?:https://|http://(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?(?=/))"
    r"[^\s\"'<>`]{1,2000}"
)
MAX_PEOPLE = 20  # logins listed per row; the rest are counted

_PHASES = {
    Phase.COLLECTING: "collecting approvals",
    Phase.COMMENT_PERIOD: "final comment period",
    Phase.PAUSED: "comment period paused by a concern or a hold",
}


@dataclass(frozen=True, slots=True)
class Notes:
    """What the view could not show completely, said on the page."""

    loading: int = 0
    unavailable: int = 0
    rate_limited: bool = False


def render_dashboard(view: DashboardView, csrf: str, notes: Notes = Notes()) -> str:
    """The whole dashboard page for ``view``; ``csrf`` goes in the sign-out form."""
    heading = "Waiting on you" if view.mine_only else "Open RFCs"
    body = [
        _header(view.viewer, csrf),
        '<main id="main">',
        f"<h1>{heading}</h1>",
        _tabs(view),
        _summary(view),
        *_notes(notes),
        _rows(view),
        "</main>",
        f'<footer><p>Read from GitHub at <time datetime="{view.now.isoformat()}">'
        f"{escape(utc(view.now))}</time>; every view reads what changed since.</p></footer>",
    ]
    return _page(heading, body)


def render_message(title: str, text: str, *, link: tuple[str, str] | None = None) -> str:
    """A page with one message (signed out, sign-in refused, the dashboard off)."""
    action = f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>' if link else ""
    body = [
        '<main id="main">',
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(text)}</p>",
        action,
        "</main>",
    ]
    return _page(title, body)


def _page(title: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="same-origin">',
            f"<title>{escape(title)} · rfc-bot</title>",
            f'<link rel="stylesheet" href="{STYLESHEET}">',
            "</head>",
            "<body>",
            '<a class="skip" href="#main">Skip to the list</a>',
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _header(viewer: str, csrf: str) -> str:
    return (
        "<header>"
        "<p><strong>rfc-bot</strong> dashboard</p>"
        f"<p>Signed in as <strong>{escape(viewer)}</strong></p>"
        '<form method="post" action="/dashboard/logout">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<button type="submit">Sign out</button></form>'
        "</header>"
    )


def _tabs(view: DashboardView) -> str:
    tabs = [
        ("/dashboard", f"All open RFCs ({view.total})", not view.mine_only),
        ("/dashboard?view=mine", f"Waiting on me ({view.waiting_on_viewer})", view.mine_only),
    ]
    items = "".join(
        f'<li><a href="{escape(href)}"{" aria-current=page" if current else ""}>'
        f"{escape(label)}</a></li>"
        for href, label, current in tabs
    )
    return f'<nav aria-label="Views"><ul>{items}</ul></nav>'


def _summary(view: DashboardView) -> str:
    pulls = len({(row.card.repo, row.card.number) for row in view.rows})
    text = (
        f"{_count(len(view.rows), 'RFC')} in {_count(pulls, 'pull request')} "
        f"across {_count(view.repositories, 'repository', 'repositories')} you can read."
    )
    pills = "".join(
        f'<li><span class="pill">{escape(status)}: {count}</span></li>'
        for status, count in view.statuses
    )
    return f'<p>{escape(text)}</p><ul class="pills" aria-label="RFCs by status">{pills}</ul>'


def _notes(notes: Notes) -> list[str]:
    said = []
    if notes.loading:
        said.append(
            f"{_count(notes.loading, 'pull request')} could not be read in time: "
            "reload the page in a moment."
        )
    if notes.unavailable:
        said.append("GitHub did not answer for some installations: reload to try again.")
    if notes.rate_limited:
        said.append(
            "The App is short of GitHub API requests this hour: what is shown may be a few "
            "minutes old."
        )
    return [f'<p class="note" role="status">{escape(text)}</p>' for text in said]


def _rows(view: DashboardView) -> str:
    if not view.rows:
        empty = (
            "Nothing is waiting on you."
            if view.mine_only
            else "No open pull request changes an RFC in the repositories you can read."
        )
        return f"<p>{empty}</p>"
    return '<ul class="cards">' + "".join(_row(row, view) for row in view.rows) + "</ul>"


def _row(row: Row, view: DashboardView) -> str:
    card, rfc = row.card, row.rfc
    where = f"{card.repo}#{card.number}"
    fields = [
        ("Status", f'<span class="pill">{escape(rfc.status)}</span>'),
        ("Check", _check(card.check, card.check_url)),
        *_decision(row.decision),
        ("Who must act", _action(row, view.viewer)),
    ]
    listed = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in fields)
    mine = " mine" if row.mine else ""
    private = ' <span class="pill">private</span>' if card.private else ""
    return (
        f'<li class="card{mine}">'
        f"<h2>{_link(escape(where), card.url)}: {escape(card.title) or 'untitled'}{private}</h2>"
        f"<p><code>{escape(rfc.path)}</code> · {escape(rfc.title)}"
        f" · opened by {escape(card.author or 'unknown')}</p>"
        f"<dl>{listed}</dl></li>"
    )


def _check(state: str, url: str) -> str:
    words = {
        "success": "passing",
        "failure": "failing",
        "pending": "running",
        "missing": "not run yet",
        "action_required": "action required",
    }
    text = words.get(state, state.replace("_", " "))
    css = re.sub(r"[^a-z_]", "", state)
    return f'<span class="check-{css}">{_link(escape(text), url)}</span>'


def _decision(state: DecisionState) -> list[tuple[str, str]]:
    if not state.running:
        return []
    move = f"→ {escape(state.target or '?')}"
    phase = "comment period over: the move is due" if state.move_due else _PHASES[state.phase]
    eligible = len(state.approvals) + len(state.waiting_on)
    fields = [
        ("Decision", f"{move}: {escape(phase)}"),
        ("Approvals", f"{len(state.approvals)} of {state.required} needed ({eligible} eligible)"),
    ]
    if state.concerns:
        concerns = "".join(
            f"<li>{_link(escape(c.name), c.link)} ({escape(c.raised_by)})</li>"
            for c in state.concerns[:MAX_PEOPLE]
        )
        fields.append(("Concerns", f'<ul class="people">{concerns}</ul>'))
    if state.period_end is not None and state.phase is Phase.COMMENT_PERIOD:
        verb = "ended" if state.move_due else "ends"
        fields.append(("Period", f"{verb} {_time(state.period_end)}"))
    return fields


def _action(row: Row, viewer: str) -> str:
    action = row.action
    people = _people(action.logins, viewer)
    return f"{people}{': ' if people else ''}{escape(action.what)}"


def _people(logins: Sequence[str], viewer: str) -> str:
    if not logins:
        return ""
    me = viewer.lower()
    shown = [
        '<li><span class="you">you</span></li>' if login == me else f"<li>{escape(login)}</li>"
        for login in logins[:MAX_PEOPLE]
    ]
    if len(logins) > MAX_PEOPLE:
        shown.append(f"<li>{len(logins) - MAX_PEOPLE} more</li>")
    return f'<ul class="people">{"".join(shown)}</ul>'


def _time(moment: datetime) -> str:
    return f'<time datetime="{moment.isoformat()}">{escape(utc(moment))}</time>'


def _link(text_html: str, url: str) -> str:
    """``text_html`` linked to ``url`` when it is a plain https (or loopback http) URL, else
    as it is."""
    if _LINKABLE.fullmatch(url):
        return f'<a href="{escape(url)}">{text_html}</a>'
    return text_html


def _count(count: int, noun: str, many: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (many or noun + 's')}"
