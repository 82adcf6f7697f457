"""Output formats for lint results: text (ruff/rustc style), JSON, GitHub workflow commands, SARIF.

Everything here is a pure function of the results; the CLI decides where the text goes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from bot import __version__
from bot.project import project_url, rules_doc_url
from bot.rfc.diagnostics import Diagnostic, Severity, count_by_severity

FORMATS: tuple[str, ...] = ("text", "json", "github", "sarif")
# The OASIS standard's own schema (2.1.0 with errata 01), the one the tests validate against.
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}
TOOL_NAME = "rfc-bot"

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTICE: "36"}


@dataclass(frozen=True)
class FileReport:
    """One checked file: its display path, findings and source lines (for excerpts).
    ``is_index``: the file is an RFC directory's index (its README), not an RFC."""

    path: str
    diagnostics: Sequence[Diagnostic]
    lines: Sequence[str] = field(default_factory=list)
    is_index: bool = False


def render(
    reports: Sequence[FileReport], fmt: str, *, color: bool = False, skipped: int = 0
) -> str:
    """The whole output in one format; raises ValueError for an unknown format. ``skipped``:
    how many files of the directories given were left out as not RFCs (the text summary
    says so)."""
    if fmt == "text":
        return render_text(reports, color=color, skipped=skipped)
    if fmt == "json":
        return render_json(reports)
    if fmt == "github":
        return render_github(reports)
    if fmt == "sarif":
        return render_sarif(reports)
    raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def _all(reports: Sequence[FileReport]) -> list[Diagnostic]:
    return [diagnostic for report in reports for diagnostic in report.diagnostics]


# --- text ----------------------------------------------------------------------------------


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text


def render_text(reports: Sequence[FileReport], *, color: bool = False, skipped: int = 0) -> str:
    paint = _Paint(color)
    blocks = [
        _text_block(diagnostic, report.lines, paint)
        for report in reports
        for diagnostic in report.diagnostics
    ]
    return "".join(f"{block}\n\n" for block in blocks) + _summary(reports, skipped) + "\n"


def _text_block(diagnostic: Diagnostic, lines: Sequence[str], paint: _Paint) -> str:
    severity = diagnostic.severity
    location = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}:"
    label = paint(f"{severity.value}[{diagnostic.rule}]", f"1;{_COLOURS[severity]}")
    out = [f"{paint(location, '1')} {label} {diagnostic.message}"]
    out += _excerpt(diagnostic, lines, paint)
    if diagnostic.help:
        out.append(f"  {paint('=', '34')} help: {diagnostic.help}")
    return "\n".join(out)


def _excerpt(diagnostic: Diagnostic, lines: Sequence[str], paint: _Paint) -> list[str]:
    """The source line with a ``^~~~`` underline under the span (first line of it only)."""
    if not 1 <= diagnostic.line <= len(lines):
        return []
    source = lines[diagnostic.line - 1].rstrip("\r\n")
    number = str(diagnostic.line)
    gutter = " " * len(number)
    start = max(diagnostic.column, 1)
    end = diagnostic.end_column if diagnostic.end_line == diagnostic.line else len(source)
    width = max(end - start + 1, 1)
    # Keep tabs in the padding so the caret lines up with the source as the terminal shows it.
    padding = "".join("\t" if char == "\t" else " " for char in source[: start - 1])
    underline = paint("^" + "~" * (width - 1), _COLOURS[diagnostic.severity])
    bar = paint("|", "34")
    return [
        f"{gutter} {bar}",
        f"{paint(number, '34')} {bar} {source}",
        f"{gutter} {bar} {padding}{underline}",
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(reports: Sequence[FileReport], skipped: int) -> str:
    """E.g. "All checks passed: 2 RFC files and the RFC index." or "Found 1 error in 1 of 2 RFC
    files.": RFC files are counted as such, an index is named apart, skipped files told."""
    rfcs = [report for report in reports if not report.is_index]
    indexes = [report for report in reports if report.is_index]
    tail = f"; {_plural(skipped, 'other file')} skipped (not RFCs)." if skipped else "."
    diagnostics = _all(reports)
    if not diagnostics:
        checked = _plural(len(rfcs), "RFC file") + _indexes_named(len(indexes))
        return f"All checks passed: {checked}{tail}"
    counts = count_by_severity(diagnostics)
    parts = [
        _plural(counts[severity], severity.value)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
        if counts[severity]
    ]
    places = [_rfcs_with_findings(rfcs), _indexes_with_findings(indexes)]
    return f"Found {', '.join(parts)} in {' and '.join(p for p in places if p)}{tail}"


def _indexes_named(count: int) -> str:
    if not count:
        return ""
    return " and the RFC index" if count == 1 else f" and {count} RFC indexes"


def _rfcs_with_findings(rfcs: Sequence[FileReport]) -> str:
    """The RFC files with findings, of those checked: "1 RFC file", "2 of 3 RFC files"."""
    found = sum(1 for report in rfcs if report.diagnostics)
    if not found:
        return ""
    total = _plural(len(rfcs), "RFC file")
    return total if found == len(rfcs) else f"{found} of {total}"


def _indexes_with_findings(indexes: Sequence[FileReport]) -> str:
    found = sum(1 for report in indexes if report.diagnostics)
    if not found:
        return ""
    if len(indexes) == 1:
        return "the RFC index"
    return f"{found} of {len(indexes)} RFC indexes"


# --- json ----------------------------------------------------------------------------------


def _as_dict(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "end_line": diagnostic.end_line,
        "end_column": diagnostic.end_column,
        "severity": diagnostic.severity.value,
        "rule": diagnostic.rule,
        "message": diagnostic.message,
        "help": diagnostic.help,
    }


def render_json(reports: Sequence[FileReport]) -> str:
    return json.dumps([_as_dict(d) for d in _all(reports)], indent=2, ensure_ascii=False) + "\n"


# --- GitHub workflow commands --------------------------------------------------------------


def _escape_data(text: str) -> str:
    # GitHub's rules (actions/toolkit, command.ts): '%' first, then CR and LF.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: Sequence[FileReport]) -> str:
    commands = []
    for diagnostic in _all(reports):
        properties = {
            "file": diagnostic.path,
            "line": diagnostic.line,
            "col": diagnostic.column,
            "endLine": diagnostic.end_line,
            "endColumn": diagnostic.end_column,
            "title": diagnostic.rule,
        }
        joined = ",".join(f"{key}={_escape_property(str(val))}" for key, val in properties.items())
        message = diagnostic.message
        if diagnostic.help:
            message += f"\nhelp: {diagnostic.help}"
        commands.append(f"::{diagnostic.severity.value} {joined}::{_escape_data(message)}\n")
    return "".join(commands)


# --- SARIF 2.1.0 ---------------------------------------------------------------------------


def sarif_uri(path: str) -> str:
    """A repository-relative path as a SARIF ``uri`` (a URI reference, RFC 3986): every byte
    but unreserved characters and ``/`` percent-encoded as UTF-8, so a space, ``%``, ``é``,
    ``#`` (else a fragment), ``?`` (else a query) or ``:`` (else a scheme) stays a path.
    A file name that is not UTF-8 (decoded with surrogate escapes) keeps its own bytes."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file system decoding produces
        raw = path.encode("utf-8", "replace")
    return quote(raw, safe="/")


def rule_help_uri(rule_id: str) -> str:
    """The rule's entry in docs/rules.md on the project's repository."""
    return f"{rules_doc_url()}#{rule_id}"


def _sarif_rules(used: Sequence[str]) -> list[dict[str, object]]:
    """The registry's rules, plus any rule a result names that the registry does not hold."""
    from bot.rfc.rules import RULES  # lazy: keeps report importable on its own

    rules: list[dict[str, object]] = [
        {
            "id": rule.id,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc or rule.summary},
            "defaultConfiguration": {"level": SARIF_LEVELS[Severity(rule.severity)]},
            "helpUri": rule_help_uri(rule.id),
            **({"help": {"text": rule.fix}} if rule.fix else {}),
        }
        for rule in RULES
    ]
    known = {rule["id"] for rule in rules}
    rules += [
        {"id": rule_id, "shortDescription": {"text": rule_id}}
        for rule_id in dict.fromkeys(used)
        if rule_id not in known
    ]
    return rules


def _sarif_result(diagnostic: Diagnostic, rule_index: int) -> dict[str, object]:
    message = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
    return {
        "ruleId": diagnostic.rule,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[diagnostic.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": sarif_uri(diagnostic.path)},
                    "region": {
                        "startLine": diagnostic.line,
                        "startColumn": diagnostic.column,
                        "endLine": diagnostic.end_line,
                        # SARIF's endColumn is exclusive; ours is inclusive.
                        "endColumn": diagnostic.end_column + 1,
                    },
                }
            }
        ],
    }


def sarif_log(reports: Sequence[FileReport]) -> dict[str, object]:
    diagnostics = _all(reports)
    rules = _sarif_rules([d.rule for d in diagnostics])
    index = {str(rule["id"]): position for position, rule in enumerate(rules)}
    driver = {
        "name": TOOL_NAME,
        "version": __version__,
        "informationUri": project_url(),
        "rules": rules,
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                # Our columns index Python strings: one per code point, as SARIF calls it.
                "columnKind": "unicodeCodePoints",
                "results": [_sarif_result(d, index[d.rule]) for d in diagnostics],
            }
        ],
    }


def render_sarif(reports: Sequence[FileReport]) -> str:
    return json.dumps(sarif_log(reports), indent=2, ensure_ascii=False) + "\n"
