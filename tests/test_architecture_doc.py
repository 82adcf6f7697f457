"""docs/architecture.md lists every module under bot/ with its job."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_is_listed_in_the_architecture_doc() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py"))
    missing = [module for module in modules if f"| `{module}` |" not in doc]
    assert modules and not missing, f"add to docs/architecture.md: {missing}"


RAW_CALLS = frozenset({"getitem", "getiter", "post", "patch", "put", "delete"})
API_PATHS = ("/repos/", "/orgs/", "/app/", "/installation/")


def test_features_make_no_raw_github_requests() -> None:
    """Every request goes through ``bot/github``'s typed calls: no feature calls the client's
    raw methods or builds an API path."""
    import ast

    offenders = []
    for path in sorted((ROOT / "bot" / "features").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in RAW_CALLS:
                offenders.append(f"{path.name}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Constant) and str(node.value).startswith(API_PATHS):
                offenders.append(f"{path.name}:{node.lineno}: {node.value!r}")
            if isinstance(node, ast.JoinedStr):
                head = node.values[0] if node.values else None
                if isinstance(head, ast.Constant) and str(head.value).startswith("/repos/"):
                    offenders.append(f"{path.name}:{node.lineno}: an API path")
    assert offenders == []
