"""The layers point down, checked on the real import graph (tests/import_graph.py).

Entry points (cli) → runtime (serve) → dashboard → features → github → policy → rfc: a module
imports only modules of its own rank or lower. Besides: no module reaches a sibling through
its package's ``__init__``, a package ``__init__`` that imports its own modules only re-exports
them, the config engine is reached through its face, only bot/github/ talks to GitHub's
REST API, and the handlers take typed deliveries, never a payload.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pytest

import bot.deliveries
from tests.import_graph import (
    PACKAGE,
    ROOT,
    fake_module,
    import_graph,
    import_statements,
    imported_names,
    modules,
    with_parents,
)

# Each entry ranks the module of that name and every module under it; ``bot`` ranks the
# package ``__init__`` only. A new module needs an entry (or a package that has one).
LAYERS: Mapping[str, int] = MappingProxyType(
    {
        # 0: the bottom, anyone may import them.
        "bot": 0,
        "bot.clock": 0,
        "bot.errors": 0,
        "bot.project": 0,
        # 1: the pure RFC engine.
        "bot.rfc": 1,
        # 2: pure decisions and values over the engine (a delivery's among them); the static
        # site; the local checkout.
        "bot.policy": 2,
        "bot.values": 2,
        "bot.deliveries": 2,
        "bot.site": 2,
        "bot.local": 2,
        # 3: the only code that talks to GitHub.
        "bot.github": 3,
        # 4: the webhook features: fetch, decide, write.
        "bot.features": 4,
        # 5: the runtime: the dashboard's web side, serving, the pool, settings, logs, metrics.
        "bot.dashboard": 5,
        "bot.serve": 5,
        "bot.lint_pool": 5,
        "bot.server": 5,
        "bot.scheduler": 5,
        "bot.worker": 5,
        "bot.binding": 5,
        "bot.settings": 5,
        "bot.metrics": 5,
        "bot.logs": 5,
        "bot.supervisor": 5,
        # 6: entry points.
        "bot.cli": 6,
        "bot.__main__": 6,
        "bot.action": 6,
        "bot.register": 6,
    }
)


def rank_of(name: str, layers: Mapping[str, int] = LAYERS) -> int | None:
    """The rank of the nearest entry naming the module or a package around it, else None."""
    if name == PACKAGE:
        return layers.get(PACKAGE)
    ranks = [layers[part] for part in with_parents(name) if part in layers and part != PACKAGE]
    return ranks[-1] if ranks else None


def unranked(graph: Mapping[str, set[str]], layers: Mapping[str, int] = LAYERS) -> list[str]:
    return sorted(name for name in graph if rank_of(name, layers) is None)


def upward_edges(graph: Mapping[str, set[str]], layers: Mapping[str, int] = LAYERS) -> list[str]:
    """Every import of a module ranked above the importer, as ``a (rank 3) → b (rank 5)``."""
    edges = []
    for source in sorted(graph):
        low = rank_of(source, layers)
        for target in sorted(graph[source]):
            high = rank_of(target, layers)
            if low is not None and high is not None and high > low:
                edges.append(f"{source} (rank {low}) → {target} (rank {high})")
    return edges


def test_every_module_has_a_layer() -> None:
    missing = unranked(import_graph())
    assert not missing, (
        f"no layer for {', '.join(missing)}: add its package (or the module) to LAYERS in "
        "tests/test_layers.py, at the rank of what it is (0 bottom … 6 entry points)"
    )


def test_no_import_points_up_the_layers() -> None:
    edges = upward_edges(import_graph())
    assert not edges, "imports that point up the layers:\n" + "\n".join(edges)


def test_ranks_cover_packages_and_modules() -> None:
    assert rank_of("bot") == 0 and rank_of("bot.clock") == 0
    assert rank_of("bot.rfc.config.public") == 1
    assert rank_of("bot.github.repos") == 3
    assert rank_of("bot.cli.action") == 6
    assert rank_of("bot.newcomer") is None  # `bot` ranks its __init__ only, nothing under it


def test_an_upward_import_is_named(tmp_path: Path) -> None:
    source = "from bot.metrics import Metrics\nfrom bot.errors import UserError\n"
    path = ROOT / PACKAGE / "github" / "client.py"
    known = {"bot", "bot.github", "bot.github.client", "bot.metrics", "bot.errors"}
    names = set(imported_names("bot.github.client", fake_module(tmp_path, path, source), known))
    graph = {name: set() for name in known} | {"bot.github.client": names}
    assert upward_edges(graph) == ["bot.github.client (rank 3) → bot.metrics (rank 5)"]


def test_an_unranked_module_is_named() -> None:
    graph: dict[str, set[str]] = {"bot.rfc.lint": set(), "bot.newcomer": {"bot.rfc.lint"}}
    assert unranked(graph) == ["bot.newcomer"]
    assert upward_edges(graph) == []  # an unranked module fails the test above, not this one


# --- package faces ------------------------------------------------------------------------


def own_package_imports(name: str, path: Path) -> list[str]:
    """Imports of a package around the module: ``from bot.features import x`` inside
    bot/features/y.py runs the package's face; ``import bot.features.x`` names the sibling.
    ``bot`` itself is the bottom (the version, the project's URLs): anyone may import it."""
    around = set(list(with_parents(name))[:-1]) - {PACKAGE}
    return [
        f"{name}:{statement.line}: imports its own package {statement.module}"
        for statement in import_statements(name, path)
        if statement.module in around
    ]


def face_breaches(name: str, path: Path) -> list[str]:
    """What a package ``__init__`` that imports its own modules does besides re-exporting
    them (a docstring, imports and ``__all__`` only): it must not be where siblings meet."""
    if path.name != "__init__.py":
        return []
    own = [
        statement
        for statement in import_statements(name, path)
        if statement.module == name or statement.module.startswith(f"{name}.")
    ]
    if not own:
        return []
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return [
        f"{name}:{node.lineno}: a package face only re-exports ({type(node).__name__})"
        for index, node in enumerate(body)
        if not _is_face_statement(node, is_first=index == 0)
    ]


def _is_face_statement(node: ast.stmt, *, is_first: bool) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return True
    if is_first and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return isinstance(node.value.value, str)  # the docstring
    targets = node.targets if isinstance(node, ast.Assign) else []
    return [ast.unparse(target) for target in targets] == ["__all__"]


def test_no_module_imports_its_own_package() -> None:
    found = [line for name, path in modules().items() for line in own_package_imports(name, path)]
    assert not found, (
        "import the sibling by its full name (`import bot.p.x` / `from bot.p.x import thing`), "
        "not through the package:\n" + "\n".join(found)
    )


def test_a_package_init_is_a_face() -> None:
    found = [line for name, path in modules().items() for line in face_breaches(name, path)]
    assert not found, "move this into a module of the package:\n" + "\n".join(found)


def test_own_package_imports_are_caught(tmp_path: Path) -> None:
    source = """
from bot.x import z
from . import w
import bot.x
from bot.x.z import thing
import bot.x.z
from bot import __version__
from bot.other import q
from .z import thing
"""
    path = fake_module(tmp_path, ROOT / PACKAGE / "x" / "y.py", source)
    assert own_package_imports("bot.x.y", path) == [
        "bot.x.y:2: imports its own package bot.x",
        "bot.x.y:3: imports its own package bot.x",
        "bot.x.y:4: imports its own package bot.x",
    ]


@pytest.mark.parametrize(
    ("source", "breaches"),
    [
        (
            '"""Doc."""\nfrom bot.x import a\nfrom bot.x.b import b\n__all__ = ["a", "b"]\n',
            [],
        ),
        ('"""Doc."""\nVERSION = "1"\n', []),  # no module of its own: nothing to re-export
        (
            "from bot.x import a, b\nrouter = compose(a.router, b.router)\n",
            ["bot.x:2: a package face only re-exports (Assign)"],
        ),
        (
            "from . import a\ndef check() -> None: ...\n",
            ["bot.x:2: a package face only re-exports (FunctionDef)"],
        ),
    ],
)
def test_a_package_init_that_composes_is_caught(
    tmp_path: Path, source: str, breaches: list[str]
) -> None:
    path = fake_module(tmp_path, ROOT / PACKAGE / "x" / "__init__.py", source)
    assert face_breaches("bot.x", path) == breaches


# --- the config engine's face -------------------------------------------------------------

CONFIG = "bot.rfc.config"
CONFIG_FACE = "bot.rfc.config.public"
# The rule registry imports these, and the face imports the registry: they take the field
# table instead (see bot/rfc/config/__init__.py).
CONFIG_TABLE = "bot.rfc.config.fields"
CONFIG_TABLE_USERS = frozenset(
    {"bot.rfc.rules.base", "bot.rfc.paths", "bot.rfc.workflow", "bot.rfc.template"}
)


def config_face_breaches(graph: Mapping[str, set[str]]) -> list[str]:
    """Imports of the config engine's insides from outside it, past its face."""
    found = []
    for source in sorted(graph):
        if source == CONFIG or source.startswith(f"{CONFIG}."):
            continue
        allowed = {CONFIG_FACE, *([CONFIG_TABLE] if source in CONFIG_TABLE_USERS else [])}
        found += [
            f"{source} → {target}"
            for target in sorted(graph[source])
            if target.startswith(f"{CONFIG}.") and target not in allowed
        ]
    return found


def test_the_config_engine_is_reached_through_its_face() -> None:
    found = config_face_breaches(import_graph())
    assert not found, f"import {CONFIG_FACE} instead:\n" + "\n".join(found)


def test_a_reach_past_the_config_face_is_caught() -> None:
    graph = {
        "bot.policy.panel": {"bot.rfc.config", "bot.rfc.config.fields"},
        "bot.policy.check": {"bot.rfc.config", "bot.rfc.config.public"},
        "bot.rfc.rules.base": {"bot.rfc.config", "bot.rfc.config.fields"},
        "bot.rfc.config.public": {"bot.rfc.config.fields"},
    }
    assert config_face_breaches(graph) == ["bot.policy.panel → bot.rfc.config.fields"]


# --- GitHub's REST API: only bot/github/ ---------------------------------------------------

# gidgethub's request methods.
RAW_CALLS = frozenset({"getitem", "getiter", "post", "patch", "put", "delete"})
# Receivers of those names that are not GitHub clients: aiohttp's request (its form), queues.
NOT_GITHUB = frozenset({"request", "inbox", "self._queue"})
# A REST path, alone or after a base URL (GitHub's web pages, /installations/new or
# /apps/<slug>, are links, not requests).
API_PATH = re.compile(r"/(?:repos|orgs|users?|app|app-manifests|installation)(?:[/?{]|$)")


def raw_github_requests(source: str, where: str) -> list[str]:
    """Raw client calls and REST paths in one file's source, in line order."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in RAW_CALLS:
            if ast.unparse(node.value) not in NOT_GITHUB:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and API_PATH.match(str(node.value)):
            found.append((node.lineno, repr(node.value)))
    return [f"{where}:{line}: {what}" for line, what in sorted(found, key=lambda item: item[0])]


def test_only_bot_github_makes_raw_github_requests() -> None:
    """Every request goes through ``bot/github``'s typed calls: nothing else calls the
    client's raw methods or builds an API path."""
    github = ROOT / PACKAGE / "github"
    found = [
        line
        for path in sorted((ROOT / PACKAGE).rglob("*.py"))
        if github not in path.parents
        for line in raw_github_requests(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]
    assert found == [], "move the request into a typed call in bot/github/:\n" + "\n".join(found)


def test_raw_github_requests_are_caught() -> None:
    source = """
async def f(gh, self, request, repo, base, client, new):
    await gh.getitem(f"/repos/{repo}")
    await client.post("/app/installations")
    await self.gh.delete(f"{base}/user")
    "/installation/repositories{?per_page}"
    f"{base}/app-manifests/{repo}/conversions"
    await request.post()
    f"{new.html_url}/installations/new"
    "/apps/rfc-bot"
"""
    assert raw_github_requests(source, "x.py") == [
        "x.py:3: gh.getitem",
        "x.py:3: '/repos/'",
        "x.py:4: client.post",
        "x.py:4: '/app/installations'",
        "x.py:5: self.gh.delete",
        "x.py:5: '/user'",
        "x.py:6: '/installation/repositories{?per_page}'",
        "x.py:7: '/app-manifests/'",
    ]


# --- handlers take typed deliveries ---------------------------------------------------------

# What a handler's first parameter may be: a kind of ``bot.deliveries.Delivery``.
DELIVERY_KINDS = frozenset(
    name
    for name, value in vars(bot.deliveries).items()
    if isinstance(value, type) and issubclass(value, bot.deliveries.Delivery)
)


def payload_reads(source: str, where: str) -> list[str]:
    """Reads of a payload (``x.data``) and handlers registered on a router that do not take a
    typed delivery, in line order."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "data":
            found.append((node.lineno, f"reads {ast.unparse(node)}"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_handler(node):
            first = node.args.args[0] if node.args.args else None
            annotation = ast.unparse(first.annotation) if first and first.annotation else ""
            if annotation not in DELIVERY_KINDS:
                found.append((node.lineno, f"handler {node.name} takes {annotation or '?'}"))
    return [f"{where}:{line}: {what}" for line, what in sorted(found, key=lambda item: item[0])]


def _is_handler(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith(".register")
        for decorator in node.decorator_list
    )


def test_handlers_take_typed_deliveries_and_never_read_a_payload() -> None:
    """The payload is read once, at dispatch (``bot.features.handling``): nothing under
    bot/features/ reads ``event.data``, and every handler takes a kind of delivery."""
    features = ROOT / PACKAGE / "features"
    found = [
        line
        for path in sorted(features.rglob("*.py"))
        for line in payload_reads(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]
    assert found == [], "read the typed delivery (bot/deliveries.py) instead:\n" + "\n".join(found)


def test_payload_reads_are_caught() -> None:
    source = """
@router.register("pull_request", action="opened")
async def typed(delivery: PullDelivery, gh, ctx): ...
@router.register("issue_comment")
async def raw(event: sansio.Event, gh, ctx):
    pull = Pull.from_json(event.data["pull_request"])
def helper(delivery):
    return delivery.data.get("changes")
"""
    assert payload_reads(source, "x.py") == [
        "x.py:5: handler raw takes sansio.Event",
        "x.py:6: reads event.data",
        "x.py:8: reads delivery.data",
    ]
