"""Command examples in README.md and docs/*.md, run for real.

A fenced block marked ``console`` is an example: each line starting with ``$ `` is a command,
run by bash (``rfc-bot`` is this checkout's ``python3 -m bot``; stderr is merged into stdout),
and the lines up to the next command are its output, exactly. HTML comments right before the
fence set the scene (hidden from readers, visible in the source):

- ``<!-- example-dir: examples -->``: run in a fresh copy of that directory of the repository
  (default: an empty directory). It is made a git repository either way.
- ``<!-- example-setup: COMMAND -->``: run COMMAND there first (output not shown).
- A block of any language preceded by ``<!-- example-file: PATH -->`` is written to PATH in
  every example that follows it in the same document.

When output changes on purpose, regenerate every example in place:
``python3 -m tests.doc_examples``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_COMMENT = re.compile(r"<!--\s*example-(?P<kind>dir|setup|file):\s*(?P<value>.*?)\s*-->")
_TRAILING_COMMENTS = re.compile(r"(?:<!--[^\n]*?-->[ \t]*\n)+\Z")
_SHELL_PRELUDE = 'rfc-bot() { python3 -m bot "$@"; }\n'


@dataclass
class Example:
    document: Path
    line: int  # of the opening fence
    start: int  # offsets of the block's body in the document's text
    end: int
    body: str
    directory: str | None = None
    setup: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    def commands(self) -> list[str]:
        return [line[2:] for line in self.body.splitlines() if line.startswith("$ ")]


def _directives(text: str, fence_start: int) -> list[tuple[str, str]]:
    """The example comments on the lines right above a fence."""
    block = _TRAILING_COMMENTS.search(text[:fence_start])
    if block is None:
        return []
    return [(match["kind"], match["value"]) for match in _COMMENT.finditer(block.group())]


def examples(document: Path) -> Iterator[Example]:
    text = document.read_text(encoding="utf-8")
    files: dict[str, str] = {}
    for fence in _FENCE.finditer(text):
        directives = _directives(text, fence.start())
        if fence["lang"] != "console":
            files.update({value: fence["body"] for kind, value in directives if kind == "file"})
            continue
        yield Example(
            document,
            line=text.count("\n", 0, fence.start()) + 1,
            start=fence.start("body"),
            end=fence.end("body"),
            body=fence["body"],
            directory=next((value for kind, value in directives if kind == "dir"), None),
            setup=[value for kind, value in directives if kind == "setup"],
            files=dict(files),
        )


def unmarked_command_blocks(document: Path) -> list[str]:
    """Blocks that show a ``$ command`` but are not ``console``, so no test would run them."""
    text = document.read_text(encoding="utf-8")
    return [
        f"{document.relative_to(ROOT)}:{text.count(chr(10), 0, fence.start()) + 1}"
        for fence in _FENCE.finditer(text)
        if fence["lang"] != "console" and re.search(r"^\$ ", fence["body"], re.M)
    ]


def _scene(example: Example, where: Path) -> None:
    if example.directory is not None:
        shutil.copytree(ROOT / example.directory, where, dirs_exist_ok=True)
    for name, content in example.files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(content, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=where, check=True)
    for command in example.setup:
        _bash(command, where)


def shell(command: str, cwd: Path, *, options: tuple[str, ...] = ()) -> tuple[int, str]:
    """Run ``command`` in bash as a user would, with ``rfc-bot`` this checkout's CLI: the exit
    status and stdout with stderr merged in."""
    path = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    env = {
        "PATH": path,
        "HOME": str(cwd),
        "PYTHONPATH": str(ROOT),  # this checkout's bot, whatever is installed
        "LC_ALL": "C.UTF-8",
    }
    done = subprocess.run(
        ["bash", *options, "-c", _SHELL_PRELUDE + command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout


def _bash(command: str, cwd: Path) -> str:
    return shell(command, cwd)[1]


def run(example: Example) -> str:
    """The block as the commands really print it."""
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        _scene(example, where)
        return "".join(f"$ {command}\n{_bash(command, where)}" for command in example.commands())


def regenerate() -> int:
    changed = 0
    for document in DOCUMENTS:
        found = list(examples(document))
        text = document.read_text(encoding="utf-8")
        for example in reversed(found):  # from the end: earlier offsets stay valid
            real = run(example)
            if real != example.body:
                text = text[: example.start] + real + text[example.end :]
                changed += 1
                print(f"updated {example.where}")
        document.write_text(text, encoding="utf-8")
    print(f"{changed} example(s) updated")
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
