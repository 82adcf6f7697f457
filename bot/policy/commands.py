"""The ``/rfc`` command parser: comment text in, commands and command errors out. No I/O.

A command is a comment line that starts with ``/rfc`` (leading spaces allowed) and that GitHub
renders as ordinary text of a paragraph, list item included. Lines that render as code (fenced,
indented or inline), inside a block quote, inside an HTML comment (block or inline, one line or
several), struck through, in a heading or in a table are never commands: quoting a command, or
hiding it, must not run it.

How the contexts are found: each candidate line's ``/rfc`` is swapped for a unique plain word
(which changes no markdown structure), the text is parsed with markdown-it-py as GitHub would
render it, and a candidate counts only when its word comes out as plain paragraph text outside
any block quote. markdown-it then decides every context exactly, including code spans and HTML
comments that span lines, which a line-map scan alone cannot see.

Only the paragraphs that hold a candidate are parsed inline: block parsing alone decides which
paragraph (or code block, quote, heading, table) a line is in, and the inline parse of one
paragraph reads nothing of another (only the link references, which block parsing collects), so
the rest of the comment cannot change the answer. A comment of 64 KB of link brackets or
emphasis around one command costs the inline parse of the command's own paragraph only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from bot.policy.markers import defuse
from bot.rfc.config.public import DEFAULT_STATUSES

COMMAND_NAMES: tuple[str, ...] = (
    "status",
    "approve",
    "concern",
    "resolve",
    "cancel",
    "hold",
    "unhold",
    "check",
    "help",
    "number",
)
# Commands about a decision (bot.policy.decisions); each takes an optional PATH, last (or, for
# ``hold``, first: its REASON runs to the end of the line).
DECISION_COMMANDS: tuple[str, ...] = ("approve", "concern", "resolve", "cancel", "hold", "unhold")
MAX_HOLD_REASON = 200  # characters: the reason is shown in the panel and kept in the record
SUPERSEDED_BY = "superseded-by"
DEPRECATED = "deprecated"  # the status `superseded-by` goes with, in any case
# A concern's name: one word, so that a PATH after it is never mistaken for part of it.
_CONCERN_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")
_RFC_NUMBER = re.compile(r"#?([0-9]{1,9})")
_PATH_ONLY = frozenset({"approve", "cancel", "unhold"})  # decision commands with no NAME

# "/rfc" at the start of a line, as a whole word ("/rfcs" or "/rfc-bot" are not commands).
_CANDIDATE = re.compile(r"^([ \t]*)(/rfc)(?=\s|$)", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n?")
_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# The same parser without its inline pass, and the core rules that pass is (markdown-it's own
# chain after block parsing: the inline parse, then joining text runs), run on chosen
# paragraphs only.
_BLOCKS = MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("inline")
_INLINE_PASS = _MARKDOWN.core.ruler.getRules("")[
    _MARKDOWN.core.ruler.get_active_rules().index("block") + 1 :
]


@dataclass(frozen=True, slots=True)
class Command:
    """A valid command. ``args`` are normalised: a status name as the config spells it."""

    line: int  # 1-based line in the comment
    raw: str  # the line as written, without its line ending
    name: str  # one of COMMAND_NAMES
    # status: (STATUS, [PATH]); concern, resolve: (NAME, [PATH]); hold: (REASON, [PATH]), the
    # reason "" when none is given; approve, cancel, unhold: ([PATH]).
    args: tuple[str, ...] = ()
    superseded_by: int | None = None  # `/rfc status deprecated superseded-by NNNN`

    @property
    def status(self) -> str | None:
        return self.args[0] if self.name == "status" else None

    @property
    def concern(self) -> str | None:
        """The concern's name (lower case) for ``concern`` and ``resolve``."""
        return self.args[0] if self.name in ("concern", "resolve") else None

    @property
    def reason(self) -> str | None:
        """Why a ``hold`` pauses the decision ("" when not said)."""
        return self.args[0] if self.name == "hold" else None

    @property
    def path(self) -> str | None:
        """The RFC the command is about, when the comment names one."""
        first_path = 0 if self.name in _PATH_ONLY else 1
        if self.name in ("check", "help", "number") or len(self.args) <= first_path:
            return None
        return self.args[first_path]

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two commands the same command (a repeat runs once)."""
        return (self.name, *self.args, self.superseded_by)


@dataclass(frozen=True, slots=True)
class CommandError:
    """A command line that could not be understood: what was wrong and what would be valid."""

    line: int
    raw: str
    problem: str
    valid_forms: tuple[str, ...]


ParsedLine = Command | CommandError


def valid_forms(statuses: Sequence[str] = DEFAULT_STATUSES) -> tuple[str, ...]:
    """The command grammar, one form per line, with this repository's status names."""
    names = "|".join(status.lower() for status in statuses)
    return (
        f"/rfc status <{names}> [PATH]",
        f"/rfc status deprecated {SUPERSEDED_BY} NNNN [PATH]",
        "/rfc approve [PATH]",
        "/rfc concern NAME [PATH]",
        "/rfc resolve NAME [PATH]",
        "/rfc cancel [PATH]",
        "/rfc hold [PATH] [REASON...]",
        "/rfc unhold [PATH]",
        "/rfc check",
        "/rfc help",
        "/rfc number",
    )


def parse_commands(body: str, statuses: Sequence[str] = DEFAULT_STATUSES) -> list[ParsedLine]:
    """Every command line of a comment, in order, each parsed or explained as an error."""
    lines = _NEWLINE.sub("\n", body).split("\n")
    return [_parse_line(number, lines[number - 1], statuses) for number in command_lines(lines)]


def new_commands(
    old_body: str, new_body: str, statuses: Sequence[str] = DEFAULT_STATUSES
) -> list[ParsedLine]:
    """Commands of an edited comment that were not commands before the edit.

    Lines are compared by their words, ignoring spacing and case; a line repeated more often
    than before runs its extra occurrences only.
    """
    already = Counter(_line_key(parsed.raw) for parsed in parse_commands(old_body, statuses))
    fresh: list[ParsedLine] = []
    for parsed in parse_commands(new_body, statuses):
        key = _line_key(parsed.raw)
        if already[key] > 0:
            already[key] -= 1
        else:
            fresh.append(parsed)
    return fresh


def has_candidates(body: str) -> bool:
    """Cheap pre-check: could this comment hold a command at all (before markdown parsing)?"""
    return any(_CANDIDATE.match(line) for line in _NEWLINE.sub("\n", body).split("\n"))


def command_lines(lines: Sequence[str]) -> list[int]:
    """1-based numbers of the lines that are commands in the rendered comment."""
    candidates = {i: match for i, line in enumerate(lines) if (match := _CANDIDATE.match(line))}
    if not candidates:
        return []
    marker = _unused_word("rfccommand", "\n".join(lines))
    marked = list(lines)
    for index, match in candidates.items():
        marked[index] = f"{match[1]}{marker}{index}x{lines[index][match.end() :]}"
    env: dict[str, object] = {}  # the link references block parsing collects, read inline
    paragraphs = [
        token
        for token in _plain_paragraphs(_BLOCKS.parse("\n".join(marked), env))
        if marker in token.content
    ]
    state = StateCore("", _MARKDOWN, env, paragraphs)
    for rule in _INLINE_PASS:
        rule(state)
    visible = {
        word
        for paragraph in paragraphs
        for text in _plain_text(paragraph.children or [])
        for word in re.findall(rf"{marker}\d+x", text)
    }
    return [index + 1 for index in candidates if f"{marker}{index}x" in visible]


def _unused_word(stem: str, text: str) -> str:
    """A word that does not occur in ``text``, so markers can never collide with user text.

    One pass: with ``k`` occurrences of ``stem``, numbers one digit wider than ``k`` has are
    more than ``k``, so one of the first ``k + 1`` starts no digit run after ``stem``."""
    runs = [match.group(1) for match in re.finditer(re.escape(stem) + r"(\d*)", text)]
    width = len(str(len(runs))) + 1
    taken = {run[:width] for run in runs if len(run) >= width}
    number = next(n for n in range(len(runs) + 1) if f"{n:0{width}d}" not in taken)
    return f"{stem}{number:0{width}d}"


def _plain_paragraphs(tokens: Sequence[Token]) -> Iterator[Token]:
    """The inline tokens of paragraphs that are not inside a block quote (not yet parsed)."""
    quote_depth = 0
    for position, token in enumerate(tokens):
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif (
            token.type == "inline"
            and quote_depth == 0
            and position > 0
            and tokens[position - 1].type == "paragraph_open"
        ):
            yield token


def _plain_text(children: Iterable[Token]) -> Iterator[str]:
    """Text children, leaving out struck-through text (code and HTML are separate tokens)."""
    struck = 0
    for child in children:
        if child.type == "s_open":
            struck += 1
        elif child.type == "s_close":
            struck -= 1
        elif child.type == "text" and struck == 0:
            yield child.content


def _line_key(raw: str) -> str:
    return " ".join(raw.split()).lower()


def _parse_line(number: int, raw: str, statuses: Sequence[str]) -> ParsedLine:
    words = raw.split()[1:]  # drop "/rfc"
    if not words:
        problem: str | None = "a subcommand is missing after `/rfc`"
    elif words[0].lower() not in COMMAND_NAMES:
        problem = f"`{_clip(words[0])}` is not an `/rfc` subcommand"
    elif words[0].lower() == "status":
        args, superseded_by, problem = _status_args(words[1:], statuses)
        if problem is None:
            return Command(number, raw, "status", args, superseded_by)
    elif words[0].lower() in DECISION_COMMANDS:
        args, problem = _decision_args(words[0].lower(), words[1:])
        if problem is None:
            return Command(number, raw, words[0].lower(), args)
    elif len(words) > 1:
        extra = _clip(" ".join(words[1:]))
        problem = f"`/rfc {words[0].lower()}` takes no arguments, but got `{extra}`"
    else:
        return Command(number, raw, words[0].lower())
    return CommandError(number, raw, problem or "not a valid command", valid_forms(statuses))


def _status_args(
    args: list[str], statuses: Sequence[str]
) -> tuple[tuple[str, ...], int | None, str | None]:
    """(status as the config spells it, optional path), the RFC it is superseded by, or a
    problem."""
    names = ", ".join(f"`{status.lower()}`" for status in statuses)
    if not args:
        return (), None, f"`/rfc status` needs the new status: one of {names}"
    canonical = {status.lower(): status for status in statuses}.get(args[0].lower())
    if canonical is None:
        return (), None, f"`{_clip(args[0])}` is not a status; the statuses are {names}"
    rest = args[1:]
    superseded_by = None
    if rest and rest[0].lower() == SUPERSEDED_BY:
        if canonical.lower() != DEPRECATED:
            return (), None, f"`{SUPERSEDED_BY}` goes with `/rfc status deprecated`"
        number = _RFC_NUMBER.fullmatch(rest[1]) if len(rest) > 1 else None
        if number is None or int(number[1]) == 0:
            shown = f"`{_clip(rest[1])}`" if len(rest) > 1 else "nothing"
            return (
                (),
                None,
                f"`{SUPERSEDED_BY}` needs the new RFC's number, e.g. `0042`, not {shown}",
            )
        superseded_by, rest = int(number[1]), rest[2:]
    if len(rest) > 1:
        return (
            (),
            None,
            (f"`/rfc status` takes a status and at most one path, not `{_clip(rest[1])}`"),
        )
    return (canonical, *rest), superseded_by, None


def _decision_args(name: str, args: list[str]) -> tuple[tuple[str, ...], str | None]:
    """The normalised arguments of a decision command (``DECISION_COMMANDS``)."""
    if name == "hold":
        return _hold_args(args)
    if name in _PATH_ONLY:
        if len(args) > 1:
            return (), f"`/rfc {name}` takes at most one path, not `{_clip(' '.join(args))}`"
        return tuple(args), None
    if not args:
        return (), f"`/rfc {name}` needs the concern's NAME, one word such as `needs-benchmarks`"
    concern = args[0].lower()
    if len(args) > 2 or (len(args) == 2 and not _looks_like_path(args[1])):
        joined = _clip("-".join(word.lower() for word in args), 40)
        return (), (
            f"a concern's NAME is one word, then at most one path: write `/rfc {name} {joined}`"
        )
    if not _CONCERN_NAME.fullmatch(concern):
        return (), (
            f"`{_clip(args[0])}` is not a concern NAME: up to 40 letters, digits, `-`, `_` or `.`,"
            " starting with a letter or digit"
        )
    return (concern, *args[1:]), None


def _hold_args(args: list[str]) -> tuple[tuple[str, ...], str | None]:
    """(REASON, [PATH]): a first word that names an RFC file (``*.md``) is the PATH; the rest
    of the line, spacing folded, is the reason."""
    path = args[:1] if args and args[0].lower().endswith(".md") else []
    reason = " ".join(args[len(path) :])
    if len(reason) > MAX_HOLD_REASON:
        return (), (
            f"a hold's reason is at most {MAX_HOLD_REASON} characters, this one has "
            f"{len(reason):,}: shorten it, and explain at length in the thread"
        )
    return (reason, *path), None


def _looks_like_path(word: str) -> bool:
    return "/" in word or word.lower().endswith(".md")


def _clip(text: str, limit: int = 60) -> str:
    """User text quoted back in a reply: bounded, with no backtick to break the code span and
    no marker of the App's."""
    text = defuse(text.replace("`", "'"))
    return text if len(text) <= limit else text[: limit - 1] + "…"
