"""The App's Context is built once, complete, and never changed after: nothing under bot/
assigns to an attribute of a context (``ctx.x = ...``, ``self.context.x = ...``,
``setattr(ctx, ...)``), checked on the source. Its caches change; the Context does not.

A name counts as a context when it is called ``ctx`` or ``context``, or is reached as the
attribute ``.ctx`` / ``.context`` of something else, unless the function that binds it
annotates it with another type (the lint engine's ``ctx: LintContext`` is not the App's).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.import_graph import PACKAGE, ROOT, fake_module, modules

CONTEXT_NAMES = frozenset({"ctx", "context"})


class _ContextAssignments(ast.NodeVisitor):
    """Collects ``module:line: target`` for every assignment to a context's attribute."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[str] = []
        self._other_types: list[set[str]] = [set()]  # per function: names typed otherwise

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
        typed_otherwise = {
            arg.arg for arg in every if arg.annotation and not _names_context(arg.annotation)
        }
        self._other_types.append((self._other_types[-1] - {a.arg for a in every}) | typed_otherwise)
        self.generic_visit(node)
        self._other_types.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        setter = (isinstance(func, ast.Name) and func.id in {"setattr", "delattr"}) or (
            isinstance(func, ast.Attribute) and func.attr in {"__setattr__", "__delattr__"}
        )
        if setter and node.args and self._is_context(node.args[0]):
            self.found.append(f"{self.name}:{node.lineno}: {ast.unparse(node)}")
        self.generic_visit(node)

    def _target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._target(element)
        elif isinstance(target, ast.Starred):
            self._target(target.value)
        elif isinstance(target, ast.Attribute) and self._is_context(target.value):
            self.found.append(f"{self.name}:{target.lineno}: {ast.unparse(target)}")

    def _is_context(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in CONTEXT_NAMES and node.id not in self._other_types[-1]
        return isinstance(node, ast.Attribute) and node.attr in CONTEXT_NAMES


def _names_context(annotation: ast.expr) -> bool:
    """Whether an annotation mentions the App's ``Context`` (also quoted, or ``| None``)."""
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Context":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _names_context(ast.parse(node.value, mode="eval").body)
    return False


def context_assignments(name: str, path: Path) -> list[str]:
    finder = _ContextAssignments(name)
    finder.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return finder.found


def test_nothing_under_bot_assigns_to_a_context() -> None:
    found = [line for name, path in modules().items() for line in context_assignments(name, path)]
    assert not found, (
        "a Context is built once, complete, and never changed: build the one you need "
        "(or use dataclasses.replace), and keep what changes in its caches:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def f(ctx: Context) -> None:\n    ctx.clock = now\n", ["bot.x:2: ctx.clock"]),
        ("context.lint = pool.lint\n", ["bot.x:1: context.lint"]),
        ("app[DISPATCHER].context.lint = pool.lint\n", ["bot.x:1: app[DISPATCHER].context.lint"]),
        ("self.ctx.app_id, n = 1, 2\n", ["bot.x:1: self.ctx.app_id"]),
        ("ctx.announce_after_seconds += 1\n", ["bot.x:1: ctx.announce_after_seconds"]),
        ("setattr(ctx, 'clock', now)\n", ["bot.x:1: setattr(ctx, 'clock', now)"]),
        ("object.__setattr__(ctx, 'x', 1)\n", ["bot.x:1: object.__setattr__(ctx, 'x', 1)"]),
        ("def f(ctx: 'Context | None') -> None:\n    ctx.x = 1\n", ["bot.x:2: ctx.x"]),
        # Not the App's context, or not its attribute: fine.
        ("def check(doc: Document, ctx: LintContext) -> None:\n    ctx.document = doc\n", []),
        ("ctx.caches.of(BlobTexts)[sha] = text\n", []),
        ("self.context = context\n", []),
        ("dispatcher.clients = None\n", []),
    ],
)
def test_a_context_assignment_is_named(tmp_path: Path, source: str, found: list[str]) -> None:
    path = fake_module(tmp_path, ROOT / PACKAGE / "x.py", source)
    assert context_assignments("bot.x", path) == found
