"""docs/architecture.md lists every module under bot/ with its job; no module outgrows one job."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_is_listed_in_the_architecture_doc() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py"))
    missing = [module for module in modules if f"| `{module}` |" not in doc]
    assert modules and not missing, f"add to docs/architecture.md: {missing}"


MAX_LINES = 500


def test_no_file_under_bot_or_sandbox_is_over_500_lines() -> None:
    """A file past 500 lines is doing more than one job: split it by job."""
    long = [
        f"{path.relative_to(ROOT).as_posix()}: {count} lines"
        for folder in ("bot", "sandbox")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "split by job:\n" + "\n".join(long)
