"""Does linting stay linear on hostile input?

    python bench/bench_hostile.py [--size 25000] [--repeat 5] [--only NAME,...]

Each generated input (long delimiter runs, many headings, huge tables and metadata lines, deep
nesting, documents that follow none of the template) is linted at sizes n, 2n and 4n
characters. Per input it prints:

- growth per doubling: ``(t(4n) / t(n)) ** 0.5`` of ``lint()``; linear is 2, quadratic 4.
  Target: at most 2.2.
- ``lint()`` at 4n against a bare ``MarkdownIt().parse()`` of the same text, measured in the
  same run, interleaved. Target: at most 1.5 (a small constant).

Times are the best of ``--repeat`` rounds; a round repeats a call until it has run 20 ms.
The empty file has one size: it is compared with the lint of a complete RFC (issue: the cost
must not depend on how far a document is from the template).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from markdown_it import MarkdownIt  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402
from bot.rfc.lint import lint  # noqa: E402

EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"
LINT_PATH = "rfcs/0000-hostile.md"
GROWTH_TARGET = 2.2
RATIO_TARGET = 1.5
Generator = Callable[[int], str]

_PREAMBLE = "# Hostile\n\n**Status:** Draft\n\n## Summary\n\n"
_RISK_HEADER = "| Risk | Probability | Impact | Mitigation Strategy |\n|---|---|---|---|\n"


def _repeat(unit: Callable[[int], str], size: int, head: str = "") -> str:
    """``head`` then ``unit(0)``, ``unit(1)``, ... until the text holds ``size`` characters."""
    parts, length, index = [head], len(head), 0
    while length < size:
        piece = unit(index)
        parts.append(piece)
        length += len(piece)
        index += 1
    return "".join(parts)


def delimiter_run(character: str) -> Generator:
    """One line: a bracket, then one long run of ``character`` (the code-span case: 12 s)."""
    return lambda size: f"{_PREAMBLE}x [{character * size}] y\n"


def headings(level: int) -> Generator:
    hashes = "#" * level
    return lambda size: _repeat(lambda i: f"{hashes} Heading {i}\n\nText {i}.\n\n", size)


def h1_paragraphs(size: int) -> str:
    """Many H1s, each with a paragraph, before any H2 (document building was quadratic)."""
    return _repeat(lambda i: f"# Title {i}\n\nParagraph {i} **Key{i}:** value\n\n", size)


def preamble_metadata(size: int) -> str:
    """One long metadata paragraph of unknown and repeated keys."""
    keys = ("Status", "Statos", "Owner", "Created", "Authors")
    return _repeat(lambda i: f"**{keys[i % 5]}:** value {i}  \n", size, "# Hostile\n\n")


def near_miss_headings(size: int) -> str:
    """Headings one letter off the template's (rename suggestions compare titles)."""
    titles = ("Summery", "Goal", "Non Goals", "Scopes", "Risk and Mitigations", "Changelogs")
    return _repeat(lambda i: f"## {titles[i % 6]} {i}\n\nText.\n\n", size, _PREAMBLE)


def anagram_headings(size: int) -> str:
    """Distinct headings made of a required title's letters (the costliest to compare)."""
    word = "contextandmotivation"
    return _repeat(lambda i: f"### {word[i % 20 :]}{word[: i % 20]} {i % 97}\n\n", size, _PREAMBLE)


def table_rows(size: int) -> str:
    """The risk table with many rows, every rating wrong (a diagnostic per cell)."""
    row = "| Risk {} | Likely | 8/10 | Backoff `[x]` [Phase Name] |\n"
    head = "# Hostile\n\n## Risks and Mitigations\n\n" + _RISK_HEADER
    return _repeat(row.format, size, head)


def table_columns(size: int) -> str:
    """One table, a header of many columns and a row of escaped pipes."""
    columns = max(1, size // 12)
    return (
        "## Risks and Mitigations\n\n|"
        + "a|" * columns
        + "\n|"
        + "-|" * columns
        + "\n|"
        + "x\\|y|" * columns
        + "\n"
    )


def metadata_line(key: str, unit: Callable[[int], str]) -> Generator:
    return lambda size: _repeat(unit, size, f"# Hostile\n\n**{key}:** ")


def huge_key(size: int) -> str:
    return f"# Hostile\n\n**{'k' * size}:** value\n"


def nested_lists(size: int) -> str:
    """Blocks nested past markdown-it's limit, one after another."""
    block = "".join("  " * depth + "- item [Phase Name]\n" for depth in range(30)) + "\n"
    return _repeat(lambda _: block, size, _PREAMBLE)


def nested_quotes(size: int) -> str:
    block = "".join("> " * depth + "quote `a` [b]\n" for depth in range(1, 30)) + "\n"
    return _repeat(lambda _: block, size, _PREAMBLE)


def no_template(size: int) -> str:
    """Prose, lists and code: nothing the template asks for."""
    unit = (
        "Some prose with *emphasis*, `code` and a [link](https://example.com) {}.\n\n"
        "- a list item\n- another one\n\n```\ncode block\n```\n\n"
    )
    return _repeat(unit.format, size)


def inputs() -> dict[str, Generator]:
    found: dict[str, Generator] = {
        f"run of {c!r}": delimiter_run(c) for c in ("`", "[", "*", "_", "|", "<", "~")
    }
    found["backticks and brackets"] = lambda size: _repeat(
        lambda i: "`" * (i % 7 + 1) + "[", size, _PREAMBLE
    )
    found.update({f"H{level} headings": headings(level) for level in range(1, 7)})
    found["H1s with paragraphs"] = h1_paragraphs
    found["preamble metadata"] = preamble_metadata
    found["near-miss headings"] = near_miss_headings
    found["anagram headings"] = anagram_headings
    found["table: many rows"] = table_rows
    found["table: many columns"] = table_columns
    found["metadata: Author(s)"] = metadata_line("Author(s)", lambda i: f"Jane {i} (@j{i}), ")
    found["metadata: Target Application(s)"] = metadata_line(
        "Target Application(s)", lambda i: f"app{i}, "
    )
    found["metadata: huge key"] = huge_key
    found["nested lists"] = nested_lists
    found["nested quotes"] = nested_quotes
    found["none of the template"] = no_template
    return found


def per_call(call: Callable[[], object], repeat: int) -> float:
    """Best seconds per call over ``repeat`` rounds of at least 20 ms each."""
    best = float("inf")
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while True:
            call()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.02:
                break
        best = min(best, elapsed / calls)
    return best


@dataclass(frozen=True)
class Measured:
    name: str
    sizes: tuple[int, ...]  # characters
    linted: tuple[float, ...]  # seconds per lint() call, per size
    parsed: tuple[float, ...]  # seconds per bare parse, per size

    @property
    def growth(self) -> float:
        """Per doubling, from the smallest to the largest size."""
        doublings = len(self.sizes) - 1
        return (self.linted[-1] / self.linted[0]) ** (1 / doublings)

    @property
    def ratio(self) -> float:
        return self.linted[-1] / self.parsed[-1]


def measure_input(name: str, generate: Generator, size: int, repeat: int) -> Measured:
    config, parser = Config(), MarkdownIt()
    texts = [generate(size * factor) for factor in (1, 2, 4)]
    linted, parsed = [], []
    for text in texts:
        lint(LINT_PATH, text, config)  # warm up
        lint_time = parse_time = float("inf")
        for _ in range(repeat):  # interleaved: both see the same machine
            lint_time = min(lint_time, per_call(partial(lint, LINT_PATH, text, config), 1))
            parse_time = min(parse_time, per_call(partial(parser.parse, text), 1))
        linted.append(lint_time)
        parsed.append(parse_time)
    return Measured(name, tuple(len(t) for t in texts), tuple(linted), tuple(parsed))


def empty_file(repeat: int) -> Figure:
    config, parser = Config(), MarkdownIt()
    complete = EXAMPLE.read_text(encoding="utf-8")
    empty = per_call(lambda: lint(LINT_PATH, "", config), repeat)
    full = per_call(lambda: lint(LINT_PATH, complete, config), repeat)
    bare = per_call(lambda: parser.parse(""), repeat)
    return Figure(
        "hostile: empty file",
        empty * 1e6,
        "us",
        baseline=full * 1e6,
        target=at_most(0.1, on_ratio=True),
        note=f"baseline: lint() of {EXAMPLE.name} ({len(complete) / 1024:.0f} KiB); "
        f"a bare parse of the empty text takes {bare * 1e6:.1f} us (the floor is the ~66 "
        "diagnostics an empty RFC gets)",
    )


def figures_of(found: Measured) -> list[Figure]:
    size = f"{found.sizes[0]:,}/{found.sizes[1]:,}/{found.sizes[2]:,} chars"
    times = "/".join(f"{seconds * 1000:.2f}" for seconds in found.linted)
    return [
        Figure(
            f"hostile: {found.name}: growth",
            found.growth,
            "x",
            target=at_most(GROWTH_TARGET),
            note=f"lint() at {size}: {times} ms",
        ),
        Figure(
            f"hostile: {found.name}: vs parse",
            found.linted[-1] * 1000,
            "ms",
            baseline=found.parsed[-1] * 1000,
            target=at_most(RATIO_TARGET, on_ratio=True),
        ),
    ]


def measure(size: int = 25_000, repeat: int = 5, only: tuple[str, ...] = ()) -> list[Figure]:
    """Growth and parse ratio per hostile input, then the empty file."""
    figures: list[Figure] = []
    for name, generate in inputs().items():
        if only and name not in only:
            continue
        figures += figures_of(measure_input(name, generate, size, repeat))
    if not only or "empty file" in only:
        figures.append(empty_file(repeat))
    return figures


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size", type=int, default=25_000, help="n, in characters")
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--only", default="", help="comma-separated input names")
    args = options.parse_args()
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    print_figures(measure(args.size, args.repeat, only))


if __name__ == "__main__":
    main()
