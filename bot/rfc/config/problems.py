"""What is wrong with a config file: every problem, each with its file, line and key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

# A file with more problems than this is not a file someone meant as config; stop reading it.
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing to fix. ``str()`` reads ``source:line: key: message``."""

    source: str
    line: int | None  # 1-based; None when the problem has no place (e.g. an unreadable stream)
    key: str | None  # dotted for nested keys (``labels.rfc``); None for YAML syntax errors
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """A config file that cannot be used, with every problem found in it, in file order.

    ``.problems`` holds them all; ``.source``, ``.line``, ``.key`` and ``.message`` are the
    first one's, for a caller that has room for one. ``str()`` is one problem per line.
    """

    def __init__(
        self, source: str, line: int | None, key: str | None, message: str, *more: ConfigProblem
    ) -> None:
        self.problems: tuple[ConfigProblem, ...] = (
            ConfigProblem(source, line, key, message),
            *more,
        )
        self.source, self.line, self.key, self.message = source, line, key, message
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def of(cls, problems: Sequence[ConfigProblem]) -> ConfigError:
        """The error for a non-empty list of problems."""
        first, *more = problems
        return cls(first.source, first.line, first.key, first.message, *more)

    def __reduce__(self) -> tuple[object, tuple[tuple[ConfigProblem, ...]]]:
        # Exceptions pickle by their args; ours are built from problems (a worker may raise it).
        return (ConfigError.of, (self.problems,))


def source_of(node: yaml.Node, default: str) -> str:
    """The file a node was read from: its mark's name, unless PyYAML's own ``<...>``."""
    name = getattr(node.start_mark, "name", None)
    return name if isinstance(name, str) and name and not name.startswith("<") else default


class TooManyProblems(Exception):
    """Raised by Problems once it holds MAX_PROBLEMS; the reader stops and reports them."""


class Problems:
    """The problems found so far while one file, or files merged by ``_extends``, are read.

    A node composed by ``layers.compose`` carries its file's name in its mark, so a problem is
    told in the file that holds the value; ``sources`` orders the files (nearest first).
    """

    def __init__(self, source: str, sources: Sequence[str] = ()) -> None:
        self.source = source
        self.sources = tuple(sources) or (source,)
        self.found: list[ConfigProblem] = []

    def add(self, node: yaml.Node | None, key: str | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        source = self.source if node is None else source_of(node, self.source)
        self.found.append(ConfigProblem(source, line, key, message))
        if len(self.found) >= MAX_PROBLEMS:
            raise TooManyProblems

    def error(self) -> ConfigError | None:
        """All problems in file order (stable for problems on one line), or None."""
        if not self.found:
            return None
        rank = {source: index for index, source in enumerate(self.sources)}
        ordered = sorted(
            self.found,
            key=lambda problem: (rank.get(problem.source, len(rank)), problem.line or 0),
        )
        if len(ordered) >= MAX_PROBLEMS:
            last = ConfigProblem(self.source, None, None, f"stopped after {MAX_PROBLEMS} problems")
            ordered.append(last)
        return ConfigError.of(ordered)
