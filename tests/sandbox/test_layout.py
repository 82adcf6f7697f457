"""No import cycle among the simulator's modules (every import counts, as under bot/), no
package ``__init__`` that imports anything, and no route registered outside the route table."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.import_graph import ROOT, find_cycle
from tests.import_graph import import_graph as package_graph
from tests.import_graph import modules as all_modules

PACKAGE = ROOT / "sandbox"
ROUTE_TABLE = PACKAGE / "routes" / "table.py"
REGISTERING = frozenset({"router", "add_route", "add_get", "add_post", "add_routes"})


def modules() -> dict[str, Path]:
    return all_modules("sandbox")


def import_graph() -> dict[str, set[str]]:
    """Module -> the sandbox modules importing it runs."""
    return package_graph("sandbox")


def test_no_import_cycle_under_sandbox() -> None:
    graph = import_graph()
    assert "sandbox.simulator" in graph and "sandbox.routes.table" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_every_route_module_is_in_the_table() -> None:
    graph = import_graph()
    routes = {name for name in graph if name.startswith("sandbox.routes.")}
    assert routes - graph["sandbox.routes.table"] == {"sandbox.routes.table"}


def test_package_faces_import_nothing() -> None:
    for path in PACKAGE.rglob("__init__.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        assert not imports, f"{path.relative_to(ROOT)} imports: it is a face, no meeting place"


def test_only_the_route_table_registers_routes() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == ROUTE_TABLE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} & REGISTERING
        assert not used, f"{path.relative_to(ROOT)} registers routes ({sorted(used)})"
