"""The real import graph of bot/, for the architecture tests: every import counts (module
level, inside functions, under ``if TYPE_CHECKING:``, relative ones) and so does the package
``__init__`` an import runs."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str = PACKAGE) -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / package).rglob("*.py"))}


def with_parents(name: str) -> Iterator[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


@dataclass(frozen=True)
class ImportStatement:
    """``import module`` (no names) or ``from module import names``, made absolute."""

    line: int
    module: str
    names: tuple[str, ...]


def import_statements(name: str, path: Path) -> Iterator[ImportStatement]:
    """Every import statement in the file of module ``name``, wherever it is."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (ImportStatement(node.lineno, alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield ImportStatement(node.lineno, base, tuple(alias.name for alias in node.names))


def imported_names(name: str, path: Path, known: Collection[str]) -> Iterator[str]:
    """The module each import statement in this file needs (all of them, wherever they are).

    ``from package import name`` needs ``package.name`` when that is a module (Python imports
    the submodule even while the package is half-initialised), else ``package`` itself.
    """
    for statement in import_statements(name, path):
        if not statement.names:
            yield statement.module
        for alias in statement.names:
            submodule = f"{statement.module}.{alias}"
            yield submodule if submodule in known else statement.module


def import_graph(package: str = PACKAGE) -> dict[str, set[str]]:
    """Module of ``package`` -> the modules of it that importing it runs."""
    known = modules(package)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        # The packages around a module are already importing whenever it runs, so reaching
        # them through a longer name (`bot.rfc.x.y` from `bot.rfc.x.z`) loads nothing new;
        # importing one of them by its own name still counts.
        running = set(with_parents(name))
        for target in imported_names(name, path, known):
            loaded = {module for module in with_parents(target) if module not in running}
            graph[name].update(module for module in loaded | {target} if module in known)
        graph[name].discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None. Iterative depth-first search (no recursion limit)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return [*path[path.index(target) :], target]
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(iter(sorted(graph[target])))
    return None


def fake_module(tmp_path: Path, path: Path, source: str) -> Path:
    """``source`` written to a file named like ``path``, for a self-test of a check."""
    fake = tmp_path / path.name
    fake.write_text(source, encoding="utf-8")
    return fake
