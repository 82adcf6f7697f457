"""``rfc-bot site``: the site written to a directory, incrementally.

The output directory holds a manifest (``.rfc-site.json``): each input file's hash with its
record, and each page's key (what it was rendered from). A rebuild lints and renders only the
files whose bytes changed, re-renders a page only when its key changed (a successor's title,
a cross-file finding), and writes the shared files (index, rfcs.json and its schema, feeds)
only when their bytes differ. Files it wrote before and no longer produces are removed;
nothing else is.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from bot import __version__
from bot.policy.audit import RfcAudit
from bot.rfc.config.public import Config
from bot.rfc.edits import IndexEntry, RfcRef
from bot.rfc.lint import decode, lint
from bot.rfc.supersession import check_supersession
from bot.rfc.tree import repo_path, rfc_files
from bot.site.decision_feed import FILE as DECISIONS_FILE
from bot.site.decision_feed import decision_events, decision_feed
from bot.site.feed import atom_feed
from bot.site.markdown import render
from bot.site.model import SiteRfc, finding, site_rfc
from bot.site.pages import index_page, ordered, rfc_page
from bot.site.schema import SCHEMA_FILE, rfcs_document, schema_text

MANIFEST = ".rfc-site.json"
SITE_FORMAT = 2  # bump when the pages change shape: every page is rebuilt once
STATIC = ("site.css", "site.js")


@dataclass(frozen=True)
class SiteOptions:
    repo_url: str | None = None  # https://github.com/owner/repo: edit and history links
    branch: str = "main"
    site_url: str | None = None  # where the site is published: absolute links in the feed


@dataclass
class BuildReport:
    rfcs: int = 0
    linted: list[str] = field(default_factory=list)  # inputs linted and parsed this time
    written: list[str] = field(default_factory=list)  # output files (re)written
    removed: list[str] = field(default_factory=list)
    # RFC-named entries that are not regular files (symbolic links above all): never followed,
    # never published, since what they point to may lie outside the repository.
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Input:
    path: Path
    name: str
    digest: str
    record: SiteRfc
    text: str | None = None  # kept when it was read this time (to render without reading)


def build_site(
    rfc_dir: Path,
    out: Path,
    config: Config,
    root: Path,
    options: SiteOptions | None = None,
    decisions: Sequence[RfcAudit] = (),
) -> BuildReport:
    """``decisions``: the RFC directory's status history as ``rfc-bot audit`` judged it,
    for ``decisions.atom`` (empty without a git history)."""
    options = options or SiteOptions()
    report = BuildReport()
    manifest = _load_manifest(out, _global_key(config, options))
    inputs = [
        _read(path, root, config, manifest, report)
        for path in _regular_files(rfc_dir, config, report)
    ]
    records = _with_cross_findings(_unique_pages([item.record for item in inputs]), config)
    for item, record in zip(inputs, records, strict=True):
        item.record = record
    by_number = {rfc.number: rfc for rfc in records if rfc.number}
    outputs: dict[str, str] = {}
    for item in inputs:
        key = _page_key(item, by_number)
        outputs[item.record.page] = key
        if (
            manifest["outputs"].get(item.record.page) != key
            or not (out / item.record.page).is_file()
        ):
            text = item.text if item.text is not None else _text(item.path)
            html = rfc_page(
                item.record,
                render(text),
                by_number,
                repo_url=options.repo_url,
                branch=options.branch,
            )
            _write(out, item.record.page, html, report)
    shared = {
        "index.html": index_page(records, config.statuses),
        "rfcs.json": rfcs_document(ordered(records)),
        SCHEMA_FILE: schema_text(),
        "feed.xml": atom_feed(records, site_url=options.site_url),
        DECISIONS_FILE: decision_feed(
            decision_events(decisions), site_url=options.site_url, repo_url=options.repo_url
        ),
        **{name: _static(name) for name in STATIC},
    }
    for name, content in shared.items():
        outputs[name] = _digest(content.encode())
        if manifest["outputs"].get(name) != outputs[name] or not (out / name).is_file():
            _write(out, name, content, report)
    _remove_stale(out, set(manifest["outputs"]) - set(outputs), report)
    report.rfcs = len(records)
    _save_manifest(out, manifest["key"], inputs, outputs)
    return report


# --- inputs --------------------------------------------------------------------------------


def _regular_files(rfc_dir: Path, config: Config, report: BuildReport) -> list[Path]:
    """The RFC files of ``rfc_dir`` that are regular files in it; the rest go to ``skipped``."""
    regular = set(rfc_files(rfc_dir, config))
    for path in sorted(rfc_dir.iterdir()):
        if path.suffix == ".md" and path.name not in config.skip and path.is_symlink():
            report.skipped.append(path.name)
            regular.discard(path)
    return sorted(regular)


def _read(
    path: Path, root: Path, config: Config, manifest: dict[str, Any], report: BuildReport
) -> _Input:
    name = repo_path(path, root)
    try:
        content = path.read_bytes()
    except OSError:
        content = b"\x00"  # linted as unusable: listed with its finding, never dropped
    digest = _digest(content)
    cached = manifest["inputs"].get(name)
    if isinstance(cached, dict) and cached.get("hash") == digest:
        try:
            return _Input(path, name, digest, SiteRfc.from_json(cached["record"]))
        except (TypeError, KeyError):
            pass  # a damaged manifest entry: lint the file again
    result = lint(name, content, config)
    report.linted.append(name)
    text, _ = decode(content)
    return _Input(
        path, name, digest, site_rfc(name, result.document, result.diagnostics), text or ""
    )


def _text(path: Path) -> str:
    try:
        text, _ = decode(path.read_bytes())
    except OSError:
        return ""
    return text or ""


def _unique_pages(records: list[SiteRfc]) -> list[SiteRfc]:
    """Two file names can make one page name (``a b.md``, ``a-b.md``): later ones get a suffix."""
    seen: set[str] = set()
    unique = []
    for record in records:
        page, count = record.page, 1
        while page in seen:
            count += 1
            page = record.page.removesuffix(".html") + f"-{count}.html"
        seen.add(page)
        unique.append(record if page == record.page else replace(record, page=page))
    return unique


def _with_cross_findings(records: list[SiteRfc], config: Config) -> list[SiteRfc]:
    """The supersession checks that need both files (cheap, pure: run on every build)."""
    entries = [
        IndexEntry(
            number=rfc.number,
            path=rfc.path,
            title=rfc.title,
            status=rfc.status,
            superseded_by=RfcRef(rfc.superseded_by[0], 0, 0, 0) if rfc.superseded_by else None,
            replaces=tuple(RfcRef(number, 0, 0, 0) for number in rfc.replaces),
        )
        for rfc in records
    ]
    found: dict[str, list[Any]] = {}
    for diagnostic in check_supersession(entries, config):
        found.setdefault(diagnostic.path, []).append(finding(diagnostic))
    # A record from the manifest already holds the per-file findings only (see _save_manifest).
    return [rfc.with_findings(found.get(rfc.path, [])) for rfc in records]


def _page_key(item: _Input, by_number: dict[int, SiteRfc]) -> str:
    """What the page is made of: the file, its record, the RFCs it links to."""
    linked = [
        [number, by_number[number].page, by_number[number].title] if number in by_number else number
        for number in [*item.record.superseded_by, *item.record.replaces]
    ]
    material = json.dumps([item.digest, item.record.to_json(), linked], sort_keys=True)
    return _digest(material.encode())


# --- the manifest and the output directory -------------------------------------------------


def _global_key(config: Config, options: SiteOptions) -> str:
    """Anything that changes every page: a new version, config or option rebuilds all."""
    return _digest(repr((SITE_FORMAT, __version__, config, options)).encode())


def _load_manifest(out: Path, key: str) -> dict[str, Any]:
    empty: dict[str, Any] = {"key": key, "inputs": {}, "outputs": {}}
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(data, dict) or data.get("key") != key:
        # Another version or config: rebuild everything, but still clean up what it wrote.
        outputs = data.get("outputs") if isinstance(data, dict) else None
        return {**empty, "outputs": {name: "" for name in outputs or {}}}
    return data


def _save_manifest(out: Path, key: str, inputs: list[_Input], outputs: dict[str, str]) -> None:
    data = {
        "key": key,
        "inputs": {
            item.name: {"hash": item.digest, "record": _per_file(item.record).to_json()}
            for item in inputs
        },
        "outputs": outputs,
    }
    (out / MANIFEST).write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


def _per_file(record: SiteRfc) -> SiteRfc:
    """The record without the cross-file findings (they are computed again on each build)."""
    from bot.rfc.rules.supersession import SUPERSESSION_MISMATCH, SUPERSESSION_TARGET

    cross = {SUPERSESSION_MISMATCH.id, SUPERSESSION_TARGET.id}
    kept = [f for f in record.findings if not (f.rule in cross and f.line == 0)]
    return replace(record, findings=kept)


def _write(out: Path, name: str, content: str, report: BuildReport) -> None:
    target = out / name
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, target)  # a reader never sees half a page
    report.written.append(name)


def _remove_stale(out: Path, names: set[str], report: BuildReport) -> None:
    for name in sorted(names):
        target = (out / name).resolve()
        if out.resolve() not in target.parents:  # a forged manifest cannot delete elsewhere
            continue
        try:
            target.unlink()
            report.removed.append(name)
        except FileNotFoundError:
            pass


def _static(name: str) -> str:
    return resources.files("bot.site").joinpath("static", name).read_text(encoding="utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
