"""Do linting and the ``/rfc`` command parser stay linear on hostile input?

    python bench/bench_hostile.py [--size 12500] [--comment-size 8000] [--repeat 3]
                                  [--only NAME,...]

A growth table: each generated input (documents for ``lint()``: long delimiter runs, many
headings, huge tables and metadata lines, deep nesting, documents that follow none of the
template, the shapes of bench/unusual_corpus.py; comments for the command parser, from
bench/hostile_comments.py) is timed at n, 2n, 4n and 8n characters, with the ratio per doubling
between each size and the next (scaled to an exact doubling of the text's length): 2 is linear,
4 quadratic. A figure per input: its growth from n to 8n per doubling. Target: at most 2.2.

Besides: ``lint()`` at 8n against a bare ``MarkdownIt().parse()`` of the same text, per
document input (target at most 1.5, a small constant); the median of ``lint()`` over a bare
parse across the unusual corpus (target at most 1.0: one parse); the empty file against the
complete example RFC.

Times are CPU time per call (the process's own, so other jobs on a shared machine do not
count), the best of ``--repeat`` rounds of at least 20 ms; lint and parse rounds alternate, and
the garbage collector is paused while a round runs (it is collected before), so a doubling
measures the code, not when a collection happens to fall.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from markdown_it import MarkdownIt  # noqa: E402

from bench import hostile_comments  # noqa: E402
from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bench.unusual_corpus import SHAPES, corpus  # noqa: E402
from bot.policy.commands import parse_commands  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402
from bot.rfc.lint import lint  # noqa: E402

EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"
LINT_PATH = "rfcs/0000-hostile.md"
GROWTH_TARGET = 2.2
RATIO_TARGET = 1.5
UNUSUAL_TARGET = 1.0
FACTORS = (1, 2, 4, 8)
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


def document_inputs() -> dict[str, Generator]:
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
    for shape, generate in SHAPES.items():
        found[f"unusual: {shape}"] = partial(_shaped, generate, shape)
    return found


def _shaped(generate: Callable[[random.Random, int], str], shape: str, size: int) -> str:
    """An unusual corpus shape at ``size`` characters, from a seed fixed per shape and size."""
    return generate(random.Random(f"{shape}-{size}"), size)


def per_call(call: Callable[[], object], repeat: int) -> float:
    """Best CPU seconds per call over ``repeat`` rounds of at least 20 ms each, GC paused."""
    best = float("inf")
    for _ in range(repeat):
        with _gc_paused():
            calls, start = 0, time.process_time()
            while True:
                call()
                calls += 1
                elapsed = time.process_time() - start
                if elapsed >= 0.02:
                    break
        best = min(best, elapsed / calls)
    return best


@contextmanager
def _gc_paused() -> Iterator[None]:
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class Growth:
    """One input timed at n, 2n, 4n, 8n (``parsed``: a bare parse of each, for documents)."""

    name: str
    sizes: tuple[int, ...]  # characters
    times: tuple[float, ...]  # seconds per call, per size
    parsed: tuple[float, ...] = ()

    @property
    def per_doubling(self) -> tuple[float, ...]:
        """t(next) / t(this), scaled to an exact doubling of the length."""
        return tuple(
            _per_doubling(self.sizes[i], self.sizes[i + 1], self.times[i], self.times[i + 1])
            for i in range(len(self.sizes) - 1)
        )

    @property
    def growth(self) -> float:
        """Per doubling, from the smallest size to the largest."""
        return _per_doubling(self.sizes[0], self.sizes[-1], self.times[0], self.times[-1])

    @property
    def ratio(self) -> float | None:
        return self.times[-1] / self.parsed[-1] if self.parsed else None


def _per_doubling(size: int, larger: int, time_: float, later: float) -> float:
    doublings = math.log2(larger / size) if larger > size else 1.0
    return (later / time_) ** (1 / doublings)


def measure_lint(name: str, generate: Generator, size: int, repeat: int) -> Growth:
    config, parser = Config(), MarkdownIt()
    texts = [generate(size * factor) for factor in FACTORS]
    linted, parsed = [], []
    for text in texts:
        lint(LINT_PATH, text, config)  # warm up
        lint_time = parse_time = float("inf")
        for _ in range(repeat):  # alternated: both see the same machine
            lint_time = min(lint_time, per_call(partial(lint, LINT_PATH, text, config), 1))
            parse_time = min(parse_time, per_call(partial(parser.parse, text), 1))
        linted.append(lint_time)
        parsed.append(parse_time)
    return Growth(name, tuple(len(t) for t in texts), tuple(linted), tuple(parsed))


def measure_commands(name: str, generate: Generator, size: int, repeat: int) -> Growth:
    texts = [generate(size * factor) for factor in FACTORS]
    times = []
    for text in texts:
        parse_commands(text)  # warm up
        times.append(per_call(partial(parse_commands, text), repeat))
    return Growth(name, tuple(len(t) for t in texts), tuple(times))


def growth_table(found: list[Growth]) -> str:
    """Input, n, time at n, 2n, 4n, 8n, the ratio per doubling, the growth and its target."""
    rows = [("input", "n chars", "t(n)", "t(2n)", "t(4n)", "t(8n)", "x per doubling", "growth")]
    for item in found:
        met = "yes" if item.growth <= GROWTH_TARGET else "NO"
        rows.append(
            (
                item.name,
                f"{item.sizes[0]:,}",
                *(_duration(seconds) for seconds in item.times),
                " ".join(f"{ratio:.2f}" for ratio in item.per_doubling),
                f"{item.growth:.2f} ({met})",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]  # fmt: skip
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    title = (
        f"Growth per doubling (2 = linear, 4 = quadratic; target: growth <= {GROWTH_TARGET}), "
        "CPU time per call:"
    )
    return "\n".join([title, "", *lines])


def _duration(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f} us"


def figures_of(found: Growth) -> list[Figure]:
    sizes = "/".join(f"{size:,}" for size in found.sizes)
    doubling = ", ".join(f"{ratio:.2f}" for ratio in found.per_doubling)
    figures = [
        Figure(
            f"hostile: {found.name}: growth",
            found.growth,
            "x",
            target=at_most(GROWTH_TARGET),
            note=f"{sizes} chars; per doubling {doubling}",
        )
    ]
    if found.parsed:
        figures.append(
            Figure(
                f"hostile: {found.name}: vs parse",
                found.times[-1] * 1000,
                "ms",
                baseline=found.parsed[-1] * 1000,
                target=at_most(RATIO_TARGET, on_ratio=True),
            )
        )
    return figures


def unusual_corpus(repeat: int) -> Figure:
    """The median over bench/unusual_corpus.py of lint() against a bare parse."""
    config, parser = Config(), MarkdownIt()
    ratios: list[tuple[float, str]] = []
    for name, text in corpus():
        lint(LINT_PATH, text, config)  # warm up
        lint_time = parse_time = float("inf")
        for _ in range(repeat):
            lint_time = min(lint_time, per_call(partial(lint, LINT_PATH, text, config), 1))
            parse_time = min(parse_time, per_call(partial(parser.parse, text), 1))
        ratios.append((lint_time / parse_time, name))
    ratios.sort()
    low, high = ratios[0], ratios[-1]
    return Figure(
        "lint vs bare parse, median over the unusual corpus",
        statistics.median(ratio for ratio, _ in ratios),
        "x",
        target=at_most(UNUSUAL_TARGET),
        note=f"{len(ratios)} documents far from the template (bench/unusual_corpus.py: ADR, "
        f"PEP, Rust RFC and KEP shapes, big tables, hundreds of headings, long front matter, HTML "
        f"blocks, long lists, deep nesting; 4-60 KB); lint()/parse() from {low[0]:.2f} "
        f"({low[1]}) to {high[0]:.2f} ({high[1]})",
    )


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
        f"a bare parse of the empty text takes {bare * 1e6:.1f} us (an empty file gets one "
        "diagnostic, file-empty)",
    )


def measure(
    size: int = 12_500,
    repeat: int = 3,
    only: tuple[str, ...] = (),
    comment_size: int | None = None,
    show_table: bool = True,
) -> list[Figure]:
    """The growth of every hostile input (the table printed when ``show_table``), its figures,
    then the unusual corpus and the empty file. Comments start at ``comment_size`` characters
    (by default ``size``, at most 8,000: 8n stays under GitHub's 64 KB limit)."""
    comment_size = comment_size or min(size, 8_000)
    found = [
        measure_lint(name, generate, size, repeat)
        for name, generate in document_inputs().items()
        if not only or name in only
    ]
    found += [
        measure_commands(name, generate, comment_size, repeat)
        for name, generate in hostile_comments.inputs().items()
        if not only or name in only
    ]
    if show_table and found:
        print(growth_table(found), end="\n\n", flush=True)
    figures = [figure for item in found for figure in figures_of(item)]
    if not only or "unusual corpus" in only:
        figures.append(unusual_corpus(repeat))
    if not only or "empty file" in only:
        figures.append(empty_file(repeat))
    return figures


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size", type=int, default=12_500, help="n for documents, characters")
    options.add_argument("--comment-size", type=int, help="n for comments (default 8,000)")
    options.add_argument("--repeat", type=int, default=3)
    options.add_argument("--only", default="", help="comma-separated input names")
    args = options.parse_args()
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    print_figures(measure(args.size, args.repeat, only, args.comment_size))


if __name__ == "__main__":
    main()
