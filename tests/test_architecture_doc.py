"""docs/architecture.md lists every module under bot/ with its job."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_is_listed_in_the_architecture_doc() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py"))
    missing = [module for module in modules if f"| `{module}` |" not in doc]
    assert modules and not missing, f"add to docs/architecture.md: {missing}"
