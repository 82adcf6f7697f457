"""End to end: the site of a directory, checked structurally; incremental rebuilds; the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from bot.rfc.config.public import Config
from bot.site.build import MANIFEST, SiteOptions, build_site
from bot.site.schema import schema_text
from tests.site.helpers import Page, rfc_text

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "rfcs.schema.json"


def write(directory: Path, name: str, text: str | bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    rfcs = tmp_path / "rfcs"
    write(
        rfcs,
        "0001-old.md",
        rfc_text("Old way", status="Deprecated", extra="**Superseded By:** RFC 0002  \n"),
    )
    write(
        rfcs,
        "0002-new.md",
        rfc_text("New way", status="Final", authors="Bo (@bo)", extra="**Replaces:** RFC 0001  \n"),
    )
    write(rfcs, "0000-broken.md", "no title, no metadata\n")
    write(rfcs, "0000-binary.md", b"\x00\x01")
    return tmp_path


def build(tree: Path, **options: str) -> tuple[Path, object]:
    out = tree / "_site"
    out.mkdir(exist_ok=True)
    return out, build_site(tree / "rfcs", out, Config(), tree, SiteOptions(**options))


def test_schema_file_is_generated() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "regenerate: python3 -m bot.site.schema > docs/rfcs.schema.json"
    )


def test_examples_build_with_every_link_resolving(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    out.mkdir()
    build_site(
        ROOT / "examples" / "rfcs",
        out,
        Config(),
        ROOT,
        SiteOptions(repo_url="https://github.com/o/r"),
    )
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    rows = index.find("li", class_="rfc")
    assert len(rows) == len(list((ROOT / "examples" / "rfcs").glob("*.md")))
    for page_file in [out / "index.html", *sorted((out / "rfcs").glob("*.html"))]:
        page = Page(page_file.read_text(encoding="utf-8"))
        assert page.find("html", lang="en") and page.find("meta", name="viewport")
        local = [a["href"] for a in page.find("a") if not a["href"].startswith(("#", "https://"))]
        for href in local:
            assert (page_file.parent / href.split("#")[0]).resolve().is_file(), href
        ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
        anchors = [a["href"][1:] for a in page.find("a") if a["href"].startswith("#")]
        assert set(anchors) <= ids
        sources = {attrs.get("src", "") for tag, attrs in page.tags if tag == "script"}
        assert sources <= {"site.js"}  # no external scripts, no inline ones
    flawed = Page((out / "rfcs" / "0000-flawed-example.html").read_text(encoding="utf-8"))
    assert flawed.find("section", id="lint") and flawed.find("nav", class_="toc")
    assert any("/edit/main/examples/rfcs/" in a["href"] for a in flawed.find("a"))


def test_every_document_is_listed_and_rfcs_json_matches_its_schema(tree: Path) -> None:
    out, _ = build(tree, site_url="https://rfcs.example")
    data = json.loads((out / "rfcs.json").read_text(encoding="utf-8"))
    # The site ships the schema rfcs.json names, the one docs/ holds.
    assert data["$schema"] == "rfcs.schema.json"
    shipped = out / data["$schema"]
    assert shipped.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8")
    jsonschema.validate(data, json.loads(shipped.read_text(encoding="utf-8")))
    by_path = {rfc["path"]: rfc for rfc in data["rfcs"]}
    assert list(by_path) == [
        "rfcs/0001-old.md",
        "rfcs/0002-new.md",
        "rfcs/0000-binary.md",
        "rfcs/0000-broken.md",
    ]
    assert by_path["rfcs/0001-old.md"]["superseded_by"] == [2]
    assert by_path["rfcs/0000-binary.md"]["lint"]["errors"] >= 1  # unusable: listed anyway
    assert by_path["rfcs/0000-broken.md"]["lint"]["errors"] >= 1
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("0000-binary", "0000-broken"):
        assert f'class="badge error" href="rfcs/{name}.html#lint"' in index
    old = Page((out / "rfcs" / "0001-old.html").read_text(encoding="utf-8"))
    assert "This RFC is Deprecated." in old.all_text and old.find("a", href="../rfcs/0002-new.html")
    ET.fromstring((out / "feed.xml").read_text(encoding="utf-8"))


def test_rebuild_touches_only_what_changed(tree: Path) -> None:
    out, first = build(tree)
    assert len(first.linted) == 4 and {"index.html", "rfcs.schema.json"} <= set(first.written)
    _, again = build(tree)
    assert (again.linted, again.written, again.removed) == ([], [], [])
    write(tree / "rfcs", "0000-broken.md", rfc_text("Fixed now"))
    _, one = build(tree)
    assert one.linted == ["rfcs/0000-broken.md"]
    assert sorted(one.written) == ["feed.xml", "index.html", "rfcs.json", "rfcs/0000-broken.html"]
    assert "Fixed now" in (out / "rfcs" / "0000-broken.html").read_text(encoding="utf-8")


def test_a_successors_new_title_rerenders_its_predecessor(tree: Path) -> None:
    out, _ = build(tree)
    write(
        tree / "rfcs",
        "0002-new.md",
        rfc_text("Newer way", status="Final", extra="**Replaces:** RFC 0001  \n"),
    )
    _, report = build(tree)
    assert report.linted == ["rfcs/0002-new.md"]
    assert {"rfcs/0001-old.html", "rfcs/0002-new.html"} <= set(report.written)
    assert "Newer way" in (out / "rfcs" / "0001-old.html").read_text(encoding="utf-8")


def test_cross_file_findings_survive_a_cached_rebuild(tree: Path) -> None:
    write(tree / "rfcs", "0003-lone.md", rfc_text("Lone", extra="**Replaces:** RFC 0009  \n"))
    out, _ = build(tree)
    (out / "rfcs" / "0003-lone.html").unlink()  # forces a re-render from the cached record
    _, report = build(tree)
    assert report.written == ["rfcs/0003-lone.html"]
    page = (out / "rfcs" / "0003-lone.html").read_text(encoding="utf-8")
    assert page.count("supersession-target") == 1


def test_removed_rfc_loses_its_page_and_options_rebuild_all(tree: Path) -> None:
    out, _ = build(tree)
    (tree / "rfcs" / "0000-broken.md").unlink()
    _, report = build(tree)
    assert report.removed == ["rfcs/0000-broken.html"]
    assert not (out / "rfcs" / "0000-broken.html").exists()
    _, relinked = build(tree, repo_url="https://github.com/o/r")
    assert len(relinked.linted) == 3


def test_forged_manifest_cannot_delete_outside_the_site(tree: Path) -> None:
    out, _ = build(tree)
    victim = write(tree, "keep.txt", "precious")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["outputs"]["../keep.txt"] = "x"
    manifest["inputs"]["rfcs/0001-old.md"]["record"] = {"bogus": 1}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    _, report = build(tree)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert report.linted == ["rfcs/0001-old.md"]
    (out / MANIFEST).write_text("not json", encoding="utf-8")
    _, fresh = build(tree)
    assert len(fresh.linted) == 4


def test_colliding_page_names_get_a_suffix(tmp_path: Path) -> None:
    write(tmp_path / "rfcs", "0000-a b.md", rfc_text("One"))
    write(tmp_path / "rfcs", "0000-a-b.md", rfc_text("Two"))
    out, _ = build(tmp_path)
    assert sorted(p.name for p in (out / "rfcs").iterdir()) == ["0000-a-b-2.html", "0000-a-b.html"]


def test_cli_builds_the_site(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tree)
    assert main(["site", "rfcs", "-o", "_site", "--repo-url", "https://github.com/o/r"]) == 0
    assert "4 RFCs; 4 read" in capsys.readouterr().out
    assert main(["site", "-o", "_site"]) == 0  # rfc_dir from the config defaults: rfcs
    assert main(["site", "nowhere", "-o", "_site"]) == 2
    assert main(["site", "rfcs", "-o", "_site", "--repo-url", "javascript:alert(1)"]) == 2
    write(tree, "file", "x")
    assert main(["site", "rfcs", "-o", "file/sub"]) == 2
    assert "cannot write the site" in capsys.readouterr().err


def test_the_documented_output_directory_is_ignored_by_git() -> None:
    """README.md and docs/site.md build into `_site`: a built site is never committed by
    accident (git decides, from .gitignore, as `git status` would)."""
    documented = {
        target
        for doc in (ROOT / "README.md", ROOT / "docs" / "site.md")
        for target in re.findall(
            r"rfc-bot site\b[^\n`]*?-o ([_a-z.][\w./-]*)", doc.read_text("utf-8")
        )
    }
    assert documented == {"_site"}
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--quiet", "_site/index.html"], cwd=ROOT
    )
    assert ignored.returncode == 0, "add _site/ to .gitignore"
