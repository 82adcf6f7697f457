"""How much does linting cost on top of parsing? One run prints every figure.

    python bench/bench_lint.py [--repeat 7] [--number 20] [--copies 200]

1. In process: ``lint()`` of the realistic RFC vs a bare ``MarkdownIt().parse()`` of the same
   text (best of ``--repeat`` rounds of ``--number`` calls each), and their ratio (target <= 1.2x).
2. Whole process: ``python -m bot lint`` on ``--copies`` copies of the file in a temporary dir.
3. Optional: markdownlint-cli2 on the same copies, when a local install is found
   (``MARKDOWNLINT_CLI2=/path/to/markdownlint-cli2`` or ``npx --no-install markdownlint-cli2``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from importlib import resources
from pathlib import Path

from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.rfc.config import Config  # noqa: E402
from bot.rfc.lint import lint  # noqa: E402

EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"


def sample() -> tuple[str, str]:
    """(name, text) of the realistic RFC, or of the bundled template until it exists."""
    if EXAMPLE.is_file():
        return str(EXAMPLE.relative_to(REPO)), EXAMPLE.read_text(encoding="utf-8")
    template = resources.files("bot.rfc").joinpath("template.md")
    return "bot/rfc/template.md", template.read_text(encoding="utf-8")


def best_per_call(statement: object, repeat: int, number: int) -> float:
    return min(timeit.repeat(statement, repeat=repeat, number=number)) / number  # type: ignore[arg-type]


def in_process(text: str, repeat: int, number: int) -> tuple[float, float]:
    config = Config()
    parser = MarkdownIt()
    lint("rfcs/0000-job-retries.md", text, config)  # warm caches (template, regexes)
    linted = best_per_call(lambda: lint("rfcs/0000-job-retries.md", text, config), repeat, number)
    parsed = best_per_call(lambda: parser.parse(text), repeat, number)
    return linted, parsed


def wall(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def markdownlint_command() -> list[str] | None:
    explicit = os.environ.get("MARKDOWNLINT_CLI2")
    if explicit:
        return [explicit]
    npx = shutil.which("npx")
    if npx is None:
        return None
    probe = subprocess.run(
        [npx, "--no-install", "markdownlint-cli2", "--help"], capture_output=True, check=False
    )
    return [npx, "--no-install", "markdownlint-cli2"] if probe.returncode in (0, 1) else None


def whole_process(text: str, copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rfcs = root / "rfcs"
        rfcs.mkdir()
        for index in range(copies):
            (rfcs / f"0000-copy-{index:03d}.md").write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "bot", "lint", "--format", "json", "rfcs"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        seconds, code = wall(command, root, env)
        print(f"rfc-bot lint, {copies} files, whole process: {seconds:.3f} s (exit {code})")
        print(f"  per file: {seconds / copies * 1000:.2f} ms")
        other = markdownlint_command()
        if other is None:
            print("markdownlint-cli2: not installed locally; skipped")
            return
        other_seconds, other_code = wall([*other, "rfcs/*.md"], root)
        print(f"markdownlint-cli2, {copies} files: {other_seconds:.3f} s (exit {other_code})")
        print(f"  rfc-bot / markdownlint-cli2: {seconds / other_seconds:.2f}x")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=7)
    options.add_argument("--number", type=int, default=20)
    options.add_argument("--copies", type=int, default=200)
    args = options.parse_args()

    name, text = sample()
    print(f"sample: {name} ({len(text.encode()) / 1024:.1f} KiB, {text.count(chr(10))} lines)")
    linted, parsed = in_process(text, args.repeat, args.number)
    print(f"lint():               {linted * 1000:8.3f} ms per call (best of {args.repeat})")
    print(f"MarkdownIt().parse(): {parsed * 1000:8.3f} ms per call (best of {args.repeat})")
    print(f"ratio lint/parse:     {linted / parsed:8.2f}x (target <= 1.2x)")
    whole_process(text, args.copies)


if __name__ == "__main__":
    main()
