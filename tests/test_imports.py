"""No import cycle anywhere under bot/, counting every import: module level, inside functions,
under ``if TYPE_CHECKING:``, relative ones, and the package ``__init__`` an import runs
(the graph: tests/import_graph.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import (
    PACKAGE,
    ROOT,
    fake_module,
    find_cycle,
    import_graph,
    imported_names,
    with_parents,
)


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
    names = set(imported_names("bot.x.y", fake_module(tmp_path, path, source), known))
    assert names == {"bot.a", "bot.b", "bot.x.c", "bot.x.d", "bot.e", "bot.f"}


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
    # ...but importing the package itself by its name is an edge (a fake rules/docs.py).
    path = fake_module(tmp_path, ROOT / PACKAGE / "rfc" / "rules" / "docs.py",
                       "from bot.rfc.rules import RULES\n")  # fmt: skip
    known = {"bot.rfc.rules", "bot.rfc.rules.docs"}
    assert set(imported_names("bot.rfc.rules.docs", path, known)) == {"bot.rfc.rules"}
    # A module elsewhere reaches every package on the way.
    assert "bot.rfc.config" in graph["bot.rfc.rules.base"]


def test_parent_packages_count() -> None:
    assert list(with_parents("bot.rfc.config.fields")) == [
        "bot",
        "bot.rfc",
        "bot.rfc.config",
        "bot.rfc.config.fields",
    ]
