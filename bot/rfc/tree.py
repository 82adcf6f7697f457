"""Linting a tree of RFC files on disk: the files and directories given, each directory's
index. What the command line runs, and what any front end that works on a checkout (a GitHub
Action) can share.

Files are independent and linting is CPU-bound, so large runs are spread over the cores; the
result is the same, in the same order, as a run in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.rfc.config.public import Config
from bot.rfc.edits import IndexEntry, index_entry
from bot.rfc.index_check import check_index, index_check_enabled
from bot.rfc.report import FileReport
from bot.rfc.supersession import check_supersession

if TYPE_CHECKING:
    from bot.rfc.diagnostics import Diagnostic
    from bot.rfc.lint import LintResult

PARALLEL_MIN_FILES = 64  # below this, starting workers costs more than it saves
MAX_WORKERS = 8


class MissingPath(Exception):
    """A path given to lint is neither a file nor a directory."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class UnreadableFile(Exception):
    """A file to lint (or an index) could not be read; ``error`` says why."""

    def __init__(self, path: Path, error: Exception) -> None:
        super().__init__(path, error)  # the same arguments: it crosses back from a worker
        self.path, self.error = path, error


class OldVersions(Protocol):
    """Where the change rules find a file's earlier version (e.g. ``bot.local.git``)."""

    def old_version(self, path: Path) -> bytes | None:
        """The earlier content; None when the file is new."""
        ...

    def diff(self, path: Path) -> str | None:
        """The unified diff from the earlier version to the file (``bot.rfc.legacy``);
        None when it is not known (every line then counts as touched)."""
        ...


@dataclass
class Targets:
    """What to lint: files (each once, in the order given) and the directories named, whose
    index files are checked; ``skipped``, the other files of those directories (not RFCs)."""

    files: list[Path] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def rfc_files(directory: Path, config: Config) -> list[Path]:
    """The RFC files directly in ``directory``, by name: ``*.md`` except the ``skip`` names."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix == ".md" and path.is_file() and path.name not in config.skip
    )


def collect_targets(paths: Sequence[str], config: Config) -> Targets:
    """Files as given, directories as their RFC files; MissingPath for anything else."""
    targets = Targets()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            targets.directories.append(path)
            found = rfc_files(path, config)
            targets.files += found
            targets.skipped += _other_files(path, found, config)
        elif path.is_file():
            targets.files.append(path)
        else:
            raise MissingPath(raw)
    targets.files = list(dict.fromkeys(targets.files))
    linted = set(targets.files)
    targets.skipped = [path for path in dict.fromkeys(targets.skipped) if path not in linted]
    return targets


def _other_files(directory: Path, rfcs: list[Path], config: Config) -> list[Path]:
    """The files of ``directory`` that are neither its RFC files nor its index."""
    kept = {*rfcs, directory / config.index_file}
    return sorted(path for path in directory.iterdir() if path.is_file() and path not in kept)


def changed_only(targets: Targets, base: OldVersions) -> Targets:
    """The files whose content differs from ``base`` (new files included), and no directory:
    an index is checked against every RFC of its directory, not against a few."""
    changed = []
    for path in targets.files:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise UnreadableFile(path, error) from None
        if base.old_version(path) != content:
            changed.append(path)
    return Targets(changed, [])


def repo_path(path: Path, root: Path) -> str:
    """The path as the App sees it: relative to the repository root."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def lint_tree(
    targets: Targets,
    root: Path,
    config: Config,
    *,
    base: OldVersions | None = None,
    index_fix: Callable[[Path], str] | None = None,
) -> list[FileReport]:
    """A report per file, in order, then one per directory whose index file is checked.

    ``root``: the repository root the reported paths are relative to. ``base``: the earlier
    versions for the change rules (None: those rules are off). ``index_fix``: the help text
    of an ``index-outdated`` finding for a directory (the rule's fix text by default).
    Raises UnreadableFile, and whatever ``base`` raises.
    """
    job = FileJob(root, config, base, working_tree_files(root, config))
    reports: list[FileReport] = []
    entries: dict[Path, IndexEntry] = {}
    for path, (report, entry) in zip(targets.files, lint_files(targets.files, job), strict=True):
        reports.append(report)
        if entry is not None:
            entries[path.resolve()] = entry
    for directory in targets.directories:
        paths = [path.resolve() for path in rfc_files(directory, config)]
        listed = [entries[path] for path in paths if path in entries]
        _add_supersession(reports, listed, config)
        fix = index_fix(directory) if index_fix else None
        index = _index_report(directory, listed, root, config, fix)
        if index is not None:
            reports.append(index)
    return reports


def working_tree_files(root: Path, config: Config) -> frozenset[str] | None:
    """The files of the RFC directory on disk (repository paths), for ``rfc-link-target``;
    None when the directory is not there."""
    directory = root / config.rfc_dir
    if not directory.is_dir():
        return None
    return frozenset(repo_path(path, root) for path in directory.iterdir() if path.is_file())


def _add_supersession(reports: list[FileReport], entries: list[IndexEntry], config: Config) -> None:
    """The checks that need both ends of a supersession, added to the files they are about."""
    found = check_supersession(entries, config)
    if not found:
        return
    for index, report in enumerate(reports):
        mine = [diagnostic for diagnostic in found if diagnostic.path == report.path]
        if mine:
            merged = sorted([*report.diagnostics, *mine], key=lambda d: d.sort_key)
            reports[index] = replace(report, diagnostics=merged)


def _index_report(
    directory: Path, entries: list[IndexEntry], root: Path, config: Config, fix: str | None
) -> FileReport | None:
    """The directory's index file checked against its RFC files; None when there is no index
    file or the rule is off."""
    index = directory / config.index_file
    if not index.is_file() or not index_check_enabled(config):
        return None
    try:
        text = index.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableFile(index, error) from None
    path = repo_path(index, root)
    diagnostics = check_index(path, text, entries, config, fix=fix)
    return FileReport(path, diagnostics, text.splitlines(), is_index=True)


def index_entries(directory: Path, root: Path, config: Config) -> list[IndexEntry]:
    """The index rows of the RFC files in ``directory``; files that are not text are left out
    (linting them explains why)."""
    from bot.rfc.document import parse  # imported when called, as the engine is in FileJob

    entries = []
    for path in rfc_files(directory, config):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        entries.append(index_entry(repo_path(path, root), parse(text)))
    return entries


# --- One file, in this process or in a worker ----------------------------------------------


@dataclass(frozen=True)
class FileJob:
    """Everything linting one file needs besides the file: given to each worker when it
    starts, so nothing is shared through this process's globals."""

    root: Path
    config: Config
    base: OldVersions | None
    known_files: frozenset[str] | None = None  # the RFC directory's files (rfc-link-target)

    def lint(self, path: Path) -> tuple[FileReport, IndexEntry | None]:
        """The file's report, and its index entry when it could be parsed."""
        # Imported when called: the rules load only when something is linted.
        from bot.rfc.lint import NO_BASE, lint

        try:
            content = path.read_bytes()
        except OSError as error:
            raise UnreadableFile(path, error) from None
        name = repo_path(path, self.root)
        old = self.base.old_version(path) if self.base else NO_BASE
        result = lint(name, content, self.config, base=old, known_files=self.known_files)
        document = result.document
        diagnostics = list(result.diagnostics)
        if self.base is not None and isinstance(old, bytes):
            diagnostics = self._legacy_pass(path, name, content, old, result)
        lines = document.lines if document is not None else []
        entry = index_entry(name, document) if document is not None else None
        return FileReport(name, diagnostics, lines), entry

    def _legacy_pass(
        self, path: Path, name: str, content: bytes, old: bytes, result: LintResult
    ) -> list[Diagnostic]:
        """The findings with the legacy ones lowered (``bot.rfc.legacy``); git is asked for
        the diff, and the old version linted, only when some finding could be legacy."""
        from bot.rfc.legacy import Pending, could_be_legacy, review
        from bot.rfc.lint import NO_BASE, lint

        if self.base is None or not could_be_legacy(result.diagnostics, self.config):
            return list(result.diagnostics)
        step = review(
            result.diagnostics,
            patch=self.base.diff(path),
            status_before=result.status_before,
            status_after=result.document.status if result.document else None,
            head=content,
            base=old,
            config=self.config,
        )
        if isinstance(step, Pending):
            step = step.finish(lint(name, old, self.config, base=NO_BASE).diagnostics)
        return list(step.diagnostics)


def lint_files(files: Sequence[Path], job: FileJob) -> list[tuple[FileReport, IndexEntry | None]]:
    """``job.lint`` of each file, in order: in this process, or in forked workers for large
    runs."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(files) < PARALLEL_MIN_FILES or workers < 2 or not can_fork():
        return [job.lint(path) for path in files]
    # Forked workers inherit the imported engine, and receive the job once as they start
    # (fork passes it without pickling: the config does not pickle).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(job,)
    ) as pool:
        chunk = max(1, len(files) // (workers * 4))
        return list(pool.map(_lint_in_worker, files, chunksize=chunk))


def can_fork() -> bool:
    """Whether large runs use workers: only where fork is the safe, usual way (Linux)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


# Set only inside a worker process, by its initializer; the parent never reads or writes it.
_worker_job: FileJob | None = None


def _start_worker(job: FileJob) -> None:
    global _worker_job
    _worker_job = job


def _lint_in_worker(path: Path) -> tuple[FileReport, IndexEntry | None]:
    assert _worker_job is not None  # the pool runs _start_worker before any task
    return _worker_job.lint(path)
