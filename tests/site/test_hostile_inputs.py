"""The site on hostile trees: symbolic links are reported and never followed, and no RFC
text can make the feed unreadable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from bot.rfc.config.public import Config
from bot.rfc.lint import lint
from bot.site.build import build_site
from bot.site.feed import atom_feed, xml_text
from bot.site.model import site_rfc
from tests.site.helpers import rfc_text

SECRET = "TOP-SECRET-OUTSIDE-THE-REPOSITORY"


def test_a_symbolic_link_is_reported_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(rfc_text("Leaked", body=SECRET), encoding="utf-8")
    rfcs = tmp_path / "repo" / "rfcs"
    rfcs.mkdir(parents=True)
    (rfcs / "0001-real.md").write_text(rfc_text("Real"), encoding="utf-8")
    (rfcs / "0002-leak.md").symlink_to(outside)
    (rfcs / "0003-dangling.md").symlink_to(tmp_path / "nowhere.md")
    out = tmp_path / "_site"

    report = build_site(rfcs, out, Config(), tmp_path / "repo")

    assert report.rfcs == 1
    assert report.skipped == ["0002-leak.md", "0003-dangling.md"]
    published = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
    assert SECRET not in published and "Leaked" not in published


def test_a_control_character_in_a_title_keeps_the_feed_well_formed(tmp_path: Path) -> None:
    rfcs = tmp_path / "rfcs"
    rfcs.mkdir()
    (rfcs / "0001-bell.md").write_text(rfc_text("Ring \x07 the \x1b bell"), encoding="utf-8")
    build_site(rfcs, tmp_path / "_site", Config(), tmp_path)

    feed = ET.fromstring((tmp_path / "_site" / "feed.xml").read_text(encoding="utf-8"))
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Ring  the  bell" in title for title in titles)


BASE = site_rfc(
    "rfcs/0001-base.md", lint("rfcs/0001-base.md", rfc_text("Base").encode(), Config()).document, []
)


@given(st.text(), st.text(), st.lists(st.text(max_size=20), max_size=3), st.text(max_size=30))
def test_any_text_gives_a_well_formed_feed(
    title: str, summary: str, authors: list[str], status: str
) -> None:
    rfc = replace(BASE, title=title, summary=summary, authors=authors, status=status)
    document = atom_feed([rfc], site_url="https://rfcs.example/")
    ET.fromstring(document.encode("utf-8"))  # raises on anything not well-formed


def test_xml_text_keeps_what_xml_allows() -> None:
    assert xml_text("tab\there\nand\r\u00e9\U0001f600") == "tab\there\nand\r\u00e9\U0001f600"
    assert xml_text("a\x00b\x0bc\ufffed\ud800") == "abcd"


def test_the_command_names_each_skipped_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rfcs").mkdir()
    (tmp_path / "rfcs" / "0001-real.md").write_text(rfc_text("Real"), encoding="utf-8")
    (tmp_path / "rfcs" / "0002-leak.md").symlink_to("/etc/hostname")
    monkeypatch.chdir(tmp_path)
    assert main(["site", "rfcs", "-o", "_site"]) == 0
    captured = capsys.readouterr()
    assert "rfcs/0002-leak.md: skipped: a symbolic link, never followed" in captured.err
    assert "1 RFCs" in captured.out
