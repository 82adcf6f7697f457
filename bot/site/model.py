"""One RFC as the site shows it: plain data built once from the file and its lint result.

A record round-trips through JSON (the build manifest keeps it), so an unchanged file needs
neither a lint nor a parse on the next build.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import REPLACES, SUPERSEDED_BY, Document
from bot.rfc.paths import parse_name

# File names in the output: only these characters (an RFC file name is user text).
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SUMMARY_LIMIT = 400  # characters of the summary kept for the index and the search


@dataclass(frozen=True, slots=True)
class Finding:
    """One lint finding shown on the RFC's page."""

    rule: str
    severity: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class SiteRfc:
    path: str  # relative to the repository root, as the App names it
    page: str  # the HTML page, relative to the site root
    number: int  # 0: not numbered yet
    title: str
    status: str
    target_apps: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # logins, without "@"
    author_text: str = ""  # the Author(s) line as written (names and logins)
    created: str = ""  # YYYY-MM-DD when the field holds a date, else ""
    last_updated: str = ""
    superseded_by: list[int] = field(default_factory=list)
    replaces: list[int] = field(default_factory=list)
    summary: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == Severity.ERROR.value)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == Severity.WARNING.value)

    @property
    def label(self) -> str:
        """``RFC 0042`` when numbered, else the file name."""
        return f"RFC {self.number:04d}" if self.number else posixpath.basename(self.path)

    @property
    def changed(self) -> str:
        """The date the feed files the RFC under: Last Updated, else Created ("" when neither)."""
        return self.last_updated or self.created

    def to_json(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every finding, and is ten times slower.
        data = {name: getattr(self, name) for name in _FIELDS}
        data["findings"] = [
            {"rule": f.rule, "severity": f.severity, "line": f.line, "message": f.message}
            for f in self.findings
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteRfc:
        findings = [Finding(**finding) for finding in data.get("findings", [])]
        return cls(**{**data, "findings": findings})

    def with_findings(self, extra: Iterable[Finding]) -> SiteRfc:
        more = list(extra)
        if not more:
            return self
        return replace(self, findings=[*self.findings, *more])


_FIELDS = tuple(f.name for f in fields(SiteRfc) if f.name != "findings")


def page_name(path: str) -> str:
    """``rfcs/0042-retries.md`` -> ``rfcs/0042-retries.html``; unsafe characters replaced."""
    stem = posixpath.basename(path).removesuffix(".md")
    return f"rfcs/{_UNSAFE_NAME.sub('-', stem).strip('.-') or 'rfc'}.html"


def finding(diagnostic: Diagnostic) -> Finding:
    return Finding(diagnostic.rule, diagnostic.severity.value, diagnostic.line, diagnostic.message)


def site_rfc(path: str, document: Document | None, diagnostics: Iterable[Diagnostic]) -> SiteRfc:
    """The record of one file: its metadata (what could be read of it) and its findings."""
    name = parse_name(path)
    findings = [finding(diagnostic) for diagnostic in diagnostics]
    fallback_title = name.slug if name else posixpath.basename(path)
    if document is None:
        return SiteRfc(
            path, page_name(path), name.number if name else 0, fallback_title, "", findings=findings
        )
    return SiteRfc(
        path=path,
        page=page_name(path),
        number=name.number if name else 0,
        title=document.title or fallback_title,
        status=document.status or "",
        target_apps=list(document.target_apps),
        authors=list(document.authors),
        author_text=document.field("Author(s)") or "",
        created=_date(document.field("Created")),
        last_updated=_date(document.field("Last Updated")),
        superseded_by=document.rfc_refs(SUPERSEDED_BY) or [],
        replaces=document.rfc_refs(REPLACES) or [],
        summary=summary(document),
        findings=findings,
    )


def _date(value: str | None) -> str:
    return value if value is not None and _DATE.fullmatch(value) else ""


def summary(document: Document) -> str:
    """The text of the first ``Summary`` section, on one line, cut at SUMMARY_LIMIT."""
    sections = document.find_sections("Summary")
    if not sections:
        return ""
    section = sections[0]
    end = section.children[0].line - 1 if section.children else section.end_line
    lines = document.lines[section.line : end]
    text = " ".join(" ".join(lines).split())
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"
