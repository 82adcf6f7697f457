"""The snippets a user copies from README.md and docs/*.md: workflows (a ``yaml`` block whose
first line is ``# .github/workflows/NAME.yml``), pre-commit configurations (first line
``# .pre-commit-config.yaml``) and ``pip install`` lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.doc_examples import DOCUMENTS, ROOT

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_FILE_LINE = re.compile(r"#\s*(?P<name>\S+)")
WORKFLOW_PREFIX = ".github/workflows/"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


@dataclass(frozen=True)
class Snippet:
    document: Path
    line: int  # of the opening fence
    lang: str
    body: str

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    @property
    def file_name(self) -> str | None:
        """The file the block says it is (its first line, ``# path``), if any."""
        first = self.body.split("\n", 1)[0].strip()
        match = _FILE_LINE.fullmatch(first)
        return match["name"] if match else None

    def yaml(self) -> Any:
        return yaml.safe_load(self.body)


def snippets(documents: tuple[Path, ...] = DOCUMENTS) -> Iterator[Snippet]:
    for document in documents:
        text = document.read_text(encoding="utf-8")
        for fence in _FENCE.finditer(text):
            line = text.count("\n", 0, fence.start()) + 1
            yield Snippet(document, line, fence["lang"], fence["body"])


def workflows() -> list[Snippet]:
    return [s for s in snippets() if (s.file_name or "").startswith(WORKFLOW_PREFIX)]


def workflow(document: str, name: str) -> dict[str, Any]:
    """The workflow ``.github/workflows/NAME`` shown in ``docs/DOCUMENT``, parsed."""
    found = [
        s
        for s in workflows()
        if s.document == ROOT / document and s.file_name == WORKFLOW_PREFIX + name
    ]
    assert len(found) == 1, f"{document} shows {len(found)} workflows named {name}"
    return found[0].yaml()  # type: ignore[no-any-return]


def pre_commit_configs() -> list[Snippet]:
    return [s for s in snippets() if s.file_name == PRE_COMMIT_CONFIG]


def install_lines() -> list[tuple[Snippet, str]]:
    """Every ``pip install`` command of a shell block or a workflow's ``run:``."""
    found = []
    for snippet in snippets():
        for line in snippet.body.splitlines():
            command = line.strip().removeprefix("- run:").strip()
            if re.search(r"(^|[\s/])pip install ", command):
                found.append((snippet, command))
    return found
