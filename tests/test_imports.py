"""No import cycle anywhere under bot/, counting every import: module level, inside functions,
under ``if TYPE_CHECKING:``, relative ones, and the package ``__init__`` an import runs."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}


def with_parents(name: str) -> Iterator[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


def imported_names(name: str, path: Path, known: Collection[str]) -> Iterator[str]:
    """The module each import statement in this file needs (all of them, wherever they are).

    ``from package import name`` needs ``package.name`` when that is a module (Python imports
    the submodule even while the package is half-initialised), else ``package`` itself.
    """
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in known else base


def import_graph() -> dict[str, set[str]]:
    known = modules()
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


def test_no_import_cycle_under_bot() -> None:
    graph = import_graph()
    assert "bot.rfc.config.public" in graph and "bot.rfc.rules.base" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = """
import bot.a
from bot import b
from . import c
from .d import thing
from bot import a
if TYPE_CHECKING:
    from bot.e import E
def later():
    from bot.f import g
"""
    path = ROOT / PACKAGE / "x" / "y.py"
    known = {"bot.a", "bot.b", "bot.x.c"}  # bot.f.g is a function, not a module
    names = set(imported_names("bot.x.y", _fake(tmp_path, path, source), known))
    assert names == {"bot.a", "bot.b", "bot.x.c", "bot.x.d", "bot.e", "bot.f"}


def _fake(tmp_path: Path, path: Path, source: str) -> Path:
    fake = tmp_path / path.name
    fake.write_text(source, encoding="utf-8")
    return fake


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a2"}, "a2": set(), "b": {"b"}}, ["b", "b"]),
        ({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}, None),  # a diamond is no cycle
    ],
)
def test_find_cycle(graph: dict[str, set[str]], cycle: list[str] | None) -> None:
    assert find_cycle(graph) == cycle


def test_a_submodule_reaches_its_own_package_only_by_name(tmp_path: Path) -> None:
    graph = import_graph()
    # fields imports config.kinds: the package is already importing, no edge back...
    assert "bot.rfc.config" not in graph["bot.rfc.config.fields"]
    # ...but importing the package itself (as rules/docs.py does) is an edge.
    assert "bot.rfc.rules" in graph["bot.rfc.rules.docs"]
    # A module elsewhere reaches every package on the way.
    assert "bot.rfc.config" in graph["bot.rfc.rules.base"]


def test_parent_packages_count() -> None:
    assert list(with_parents("bot.rfc.config.fields")) == [
        "bot",
        "bot.rfc",
        "bot.rfc.config",
        "bot.rfc.config.fields",
    ]
