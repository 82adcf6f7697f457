"""How much does linting cost on top of parsing, and next to markdownlint-cli2?

    python bench/bench_lint.py [--repeat 7] [--number 20] [--copies 200] [--runs 3]
                               [--markdownlint-prefix DIR]

1. In process: ``lint()`` of the realistic RFC vs a bare ``MarkdownIt().parse()`` of the same
   text (best of ``--repeat`` rounds of ``--number`` calls each); target lint <= 1.2x parse.
2. Whole process: ``python -m bot lint`` on ``--copies`` copies of the file in a temporary
   directory (start-up included), best of ``--runs``.
3. markdownlint-cli2 on the same copies, when an executable is found: ``MARKDOWNLINT_CLI2``
   or ``DIR/node_modules/.bin/markdownlint-cli2`` (``npm install --prefix DIR
   markdownlint-cli2``). It gets a config with only MD043 (required headings) on, listing the
   template's required headings, so both tools check the same thing. Target: rfc-bot at least
   3x faster (ratio <= 0.33).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from markdown_it import MarkdownIt  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402
from bot.rfc.lint import lint  # noqa: E402
from bot.rfc.template import required_sections  # noqa: E402

EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"
LINT_PATH = "rfcs/0000-job-retries.md"


def sample() -> tuple[str, str]:
    """(name, text) of the realistic RFC, or of the bundled template if it is missing."""
    if EXAMPLE.is_file():
        return str(EXAMPLE.relative_to(REPO)), EXAMPLE.read_text(encoding="utf-8")
    template = resources.files("bot.rfc").joinpath("template.md")
    return "bot/rfc/template.md", template.read_text(encoding="utf-8")


def best_per_call(statement: Callable[[], object], repeat: int, number: int) -> float:
    return min(timeit.repeat(statement, repeat=repeat, number=number)) / number


def in_process(text: str, repeat: int, number: int) -> tuple[float, float]:
    """(lint seconds, parse seconds) per call."""
    config = Config()
    parser = MarkdownIt()
    lint(LINT_PATH, text, config)  # warm caches (template, regexes)
    linted = best_per_call(lambda: lint(LINT_PATH, text, config), repeat, number)
    parsed = best_per_call(lambda: parser.parse(text), repeat, number)
    return linted, parsed


@dataclass(frozen=True)
class Run:
    seconds: float
    code: int
    output: str


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return Run(time.perf_counter() - start, done.returncode, done.stdout + done.stderr)


def markdownlint_executable(prefix: Path | None) -> Path | None:
    """markdownlint-cli2 from ``MARKDOWNLINT_CLI2`` or under ``prefix``; never via npx."""
    explicit = os.environ.get("MARKDOWNLINT_CLI2")
    candidates = [Path(explicit)] if explicit else []
    if prefix is not None:
        candidates.append(prefix / "node_modules" / ".bin" / "markdownlint-cli2")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def markdownlint_config() -> dict[str, object]:
    """Only MD043, with the template's required headings in order ("*": anything between)."""
    headings: list[str] = ["*"]
    for spec in required_sections(Config()):
        headings += [f"{'#' * (spec.level or 2)} {spec.title}", "*"]
    return {"config": {"default": False, "MD043": {"headings": headings}}}


def check_markdownlint_ran(run: Run, copies: int) -> None:
    """Exit 0 (clean) or 1 (findings), having linted every copy: else it timed something else."""
    linted = re.search(r"Linting: (\d+) file\(s\)", run.output)
    if run.code not in (0, 1) or linted is None or int(linted[1]) != copies:
        raise RuntimeError(f"markdownlint-cli2 did not lint them (exit {run.code}):\n{run.output}")


def write_copies(root: Path, text: str, copies: int) -> None:
    rfcs = root / "rfcs"
    rfcs.mkdir()
    for index in range(copies):
        (rfcs / f"0000-copy-{index:03d}.md").write_text(text, encoding="utf-8")
    (root / ".markdownlint-cli2.jsonc").write_text(json.dumps(markdownlint_config()))


def whole_process(
    text: str, copies: int, runs: int, other: Path | None
) -> tuple[float, float | None]:
    """Best wall-clock seconds of rfc-bot and (if found) markdownlint-cli2, runs interleaved."""
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_copies(root, text, copies)
        command = [sys.executable, "-m", "bot", "lint", "--format", "json", "rfcs"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        for _ in range(runs):
            run = timed(command, root, env)
            if run.code not in (0, 1):
                raise RuntimeError(f"rfc-bot lint failed (exit {run.code}):\n{run.output}")
            ours.append(run.seconds)
            if other is not None:
                run = timed([str(other), "rfcs/*.md"], root)
                check_markdownlint_ran(run, copies)
                theirs.append(run.seconds)
    return min(ours), min(theirs) if theirs else None


def measure(
    repeat: int = 7,
    number: int = 20,
    copies: int = 200,
    runs: int = 3,
    markdownlint_prefix: Path | None = None,
) -> list[Figure]:
    """Lint figures: lint() vs parse (target), whole process vs markdownlint-cli2 (target)."""
    name, text = sample()
    linted, parsed = in_process(text, repeat, number)
    other = markdownlint_executable(markdownlint_prefix)
    ours, theirs = whole_process(text, copies, runs, other)
    size = f"{name}, {len(text.encode()) / 1024:.1f} KiB"
    versus = (
        f"baseline: markdownlint-cli2 ({other}) with only MD043 (required headings) on"
        if other is not None
        else "markdownlint-cli2 not found (MARKDOWNLINT_CLI2 or --markdownlint-prefix): no baseline"
    )
    return [
        Figure(
            "lint(): one RFC, in process",
            linted * 1000,
            "ms",
            baseline=parsed * 1000,
            target=at_most(1.2, on_ratio=True),
            note=f"{size}; best of {repeat}x{number} calls; baseline: MarkdownIt().parse()",
        ),
        Figure(
            f"rfc-bot lint: {copies} files, whole process",
            ours,
            "s",
            baseline=theirs,
            target=at_most(round(1 / 3, 3), on_ratio=True),
            note=f"copies of {size}; best of {runs} runs, start-up included; {versus}",
        ),
    ]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=7)
    options.add_argument("--number", type=int, default=20)
    options.add_argument("--copies", type=int, default=200)
    options.add_argument("--runs", type=int, default=3, help="whole-process runs (best is kept)")
    options.add_argument("--markdownlint-prefix", type=Path, help="an npm --prefix directory")
    args = options.parse_args()
    figures = measure(args.repeat, args.number, args.copies, args.runs, args.markdownlint_prefix)
    print_figures(figures)


if __name__ == "__main__":
    main()
