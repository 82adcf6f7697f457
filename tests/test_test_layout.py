"""The tests mirror bot/: each folder under tests/ tests one package or module of it, and no
module under tests/ imports a test module (what tests share lives in a ``conftest.py`` or a
helper module: importing a test module runs its tests twice and hides what is shared)."""

from __future__ import annotations

from pathlib import Path

from tests.import_graph import PACKAGE, ROOT, import_statements

TESTS = "tests"
# Folders that test no one part of bot/: data, the browser, end to end, and the simulator
# (which mirrors sandbox/).
NOT_A_PART = frozenset({"data", "browser", "e2e", "sandbox", "__pycache__"})


def is_test_module(name: str) -> bool:
    return name.rpartition(".")[2].startswith("test_")


def module_names(root: Path) -> dict[str, Path]:
    """Every module under ``root``/tests by its dotted name (a package by its folder's)."""
    found = {}
    for path in sorted((root / TESTS).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of_test_modules(root: Path) -> list[str]:
    """Each import of a test module by a module under ``root``/tests, as ``path:line: name``."""
    known = module_names(root)
    found = []
    for name, path in known.items():
        for statement in import_statements(name, path):
            targets = [f"{statement.module}.{alias}" for alias in statement.names]
            for target in [statement.module, *targets]:
                if target in known and is_test_module(target):
                    where = path.relative_to(root).as_posix()
                    found.append(f"{where}:{statement.line}: imports {target}")
    return found


def is_part_of(package: Path, relative: Path) -> bool:
    """Whether ``relative`` names a package (a folder with modules) or a module under it."""
    part = package.joinpath(*relative.parts)
    return any(part.rglob("*.py")) or part.with_suffix(".py").is_file()


def unmirrored_folders(root: Path) -> list[str]:
    """Folders under ``root``/tests that name no package or module of ``root``/bot.

    A folder below the first level needs a name only when it holds tests: beside them,
    a folder of data (golden files) belongs to the tests around it."""
    tests = root / TESTS
    found = []
    for folder in sorted(path for path in tests.rglob("*") if path.is_dir()):
        relative = folder.relative_to(tests)
        if relative.parts[0] in NOT_A_PART or "__pycache__" in relative.parts:
            continue
        if relative.parts[0].startswith("."):
            continue  # a tool's cache, not a folder of the project
        if len(relative.parts) > 1 and not any(folder.glob("test_*.py")):
            continue
        if not is_part_of(root / PACKAGE, relative):
            found.append(f"{TESTS}/{relative.as_posix()}")
    return found


def test_no_test_module_imports_another() -> None:
    found = imports_of_test_modules(ROOT)
    assert not found, (
        "move what the tests share into the folder's conftest.py (fixtures) or a helper "
        "module (not test_*.py):\n" + "\n".join(found)
    )


def test_every_folder_of_tests_names_a_part_of_bot() -> None:
    found = unmirrored_folders(ROOT)
    assert not found, (
        "name each folder under tests/ after the package or module of bot/ it tests "
        "(tests/rfc tests bot/rfc), or add it to NOT_A_PART:\n" + "\n".join(found)
    )


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_an_import_of_a_test_module_is_caught(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/conftest.py": "from tests.x.test_a import fixture\n",
            "tests/x/__init__.py": "",
            "tests/x/helpers.py": "VALUE = 1\n",
            "tests/x/test_a.py": "from tests.x.helpers import VALUE\nfrom . import helpers\n",
            "tests/x/test_b.py": (
                "from tests.x.test_a import thing\n"
                "from .test_a import other\n"
                "from tests.x import test_a, helpers\n"
                "import tests.x.test_a\n"
                "from tests.x.helpers import VALUE\n"
                "def later():\n"
                "    from . import test_a\n"
            ),
        },
    )
    assert imports_of_test_modules(tmp_path) == [
        "tests/conftest.py:1: imports tests.x.test_a",
        "tests/x/test_b.py:1: imports tests.x.test_a",
        "tests/x/test_b.py:2: imports tests.x.test_a",
        "tests/x/test_b.py:3: imports tests.x.test_a",
        "tests/x/test_b.py:4: imports tests.x.test_a",
        "tests/x/test_b.py:7: imports tests.x.test_a",
    ]


def test_a_folder_that_names_no_part_of_bot_is_caught(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "bot/clock.py": "",
            "bot/rfc/__init__.py": "",
            "bot/rfc/lint.py": "",
            "bot/policy/decisions/state.py": "",  # packages without an __init__
            "bot/site/build.py": "",
            "bot/site/static/style.css": "",  # a folder, but no package
            "tests/rfc/test_a.py": "",
            "tests/rfc/golden/generate.py": "",  # data beside the tests
            "tests/rfc/lint/test_b.py": "",  # a module of bot/rfc
            "tests/rfc/extra/test_c.py": "",
            "tests/policy/decisions/test_d.py": "",
            "tests/clock/test_e.py": "",
            "tests/misc/test_f.py": "",
            "tests/site/static/test_g.py": "",
            "tests/e2e/test_h.py": "",
            "tests/e2e/more/test_i.py": "",
            "tests/__pycache__/x.pyc": "",
            "tests/rfc/__pycache__/x.pyc": "",
            "tests/.cache/x": "",
        },
    )
    assert unmirrored_folders(tmp_path) == [
        "tests/misc",
        "tests/rfc/extra",
        "tests/site/static",
    ]
