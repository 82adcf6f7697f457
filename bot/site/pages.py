"""The site's HTML pages: the index and one page per RFC. Pure: records in, text out.

Everything that comes from an RFC is escaped here (``html.escape`` with quotes), and the only
HTML taken as it is comes from markdown-it-py with raw HTML off.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from bot.site.markdown import Rendered
from bot.site.model import SiteRfc

DEPRECATED = "deprecated"
# The filter value of "no status": statuses are stripped text, so never a lone space; "" is
# taken by "All" in the select (and an empty value would make the "no status" pill a no-op).
NO_STATUS = " "


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _layout(title: str, body: str, *, root: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No script or style from anywhere else, ever: the pages work offline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'\">\n"
        f"<title>{_e(title)}</title>\n"
        f'<link rel="stylesheet" href="{root}site.css">\n'
        f'<link rel="alternate" type="application/atom+xml" title="RFC changes" '
        f'href="{root}feed.xml">\n'
        f'<link rel="alternate" type="application/atom+xml" title="RFC decisions" '
        f'href="{root}decisions.atom">\n'
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<header class="top"><a href="{root}index.html">RFCs</a></header>\n'
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


def status_class(status: str) -> str:
    """The pill's CSS class: one of the known words, else ``other`` (no RFC text in a class)."""
    word = status.strip().lower()
    return word if word in ("draft", "proposed", "final", DEPRECATED) else "other"


def status_key(status: str) -> str:
    """The value that stands for ``status`` in the index's filters and its URL fragment."""
    return status or NO_STATUS


def _pill(status: str) -> str:
    return f'<span class="pill {status_class(status)}">{_e(status or "no status")}</span>'


def _badge(rfc: SiteRfc, *, root: str) -> str:
    if not rfc.errors and not rfc.warnings:
        return ""
    parts = [f"{rfc.errors} lint error{'s' * (rfc.errors != 1)}"] if rfc.errors else []
    if rfc.warnings:
        parts.append(f"{rfc.warnings} warning{'s' * (rfc.warnings != 1)}")
    kind = "error" if rfc.errors else "warning"
    text = ", ".join(parts)
    return (
        f'<a class="badge {kind}" href="{root}{_e(rfc.page)}#lint" title="{text}">'
        f'<span aria-hidden="true">⚠</span> {text}</a>'
    )


# --- the index -----------------------------------------------------------------------------


def _options(name: str, label: str, values: Sequence[tuple[str, str]]) -> str:
    """A labelled select of (value, text) pairs, after "All"."""
    options = "".join(f'<option value="{_e(v)}">{_e(text)}</option>' for v, text in values)
    return (
        f'<label for="f-{name}">{label}</label>'
        f'<select id="f-{name}" data-filter="{name}"><option value="">All</option>{options}'
        "</select>"
    )


def _row(rfc: SiteRfc) -> str:
    haystack = " ".join(
        [
            str(rfc.number),
            f"{rfc.number:04d}",
            rfc.title,
            rfc.author_text,
            *rfc.authors,
            rfc.summary,
        ]
    ).lower()
    return (
        f'<li class="rfc" data-status="{_e(status_key(rfc.status))}" '
        f'data-apps="{_e(chr(31).join(rfc.target_apps))}" '
        f'data-authors="{_e(chr(31).join(rfc.authors))}" data-text="{_e(haystack)}">'
        f'<div class="line"><a href="{_e(rfc.page)}">'
        f'<span class="num">{_e(rfc.label)}</span> {_e(rfc.title)}</a> {_pill(rfc.status)}'
        f"{_badge(rfc, root='')}</div>"
        f'<p class="meta">{_e(rfc.author_text or "no authors")}'
        f"{' · ' + _e(', '.join(rfc.target_apps)) if rfc.target_apps else ''}"
        f"{' · updated ' + _e(rfc.changed) if rfc.changed else ''}</p>"
        f"{f'<p class=summary>{_e(rfc.summary)}</p>' if rfc.summary else ''}</li>"
    )


def index_page(rfcs: Sequence[SiteRfc], statuses: Sequence[str]) -> str:
    """Every RFC, numbered first, with the filters (they work once site.js runs; without it the
    list is complete and readable)."""
    counts = Counter(rfc.status for rfc in rfcs)
    known = [s for s in statuses if counts[s]] + sorted(s for s in counts if s not in statuses)
    pills = "".join(
        f'<li><button type="button" class="pill {status_class(s)}" '
        f'data-status-pill="{_e(status_key(s))}" '
        f'aria-pressed="false">{_e(s or "no status")} <span class="count">{counts[s]}</span>'
        "</button></li>"
        for s in known
    )
    apps = sorted({app for rfc in rfcs for app in rfc.target_apps})
    authors = sorted({login for rfc in rfcs for login in rfc.authors}, key=str.lower)
    flagged = sum(1 for rfc in rfcs if rfc.errors)
    note = (
        f'<p class="note">{flagged} RFC{"s" * (flagged != 1)} with lint errors, listed with a '
        "warning badge.</p>"
        if flagged
        else ""
    )
    body = (
        f'<h1>RFCs <span class="count">{len(rfcs)}</span></h1>\n'
        f'<ul class="pills" aria-label="Filter by status">{pills}</ul>\n'
        '<form class="filters" role="search">'
        '<label for="f-q">Search</label>'
        '<input id="f-q" type="search" data-filter="q" autocomplete="off" '
        'placeholder="number, title, author, summary">'
        f"{_options('status', 'Status', [(status_key(s), s or 'no status') for s in known])}"
        f"{_options('app', 'Application', [(app, app) for app in apps])}"
        f"{_options('author', 'Author', [(login, login) for login in authors])}</form>\n"
        f'<p id="shown" class="shown" aria-live="polite">{len(rfcs)} of {len(rfcs)} shown</p>\n'
        f"{note}"
        f'<ol class="rfcs" id="rfcs">\n{chr(10).join(_row(rfc) for rfc in ordered(rfcs))}\n</ol>\n'
        '<p class="foot"><a href="rfcs.json">rfcs.json</a> · <a href="feed.xml">Atom feed</a></p>'
        '\n<script src="site.js" defer></script>'
    )
    return _layout("RFCs", body, root="")


def ordered(rfcs: Sequence[SiteRfc]) -> list[SiteRfc]:
    """Numbered RFCs by number, then the unnumbered ones by path."""
    return sorted(rfcs, key=lambda rfc: (rfc.number == 0, rfc.number, rfc.path))


# --- one RFC -------------------------------------------------------------------------------


def _field(name: str, value: str) -> str:
    return f"<dt>{name}</dt><dd>{value or '<span class=none>none</span>'}</dd>"


def _links(numbers: Sequence[int], by_number: dict[int, SiteRfc]) -> str:
    return ", ".join(_link(number, by_number) for number in numbers)


def _link(number: int, by_number: dict[int, SiteRfc]) -> str:
    other = by_number.get(number)
    if other is None:
        return f"RFC {number:04d} (not found)"
    return f'<a href="../{_e(other.page)}">RFC {number:04d}: {_e(other.title)}</a>'


def _banner(rfc: SiteRfc, by_number: dict[int, SiteRfc]) -> str:
    if status_class(rfc.status) != DEPRECATED:
        return ""
    successor = (
        f" It is superseded by {_links(rfc.superseded_by, by_number)}." if rfc.superseded_by else ""
    )
    return (
        f'<div class="banner" role="note"><strong>This RFC is Deprecated.</strong>{successor}</div>'
    )


def repository_links(rfc: SiteRfc, repo_url: str | None, branch: str) -> str:
    if not repo_url or not repo_url.startswith(("https://", "http://")):
        return ""
    base = repo_url.rstrip("/")
    path = quote(rfc.path)
    ref = quote(branch, safe="")
    return (
        f'<p class="repo"><a href="{_e(f"{base}/edit/{ref}/{path}")}">Edit on GitHub</a> · '
        f'<a href="{_e(f"{base}/commits/{ref}/{path}")}">History</a></p>'
    )


def _findings(rfc: SiteRfc) -> str:
    if not rfc.findings:
        return ""
    items = "".join(
        f'<li><span class="sev {_e(f.severity)}">{_e(f.severity)}</span> line {f.line}: '
        f"{_e(f.message)} <code>{_e(f.rule)}</code></li>"
        for f in rfc.findings
    )
    return f'<section id="lint" class="lint"><h2>Lint findings</h2><ul>{items}</ul></section>'


def _toc(rendered: Rendered) -> str:
    if not rendered.toc:
        return ""
    items = "".join(
        f'<li class="l{heading.level}"><a href="#{_e(heading.anchor)}">{_e(heading.text)}</a></li>'
        for heading in rendered.toc
        if heading.level <= 3
    )
    return f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ul>{items}</ul></nav>'


def rfc_page(
    rfc: SiteRfc,
    rendered: Rendered,
    by_number: dict[int, SiteRfc],
    *,
    repo_url: str | None = None,
    branch: str = "main",
) -> str:
    header = (
        f'<p class="num">{_e(rfc.label)}</p><h1>{_e(rfc.title)}</h1>'
        f"{_banner(rfc, by_number)}"
        '<dl class="fields">'
        f"{_field('Status', _pill(rfc.status))}"
        f"{_field('Target Application(s)', _e(', '.join(rfc.target_apps)))}"
        f"{_field('Author(s)', _e(rfc.author_text))}"
        f"{_field('Created', _e(rfc.created))}{_field('Last Updated', _e(rfc.last_updated))}"
        + (_field("Replaces", _links(rfc.replaces, by_number)) if rfc.replaces else "")
        + (
            _field("Superseded By", _links(rfc.superseded_by, by_number))
            if rfc.superseded_by
            else ""
        )
        + "</dl>"
        f"{_badge(rfc, root='../')}{repository_links(rfc, repo_url, branch)}"
    )
    body = (
        f'<article><header class="rfc-head">{header}</header>\n{_toc(rendered)}\n'
        f'<div class="body">{rendered.html}</div>\n{_findings(rfc)}</article>'
    )
    return _layout(f"{rfc.label}: {rfc.title}", body, root="../")
