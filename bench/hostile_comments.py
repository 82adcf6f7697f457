"""Generated pathological pull-request comments for the ``/rfc`` command parser.

Each generator takes a size in characters and returns a comment of about that size, the same on
every run. GitHub caps a comment at 65,536 characters, so the benchmark's largest size stays
under that. The parser swaps each candidate ``/rfc`` for a private marker word, renders the
comment with markdown-it and looks for the words in plain paragraph text: these inputs stress
each step (many candidates, marker-like words, every context that hides a command, inline
delimiter runs markdown-it must pair up).
"""

from __future__ import annotations

from collections.abc import Callable

Generator = Callable[[int], str]


def _repeat(unit: Callable[[int], str], size: int, head: str = "") -> str:
    """``head`` then ``unit(0)``, ``unit(1)``, ... until the text holds ``size`` characters."""
    parts, length, index = [head], len(head), 0
    while length < size:
        piece = unit(index)
        parts.append(piece)
        length += len(piece)
        index += 1
    return "".join(parts)


def command_lines(size: int) -> str:
    """A flood: every line a distinct command (each one a candidate, each one marked)."""
    return _repeat(lambda i: f"/rfc concern c{i}\n", size)


def marker_words(size: int) -> str:
    """Words that look like the parser's marker, then one command (a scan per word was 1.2 s)."""
    return _repeat(lambda i: f"rfccommand{i} ", size) + "\n\n/rfc check\n"


def fenced_commands(size: int) -> str:
    """Commands inside one long code fence: all candidates, none a command."""
    return "```\n" + _repeat(lambda i: f"/rfc approve {i}\n", size) + "```\n"


def quoted_commands(size: int) -> str:
    """Commands as lazy continuation lines of ever deeper block quotes: candidates that
    markdown-it puts inside the quotes, so none is a command."""
    return _repeat(lambda i: ">" * (i % 40 + 1) + f" quoted {i}\n/rfc approve {i}\n\n", size)


def html_comments(size: int) -> str:
    """Commands hidden in HTML comments that span lines, one after another."""
    return _repeat(lambda i: f"<!--\n/rfc status final\n{i} -->\n", size)


def struck_commands(size: int) -> str:
    """Struck-through commands: the strikethrough pairs must be matched on every line."""
    return _repeat(lambda i: f"/rfc ~~approve {i}~~ ~~x\n", size)


def backtick_run(size: int) -> str:
    """A command after one long run of backticks (the code-span case of the linter)."""
    return "`" * size + "\n/rfc check\n"


def bracket_run(size: int) -> str:
    """Unclosed link brackets, then a command: markdown-it's link lookahead."""
    return "[" * size + "\n\n/rfc check\n"


def emphasis_run(size: int) -> str:
    """Unmatched emphasis delimiters in one paragraph with a command at its end."""
    return _repeat(lambda i: "*a_ " if i % 2 else "_b* ", size, "/rfc check ") + "\n"


def long_line(size: int) -> str:
    """One command line of ``size`` characters (a status with a huge path)."""
    return "/rfc status proposed " + "x" * size + "\n"


def inputs() -> dict[str, Generator]:
    return {
        "comment: command lines": command_lines,
        "comment: marker-like words": marker_words,
        "comment: fenced commands": fenced_commands,
        "comment: quoted commands": quoted_commands,
        "comment: HTML comments": html_comments,
        "comment: struck commands": struck_commands,
        "comment: run of '`'": backtick_run,
        "comment: run of '['": bracket_run,
        "comment: emphasis runs": emphasis_run,
        "comment: one long line": long_line,
    }
