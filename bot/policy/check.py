"""The `RFC validation` check run's content, built from lint results. Pure: no I/O.

GitHub's limits shape this module: at most 50 annotations per request (the rest go in
further PATCH requests) and at most 65,535 UTF-8 bytes for the output's summary and text
(we truncate and say how much was left out, so nothing disappears silently).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar
from urllib.parse import quote

from bot.policy.config_extends import sources_sentence
from bot.policy.legacy import held_note, legacy_sentence
from bot.policy.text import MAX_OUTPUT_BYTES, clip, plural
from bot.rfc.config.public import CONFIG_PATH, Config, ConfigError, ConfigProblem
from bot.rfc.diagnostics import Diagnostic, Severity, count_by_severity, has_errors
from bot.rfc.legacy import Legacy
from bot.rfc.paths import is_rfc_path
from bot.values import Pull

CHECK_NAME = "RFC validation"
ANNOTATIONS_PER_REQUEST = 50
# Findings that say a Status line claims what nobody proved: the labels then show the status
# the RFC had before (the base branch's, or the initial status of a new RFC).
UNPROVEN_STATUS_RULES = frozenset({"status-unauthorised", "status-initial", "status-transition"})
# GitHub caps an annotation's title at 255 characters and message/raw_details at 64 KB;
# we keep them far shorter so one noisy rule cannot crowd out the rest.
_MAX_ANNOTATION_TITLE = 255
_MAX_ANNOTATION_TEXT = 4_000
_MAX_CELL = 200

ChangeKind = Literal["added", "modified", "renamed", "removed"]
Conclusion = Literal["success", "failure"]

_LEVELS: Mapping[Severity, str] = {
    Severity.ERROR: "failure",
    Severity.WARNING: "warning",
    Severity.NOTICE: "notice",
}
# GitHub's pull-request file statuses -> what it means for an RFC at that path.
_CHANGE_KINDS: Mapping[str, ChangeKind] = {
    "added": "added",
    "copied": "added",
    "modified": "modified",
    "changed": "modified",
    "renamed": "renamed",
    "removed": "removed",
}


@dataclass(frozen=True, slots=True)
class RfcChange:
    """One RFC file a pull request touches. ``previous_path`` is set for renames. ``diff``:
    GitHub's unified diff of the file, its ``patch`` ("" when no line changed; None when
    GitHub left it out, as it does for large diffs)."""

    path: str
    kind: ChangeKind
    previous_path: str | None = None
    diff: str | None = field(default=None, repr=False)


class LintedDocument(Protocol):
    """What the report reads of ``bot.rfc.document.Document``."""

    @property
    def title(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def target_apps(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one RFC file: its diagnostics and what the summary table shows."""

    change: RfcChange
    diagnostics: tuple[Diagnostic, ...]
    title: str | None = None
    status: str | None = None
    target_apps: tuple[str, ...] = ()
    # The status the labels show: the written one once proven, else the one before.
    proven_status: str | None = None
    readable: bool = False  # the head's text could be linted
    legacy: Legacy | None = None  # the legacy pass (bot.rfc.legacy), when there was one

    @classmethod
    def from_lint(
        cls,
        change: RfcChange,
        diagnostics: Iterable[Diagnostic],
        document: LintedDocument | None,
        status_before: str | None = None,
        legacy: Legacy | None = None,
    ) -> FileResult:
        """``legacy``: its diagnostics are the file's (``diagnostics`` is then ignored)."""
        diagnostics = legacy.diagnostics if legacy is not None else tuple(diagnostics)
        if document is None:
            return cls(change, diagnostics, legacy=legacy)
        unproven = any(d.rule in UNPROVEN_STATUS_RULES for d in diagnostics)
        return cls(
            change,
            diagnostics,
            title=document.title,
            status=document.status,
            target_apps=tuple(document.target_apps),
            proven_status=status_before if unproven else document.status,
            readable=True,
            legacy=legacy,
        )

    @property
    def status_unauthorised(self) -> bool:
        return any(d.rule == "status-unauthorised" for d in self.diagnostics)


@dataclass(frozen=True, slots=True)
class LabelledRfc:
    """What the labels read of an RFC: its proven status and its target applications."""

    status: str | None
    target_apps: list[str]


def labelled(results: Iterable[FileResult]) -> list[LabelledRfc | None]:
    """One entry per RFC for ``bot.policy.labels.desired_labels`` (None: unreadable or deleted)."""
    return [
        LabelledRfc(r.proven_status, list(r.target_apps)) if r.readable else None for r in results
    ]


@dataclass(frozen=True, slots=True)
class CheckOutput:
    conclusion: Conclusion
    title: str
    summary: str
    text: str
    annotations: list[dict[str, Any]] = field(default_factory=list)

    def create_body(
        self, head_sha: str, external_id: str, started: str, completed: str
    ) -> dict[str, Any]:
        """The ``POST /check-runs`` body with the first batch of annotations."""
        return {
            "name": CHECK_NAME,
            "head_sha": head_sha,
            "external_id": external_id,
            "status": "completed",
            "conclusion": self.conclusion,
            "started_at": started,
            "completed_at": completed,
            "output": self.output(batches(self.annotations)[0]),
        }

    def later_batches(self) -> list[dict[str, Any]]:
        """``PATCH`` bodies for the annotations past the first batch, in order."""
        return [{"output": self.output(batch)} for batch in batches(self.annotations)[1:]]

    def output(self, annotations: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        """The ``output`` object of a check-run request carrying one batch of annotations."""
        body: dict[str, Any] = {"title": self.title, "summary": self.summary}
        if self.text:
            body["text"] = self.text
        if annotations:
            body["annotations"] = list(annotations)
        return body


# --- choosing files -------------------------------------------------------------------------


def select_rfc_changes(files: Iterable[Mapping[str, Any]], config: Config) -> list[RfcChange]:
    """The RFC files among a pull request's files (GitHub's ``GET /pulls/{n}/files`` items).

    A rename out of the RFC directory counts as removing the RFC; a rename into it as adding.
    """
    changes: list[RfcChange] = []
    for item in files:
        path = item["filename"]
        kind = _CHANGE_KINDS.get(item.get("status", ""))
        previous = item.get("previous_filename")
        if kind is None:
            continue
        if kind == "renamed" and previous and not is_rfc_path(previous, config):
            kind, previous = "added", None
        if is_rfc_path(path, config):
            renamed_from = previous if kind == "renamed" else None
            changes.append(RfcChange(path, kind, renamed_from, _diff(item)))
        elif kind == "renamed" and previous:
            changes.append(RfcChange(previous, "removed"))
    return sorted(changes, key=lambda change: change.path)


def _diff(item: Mapping[str, Any]) -> str | None:
    patch = item.get("patch")
    if isinstance(patch, str):
        return patch
    return "" if item.get("changes") == 0 else None  # a pure rename, a mode change


def deleted_rfc(change: RfcChange) -> FileResult:
    """A removed RFC is reported as a notice: retiring one is done with Status: Deprecated."""
    diagnostic = Diagnostic(
        rule="rfc-deleted",
        severity=Severity.NOTICE,
        path=change.path,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        message=f"This pull request deletes the RFC {change.path}.",
        help="RFCs stay in the repository for the record. To retire one, set its Status to "
        "Deprecated instead of deleting the file.",
    )
    return FileResult(change, (diagnostic,))


_CONFIG_HELP = (
    "The default configuration was used for this check. Fix the file on the default branch: "
    "the App never reads its configuration from a pull request."
)
_EXTENDS_HELP = (
    "The files without problems were used for this check (the summary names them). Fix the "
    "files on their default branches: the App never reads its configuration from a pull request."
)


def config_diagnostics(error: ConfigError, extends_line: int | None = None) -> list[Diagnostic]:
    """Every problem of an unusable ``.github/rfc-bot.yml``, each an error at its line (the
    defaults are used instead); a problem in a file it extends, at its ``_extends`` line."""
    return [config_diagnostic(problem, extends_line) for problem in error.problems]


def config_diagnostic(
    error: ConfigError | ConfigProblem, extends_line: int | None = None
) -> Diagnostic:
    """One problem of an unusable ``.github/rfc-bot.yml`` as an error at its line. A problem
    in another repository's file is annotated here (annotations name this repository's
    files), at the ``_extends`` line, and says where it is."""
    line = error.line or 1
    where = f"{error.key}: " if error.key else ""
    if error.source not in ("", CONFIG_PATH):
        at = f":{error.line}" if error.line else ""
        where = f"{error.source}{at}: {where}"
        line = extends_line or 1
    return Diagnostic(
        rule="config-invalid",
        severity=Severity.ERROR,
        path=CONFIG_PATH,
        line=line,
        column=1,
        end_line=line,
        end_column=1,
        message=f"{where}{error.message}",
        help=_EXTENDS_HELP if extends_line else _CONFIG_HELP,
    )


# --- the report -----------------------------------------------------------------------------


def build_check_output(
    results: Sequence[FileResult],
    *,
    rendered_url: Callable[[str], str],
    config_diagnostics: Sequence[Diagnostic] = (),
    decision_in_progress: bool = False,
    config_sources: Sequence[str] | None = None,
) -> CheckOutput:
    """Conclusion, title, summary, text and every annotation for the check run. A decision in
    progress is mentioned in the summary; it never changes the conclusion."""
    diagnostics = [*config_diagnostics, *(d for r in results for d in r.diagnostics)]
    diagnostics.sort(key=lambda d: d.sort_key)
    return CheckOutput(
        conclusion="failure" if has_errors(diagnostics) else "success",
        title=check_title(results, diagnostics, config_broken=bool(config_diagnostics)),
        summary=_summary(
            results, config_diagnostics, rendered_url, decision_in_progress, config_sources
        ),
        text=_details(results, config_diagnostics),
        annotations=[annotation(d) for d in diagnostics],
    )


def check_title(
    results: Sequence[FileResult], diagnostics: Sequence[Diagnostic], *, config_broken: bool
) -> str:
    """E.g. "2 errors, 1 warning in rfcs/0000-job-retries.md" or "No problems in 3 RFCs"."""
    if not results and not config_broken:
        return "No RFC files changed"
    counts = count_by_severity(list(diagnostics))
    parts = [
        plural(counts[severity], severity.value)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
        if counts[severity]
    ]
    found = ", ".join(parts) if parts else "No problems"
    return f"{found} in {_where(results, config_broken)}"


def _where(results: Sequence[FileResult], config_broken: bool) -> str:
    paths = [r.change.path for r in results] + ([CONFIG_PATH] if config_broken else [])
    if len(paths) == 1:
        return paths[0]
    rfcs = plural(len(results), "RFC")
    return f"{rfcs} and {CONFIG_PATH}" if config_broken else rfcs


def annotation(diagnostic: Diagnostic) -> dict[str, Any]:
    """A check-run annotation; columns only when it spans one line (GitHub's rule)."""
    end_line = max(diagnostic.line, diagnostic.end_line)
    item: dict[str, Any] = {
        "path": diagnostic.path,
        "start_line": diagnostic.line,
        "end_line": end_line,
        "annotation_level": _LEVELS[diagnostic.severity],
        "title": clip(diagnostic.rule, _MAX_ANNOTATION_TITLE),
        "message": clip(diagnostic.message, _MAX_ANNOTATION_TEXT),
    }
    if end_line == diagnostic.line:
        item["start_column"] = diagnostic.column
        item["end_column"] = max(diagnostic.column, diagnostic.end_column)
    if diagnostic.help:
        item["raw_details"] = clip(diagnostic.help, _MAX_ANNOTATION_TEXT)
    return item


T = TypeVar("T")


def batches(items: Sequence[T], size: int = ANNOTATIONS_PER_REQUEST) -> list[list[T]]:
    """``items`` in consecutive batches of ``size``; one empty batch when there are none."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]


def _summary(
    results: Sequence[FileResult],
    config_diagnostics: Sequence[Diagnostic],
    rendered_url: Callable[[str], str],
    decision_in_progress: bool = False,
    config_sources: Sequence[str] | None = None,
) -> str:
    if not results and not config_diagnostics:
        intro = "This pull request does not add, change or delete any RFC file."
    else:
        intro = _intro(results) + legacy_sentence(r.legacy for r in results)
    if decision_in_progress:
        intro += (
            "\n\nA decision is in progress on this pull request: its status panel (a comment "
            "by this App) shows the approvals, concerns and the comment period. It does not "
            "block merging."
        )
    if config_sources is not None:  # the config extends other files: say which apply
        intro += f"\n\nConfiguration: {sources_sentence(config_sources)}."
    blocks = [_config_block(config_diagnostics, config_sources)] if config_diagnostics else []
    blocks += [_rfc_block(result, rendered_url) for result in results]
    return fit(intro, blocks, noun="RFC")


def _intro(results: Sequence[FileResult]) -> str:
    failing = sum(1 for r in results if has_errors(list(r.diagnostics)))
    if failing:
        return f"{plural(failing, 'RFC')} of {len(results)} must be fixed before merging."
    return f"{plural(len(results), 'RFC')} checked: nothing blocks merging."


def _config_block(diagnostics: Sequence[Diagnostic], sources: Sequence[str] | None) -> str:
    used = "The configuration could not be used; the defaults were."
    if sources:
        used = f"Only part of the configuration could be used: {sources_sentence(sources)}."
    lines = [f"### `{CONFIG_PATH}`", "", used]
    lines += [f"- line {d.line}: {_inline(d.message)}" for d in diagnostics]
    return "\n".join(lines)


def _rfc_block(result: FileResult, rendered_url: Callable[[str], str]) -> str:
    change = result.change
    counts = count_by_severity(list(result.diagnostics))
    rendered = "—" if change.kind == "removed" else f"[Rendered]({rendered_url(change.path)})"
    header = f"### `{change.path}`"
    if change.previous_path:
        header += f" (renamed from `{change.previous_path}`)"
    row = [
        _cell(result.title),
        _cell(result.status),
        _cell(", ".join(result.target_apps) or None),
        change.kind,
        str(counts[Severity.ERROR]),
        str(counts[Severity.WARNING]),
        rendered,
    ]
    return "\n".join(
        [
            header,
            "",
            "| Title | Status | Target applications | Change | Errors | Warnings | File |",
            "| --- | --- | --- | --- | ---: | ---: | --- |",
            "| " + " | ".join(row) + " |",
        ]
    )


def _details(results: Sequence[FileResult], config_diagnostics: Sequence[Diagnostic]) -> str:
    """Every diagnostic as a list, grouped by file: readable even without the annotations."""
    groups: list[tuple[str, Sequence[Diagnostic], str]] = []
    if config_diagnostics:
        groups.append((CONFIG_PATH, config_diagnostics, ""))
    groups += [
        (r.change.path, r.diagnostics, held_note(r.legacy)) for r in results if r.diagnostics
    ]
    blocks: list[str] = []
    for path, diagnostics, note in groups:
        ordered = sorted(diagnostics, key=lambda d: d.sort_key)
        for index, diagnostic in enumerate(ordered):
            line = _detail_line(diagnostic)
            blocks.append(f"### `{path}`\n\n{note}{line}" if index == 0 else line)
    return fit("", blocks, noun="diagnostic", separator="\n") if blocks else ""


def _detail_line(diagnostic: Diagnostic) -> str:
    message = _inline(clip(diagnostic.message, _MAX_ANNOTATION_TEXT))
    severity, rule = diagnostic.severity.value, diagnostic.rule
    return f"- **{severity}** line {diagnostic.line} `{rule}`: {message}"


def fit(
    intro: str,
    blocks: Sequence[str],
    *,
    noun: str,
    limit: int = MAX_OUTPUT_BYTES,
    separator: str = "\n\n",
) -> str:
    """``intro`` and as many whole blocks as fit under ``limit`` UTF-8 bytes (GitHub counts
    a check run's output in bytes), then a note saying how many blocks were left out."""
    parts = [intro] if intro else []
    used = _size(intro)
    for index, block in enumerate(blocks):
        note = _left_out_note(len(blocks) - index, noun)
        cost = _size(block) + (len(separator) if parts else 0)
        # Keep room for the note unless this is the last block and it fits on its own.
        reserve = 0 if index == len(blocks) - 1 else _size(note) + len(separator)
        if used + cost + reserve >= limit:
            return separator.join([*parts, note])
        parts.append(block)
        used += cost
    return separator.join(parts)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _left_out_note(count: int, noun: str) -> str:
    return (
        f"_{plural(count, noun)} left out here: GitHub limits this text to "
        f"{MAX_OUTPUT_BYTES:,} bytes. Every annotation is still listed on the check._"
    )


def _inline(text: str) -> str:
    return " ".join(text.split())


def _cell(value: str | None) -> str:
    if not value:
        return "—"
    return clip(_inline(value), _MAX_CELL).replace("|", "\\|")


def blob_url(repository_html_url: str, sha: str) -> Callable[[str], str]:
    """Links a file at a commit on the repository's own web host (works for Enterprise)."""
    base = repository_html_url.rstrip("/")
    return lambda path: f"{base}/blob/{sha}/{quote(path)}"


def stale_event_reason(seen: Pull, current: Pull) -> str | None:
    """Why an event's view of a pull request (``seen``) must not be acted on, given the pull
    request as it is now (``current``), or None when it is still the pull request's state.

    A check run and labels computed from an older head would land after the newer head's, so
    the older ones would win; a closed pull request's check gates nothing. Either way the
    event that matters is another one (or the reconciler's sweep), never this one.
    """
    if current.state != "open":
        return f"the pull request is {current.state}"
    if current.head.sha != seen.head.sha:
        return f"the head moved on to {current.head.sha}"
    return None
