"""The pure pieces: markdown rendering, records, pages, feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from bot.rfc.document import parse
from bot.site.feed import atom_feed
from bot.site.markdown import render, slug
from bot.site.model import SiteRfc, page_name, site_rfc, summary
from bot.site.pages import NO_STATUS, index_page, repository_links, rfc_page, status_class
from tests.site.helpers import Page, rfc_text

ATOM = "{http://www.w3.org/2005/Atom}"


def record(number: int = 1, **changes: object) -> SiteRfc:
    text = rfc_text(str(changes.pop("title", "Retries")))
    base = site_rfc(f"rfcs/{number:04d}-retries.md", parse(text), [])
    return replace(base, **changes)  # type: ignore[arg-type]


def test_headings_get_unique_anchors_and_a_toc() -> None:
    rendered = render("# Title\n\n## A b\n\n## A b\n\n## A b 1\n\n### `code` *x*\n")
    assert [h.anchor for h in rendered.toc] == ["a-b", "a-b-1", "a-b-1-1", "code-x"]
    assert '<h2 id="a-b-1">' in rendered.html
    assert "<h1" not in rendered.html  # the header shows the title
    assert slug("!!!") == "section"


def test_raw_html_and_dangerous_links_stay_text() -> None:
    hostile = (
        "# T\n\nx <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1)) [v](vbscript:x) [d](data:text/html,<b>)\n"
        "<javascript:alert(1)>\n\n"
        '[ok](https://example.com "t\\"itle")\n'
    )
    html = render(hostile).html
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in Page(html).find("a").__repr__()
    assert [a["href"] for a in Page(html).find("a")] == ["https://example.com"]


def test_record_reads_metadata_and_summary() -> None:
    text = rfc_text("T", status="Deprecated", extra="**Superseded By:** RFC 0007  \n")
    rfc = site_rfc("rfcs/0003-t.md", parse(text), [])
    assert (rfc.number, rfc.status, rfc.superseded_by, rfc.authors) == (
        3,
        "Deprecated",
        [7],
        ["alice"],
    )
    assert rfc.summary == "Retry failed jobs with backoff."
    assert SiteRfc.from_json(rfc.to_json()) == rfc
    long = parse(rfc_text("T", body="word " * 500))
    assert len(summary(long)) <= 400 and summary(long).endswith("…")
    assert summary(parse("# T\n")) == ""


def test_unusable_file_still_gets_a_record() -> None:
    rfc = site_rfc("rfcs/0000-bin.md", None, [])
    assert (rfc.title, rfc.status, rfc.label) == ("bin", "", "0000-bin.md")


def test_page_names_are_safe() -> None:
    assert page_name("rfcs/0042-x.md") == "rfcs/0042-x.html"
    assert page_name('rfcs/<script>"x.md') == "rfcs/script-x.html"
    assert page_name("rfcs/...md") == "rfcs/rfc.html"


def test_hostile_metadata_is_escaped_everywhere() -> None:
    evil = '<script>alert(1)</script>" onmouseover="x'
    rfc = record(title=evil, author_text=evil, status=evil, target_apps=[evil], summary=evil)
    for html in (index_page([rfc], ["Draft"]), rfc_page(rfc, render("x"), {})):
        page = Page(html)
        assert [attrs.get("src") for tag, attrs in page.tags if tag == "script"] in (
            [],
            ["site.js"],
        )
        assert all("onmouseover" not in attrs for _, attrs in page.tags)
        assert evil in page.all_text  # shown, as text
    assert status_class(evil) == "other"


def test_deprecated_banner_links_the_successor() -> None:
    old = record(1, status="Deprecated", superseded_by=[2])
    new = record(2, title="Better retries")
    page = Page(rfc_page(old, render("x"), {1: old, 2: new}))
    banner = page.all_text
    assert "This RFC is Deprecated." in banner and "RFC 0002: Better retries" in banner
    assert page.find("a", href="../rfcs/0002-retries.html")
    missing = rfc_page(record(1, status="Deprecated", superseded_by=[9]), render("x"), {})
    assert "RFC 0009 (not found)" in missing
    assert "banner" not in rfc_page(new, render("x"), {})


def test_repository_links_only_for_web_urls() -> None:
    rfc = record(path="rfcs/0001-a b.md")
    links = repository_links(rfc, "https://github.com/o/r/", "main")
    assert 'href="https://github.com/o/r/edit/main/rfcs/0001-a%20b.md"' in links
    assert 'href="https://github.com/o/r/commits/main/rfcs/0001-a%20b.md"' in links
    assert repository_links(rfc, "javascript:alert(1)", "main") == ""
    assert repository_links(rfc, None, "main") == ""


def test_index_lists_counts_and_filters() -> None:
    rfcs = [record(1), record(2, status="Final"), record(0, path="rfcs/0000-new.md", status="")]
    page = Page(index_page(rfcs, ["Draft", "Final"]))
    assert len(page.find("li", class_="rfc")) == 3
    pills = [a["data-status-pill"] for a in page.find("button")]
    assert pills == ["Draft", "Final", NO_STATUS]
    # Each pill's value is a row's and an option's, and none is "All"'s empty value (a "no
    # status" pill used to be a no-op: the browser tests found it).
    assert [a["data-status"] for a in page.find("li", class_="rfc")] == [
        "Draft",
        "Final",
        NO_STATUS,
    ]
    options = [o["value"] for o in page.find("option")]
    assert all(pill in options for pill in pills) and options.count("") == 3  # "All" in each
    assert {s["id"] for s in page.find("select")} == {"f-status", "f-app", "f-author"}
    labels = {attrs["for"] for attrs in page.find("label")}
    assert labels == {"f-q", "f-status", "f-app", "f-author"}  # every control has a label


def test_lint_errors_get_a_badge() -> None:
    from bot.site.model import Finding

    rfc = record(findings=[Finding("x", "error", 1, "m"), Finding("y", "warning", 2, "n")])
    index = index_page([rfc], ["Draft"])
    assert "1 lint error, 1 warning" in index and "1 RFC with lint errors" in index
    page = rfc_page(rfc, render("x"), {})
    assert 'id="lint"' in page and "line 2: n" in page


def test_feed_is_atom_newest_first() -> None:
    rfcs = [
        record(1, last_updated="2024-01-05", created="2024-01-01"),
        record(2, title="<b>&", created="2024-03-01", last_updated=""),
        record(3, created="", last_updated=""),
    ]
    root = ET.fromstring(atom_feed(rfcs, site_url="https://rfcs.example/"))
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}updated") for e in entries] == [
        "2024-03-01T00:00:00Z",
        "2024-01-05T00:00:00Z",
    ]
    assert entries[0].findtext(f"{ATOM}title") == "RFC 0002: <b>& (New, Draft)"
    assert entries[0].findtext(f"{ATOM}id") == "https://rfcs.example/rfcs/0002-retries.html"
    assert root.findtext(f"{ATOM}updated") == "2024-03-01T00:00:00Z"
    empty = ET.fromstring(atom_feed([]))
    assert empty.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
