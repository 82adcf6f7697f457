"""What a runner reads back from a step: its file commands (``GITHUB_ENV``, ``GITHUB_OUTPUT``,
``GITHUB_PATH``), its annotation commands on stdout, and ``hashFiles`` over the workspace."""

from __future__ import annotations

import glob
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


@dataclass(frozen=True)
class Annotation:
    level: str
    properties: dict[str, str]
    message: str


def annotations_of(stdout: str) -> list[Annotation]:
    """The ``::error file=F,line=L::message`` commands a step printed, unescaped."""
    found = []
    for line in stdout.split("\n"):
        match = _COMMAND.match(line)
        if match:
            pairs = (item.partition("=") for item in (match[2] or "").split(",") if item)
            properties = {key: _unescape(value) for key, _, value in pairs}
            found.append(Annotation(match[1], properties, _unescape(match[3])))
    return found


def _unescape(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def read_key_values(path: Path) -> dict[str, str]:
    return parse_key_values(path.read_text(encoding="utf-8"), path.name)


def parse_key_values(text: str, where: str = "file") -> dict[str, str]:
    """``NAME=value`` lines and ``NAME<<DELIMITER`` blocks, as the runner reads them (lines
    end at "\n" only: other Unicode line breaks belong to the value)."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        if equals and "<<" not in name:
            values[name] = value
            continue
        name, _, delimiter = line.partition("<<")
        block = []
        for inner in lines:
            if inner == delimiter:
                break
            block.append(inner)
        else:
            raise ValueError(f"{where}: no closing {delimiter!r} for {name!r}")
        values[name] = "\n".join(block)
    return values


def read_paths(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def workspace_matches(workspace: Path, patterns: Iterable[str]) -> list[Path]:
    """Files matching the patterns that lie inside the workspace: ``@actions/glob`` skips any
    other ("Ignore ... since it is not under GITHUB_WORKSPACE"), absolute patterns included."""
    root = workspace.resolve()
    found: set[Path] = set()
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        absolute = pattern if Path(pattern).is_absolute() else str(root / pattern)
        for candidate in glob.glob(absolute, recursive=True):
            resolved = Path(candidate).resolve()
            if resolved.is_file() and resolved.is_relative_to(root):
                found.add(resolved)
    return sorted(found)


def hash_files(workspace: Path, patterns: Iterable[str]) -> str:
    """``hashFiles``: '' when nothing matches, else the SHA-256 of the files' SHA-256s."""
    files = workspace_matches(workspace, patterns)
    if not files:
        return ""
    outer = hashlib.sha256()
    for file in files:
        outer.update(hashlib.sha256(file.read_bytes()).digest())
    return outer.hexdigest()
