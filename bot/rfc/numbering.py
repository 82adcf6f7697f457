"""Plans the numbering commit: which new RFCs get which numbers, and the new index.

Pure: the caller reads the default branch (the RFC directory's files and texts) and the pull
request's added files; this module decides. The commit it plans is also the record that the
work is done: the renamed files plus an ``RFC-PR: #N`` trailer, so a replayed merge event, a
restart or a second replica re-reads GitHub and finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.rfc.config.public import Config
from bot.rfc.document import TRACKING_ISSUE, parse
from bot.rfc.edits import index_entry, set_number, set_or_add_field, update_index
from bot.rfc.links import rewrite_links
from bot.rfc.paths import is_rfc_path, numbered_path, parse_name


class NumberingError(ValueError):
    """The pull request's RFCs cannot be numbered as configured (shown on the PR)."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """One RFC to rename: ``old_path`` (``0000-slug.md``) becomes ``new_path``."""

    old_path: str
    new_path: str
    number: int
    text: str
    # False when the file has no **RFC Number:** line: renamed, text left as written.
    number_field_set: bool = True


@dataclass(frozen=True, slots=True)
class Numbered:
    """An RFC of the pull request that already carries its number on the branch."""

    path: str
    number: int
    old_path: str = ""  # the unnumbered path the pull request added


@dataclass(frozen=True, slots=True)
class Plan:
    assignments: tuple[Assignment, ...]
    already_numbered: tuple[Numbered, ...]
    # Added by the PR but neither unnumbered nor numbered on the branch any more (deleted or
    # renamed by hand after the merge): nothing to do for them.
    missing: tuple[str, ...]
    # New text of the index file when there are assignments, else None.
    index_text: str | None
    # Why the index could not be regenerated (its markers are broken); numbering goes on.
    index_problem: str | None = None
    # Other markdown files whose relative links to a renamed RFC were rewritten: path -> text.
    rewritten: tuple[tuple[str, str], ...] = ()

    @property
    def pending(self) -> bool:
        return bool(self.assignments)

    def changes(self, index_path: str) -> dict[str, str | None]:
        """Path -> new text, or None to delete: the content of the numbering commit."""
        changes: dict[str, str | None] = {}
        for assignment in self.assignments:
            changes[assignment.old_path] = None
            changes[assignment.new_path] = assignment.text
        if self.index_text is not None:
            changes[index_path] = self.index_text
        changes.update(self.rewritten)
        return changes

    def renames(self) -> dict[str, str]:
        return {a.old_path: a.new_path for a in self.assignments}


def rfc_files(paths: Iterable[str], config: Config) -> list[str]:
    """The RFC files (``NNNN-slug.md`` directly in the RFC directory), sorted."""
    return sorted(
        path
        for path in paths
        if is_rfc_path(path, config) and parse_name(path) is not None and path != config.index_path
    )


def added_rfcs(pull_files: Iterable[Mapping[str, object]], config: Config) -> list[str]:
    """Unnumbered RFC paths a pull request adds (from the pull request files listing).

    A file renamed into the RFC directory from elsewhere counts as added; a rename of an
    existing RFC does not.
    """
    added = []
    for item in pull_files:
        path = str(item.get("filename", ""))
        status = item.get("status")
        previous = str(item.get("previous_filename", ""))
        is_new = status == "added" or (status == "renamed" and not is_rfc_path(previous, config))
        name = parse_name(path)
        if is_new and is_rfc_path(path, config) and name is not None and not name.assigned:
            added.append(path)
    return sorted(added)


def plan_numbering(
    branch_texts: Mapping[str, str],
    added: Sequence[str],
    pr_number: int,
    config: Config,
    *,
    index_text: str | None,
    proven: Mapping[str, str] | None = None,
) -> Plan:
    """Decide the numbering commit for the pull request's ``added`` RFCs.

    ``branch_texts`` holds every RFC file of the default branch (path -> text), as returned
    by ``rfc_files``; ``index_text`` is the index file's text there (None when missing).
    Raises NumberingError when the configured strategy cannot give a free number.
    """
    present = rfc_files(branch_texts, config)
    pending, done, missing = sort_added(added, present, proven or {})
    if not pending:
        return Plan((), done, missing, None)
    numbers = _numbers_for(pending, present, pr_number, config)
    assignments = tuple(
        _assign(path, number, branch_texts[path], config)
        for path, number in zip(pending, numbers, strict=True)
    )
    try:
        index, problem = _index_after(branch_texts, assignments, index_text, config), None
    except ValueError as error:
        index, problem = None, f"{config.index_path} was left as it is: {error}"
    return Plan(assignments, done, missing, index, problem)


def sort_added(
    added: Iterable[str], present: Sequence[str], proven: Mapping[str, str]
) -> tuple[tuple[str, ...], tuple[Numbered, ...], tuple[str, ...]]:
    """(pending, done, missing): the pull request's added RFCs as the branch has them now.

    ``proven`` maps each of this pull request's RFCs that a proven numbering commit of the App
    renamed to its numbered path: those are done, whatever the branch shows now (a restored
    ``0000`` file is never numbered twice), and only they are: an RFC of another pull request
    with the same slug is not this one's. Pending ones are still unnumbered on the branch;
    missing ones are gone without such a commit. Needs paths only, so a caller can tell that
    nothing is left to do before reading any RFC text.
    """
    on_branch = set(present)
    pending: list[str] = []
    done: list[Numbered] = []
    missing: list[str] = []
    for path in sorted(set(added)):
        numbered = proven.get(path)
        name = parse_name(numbered) if numbered else None
        if numbered and name is not None:
            done.append(Numbered(numbered, name.number, path))
        elif path in on_branch:
            pending.append(path)
        else:
            missing.append(path)
    return tuple(pending), tuple(done), tuple(missing)


def follow_up(
    plan: Plan,
    config: Config,
    *,
    tracking: Mapping[str, int],
    link_texts: Mapping[str, str],
) -> Plan:
    """The plan with what the numbering commit carries besides numbers: each RFC's
    ``**Tracking Issue:** #N`` (``tracking``: unnumbered path -> issue; a value already there,
    an author's, is overwritten) and, unless ``follow_up.links`` is off, in the renamed RFCs,
    the index and the other markdown files of ``link_texts`` (path -> text), every relative
    link to a renamed RFC pointing at its numbered path."""
    renames = plan.renames() if config.follow_up.links is not None else {}
    assignments = tuple(
        replace(
            a,
            text=rewrite_links(
                _with_tracking(a.text, tracking.get(a.old_path)), a.new_path, renames
            ),
        )
        for a in plan.assignments
    )
    index = plan.index_text
    if index is not None and renames:
        index = rewrite_links(index, config.index_path, renames)
    rewritten = []
    for path, text in sorted(link_texts.items()):
        if path in renames or path == config.index_path:
            continue
        new = rewrite_links(text, path, renames)
        if new != text:
            rewritten.append((path, new))
    return replace(plan, assignments=assignments, index_text=index, rewritten=tuple(rewritten))


def _with_tracking(text: str, issue: int | None) -> str:
    if issue is None:
        return text
    try:
        return set_or_add_field(text, TRACKING_ISSUE, f"#{issue}")
    except ValueError:  # no metadata block to hold it: the issue still links the RFC
        return text


def _numbers_for(
    pending: Sequence[str], present: Sequence[str], pr_number: int, config: Config
) -> list[int]:
    taken = {name.number for path in present if (name := parse_name(path)) and name.assigned}
    if config.numbering == "pull-request":
        return [_pull_request_number(pending, taken, pr_number)]
    first = max(taken, default=0) + 1
    return list(range(first, first + len(pending)))


def _pull_request_number(pending: Sequence[str], taken: set[int], pr_number: int) -> int:
    if len(pending) > 1:
        raise NumberingError(
            f"the `pull-request` numbering strategy gives one number per pull request, "
            f"but this one adds {len(pending)} RFCs ({', '.join(pending)}); "
            "split them into separate pull requests or use the `sequential` strategy"
        )
    if pr_number in taken:
        raise NumberingError(
            f"RFC number {pr_number} (this pull request's number) is already taken by "
            "another RFC on the default branch; rename that file or use the `sequential` "
            "strategy"
        )
    return pr_number


def _assign(path: str, number: int, text: str, config: Config) -> Assignment:
    new_path = numbered_path(path, number, config.number_width)
    try:
        return Assignment(path, new_path, number, set_number(text, number, config.number_width))
    except ValueError:
        return Assignment(path, new_path, number, text, number_field_set=False)


def _index_after(
    branch_texts: Mapping[str, str],
    assignments: Sequence[Assignment],
    index_text: str | None,
    config: Config,
) -> str:
    texts = dict(branch_texts)
    for assignment in assignments:
        del texts[assignment.old_path]
        texts[assignment.new_path] = assignment.text
    entries = [index_entry(path, parse(texts[path])) for path in rfc_files(texts, config)]
    return update_index(index_text, entries)


def commit_message(plan: Plan, pr_number: int, width: int, trailers: str) -> str:
    """Subject, body and the proof trailers (git trailer format, last paragraph)."""
    numbers = ", ".join(f"{a.number:0{width}d}" for a in plan.assignments)
    plural = "s" if len(plan.assignments) > 1 else ""
    body = "\n".join(f"- {a.old_path} -> {a.new_path}" for a in plan.assignments)
    if plan.rewritten:
        body += "\n\nLinks to the renamed files rewritten in: "
        body += ", ".join(path for path, _ in plan.rewritten) + "."
    return (
        f"Assign RFC number{plural} {numbers}\n\n"
        f"Number{plural} assigned on merge of #{pr_number}; the RFC index is regenerated.\n\n"
        f"{body}\n\n"
        f"{trailers}\n"
    )
