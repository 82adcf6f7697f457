"""`main()` itself: usage errors, --help, Ctrl-C, a closed pipe, `python -m bot`, and the
commands imported only when asked for (serve, demo)."""

from __future__ import annotations

import importlib.abc
import os
import runpy
import sys
import types
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.app_commands import DEMO_NEEDS_CHECKOUT
from tests.cli.helpers import error_line


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frob"],
        ["lint"],
        ["lint", "--format", "xml", "x.md"],
        ["config"],
        ["config", "--defaults", "--check"],
        ["new"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot")
    assert ": error: " in err
    assert err.count("\n") == 1


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "lint" in capsys.readouterr().out


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("bot.cli.config.cmd_rules", interrupted)
    assert main(["rules"]) == 130


def test_closed_pipe_stops_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rfc-bot rules | head -1`: exit 1 with no traceback, and later output goes nowhere."""
    with (tmp_path / "stdout").open("w") as stand_in:

        def reader_went_away(args: object) -> int:
            raise BrokenPipeError

        monkeypatch.setattr(sys, "stdout", stand_in)
        monkeypatch.setattr("bot.cli.config.cmd_rules", reader_went_away)
        assert main(["rules"]) == 1
        os.write(stand_in.fileno(), b"flushed at exit")
    assert (tmp_path / "stdout").read_text() == ""
    assert capsys.readouterr().err == ""


def test_module_entry_point_exits_with_mains_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["rfc-bot", "config", "--defaults"])
    monkeypatch.delitem(sys.modules, "bot.__main__", raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("bot", run_name="__main__")
    assert exited.value.code == 0
    assert "rules:" in capsys.readouterr().out


def test_serve_and_demo_are_imported_lazily(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    monkeypatch.chdir(tmp_path)  # no .env there: serve runs on the environment as it is
    calls: list[object] = []
    for name in ("bot.serve.supervisor", "sandbox.demo"):
        module = types.ModuleType(name)
        module.main = lambda *args, name=name: calls.append((name, *args)) or 0  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)
    assert main(["serve"]) == 0
    assert main(["serve", "--workers", "3"]) == 0
    assert main(["demo"]) == 0
    assert calls == [
        ("bot.serve.supervisor", None, os.environ),
        ("bot.serve.supervisor", 3, os.environ),
        ("sandbox.demo",),
    ]


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_serve_refuses_a_worker_count_out_of_range(
    workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--workers", workers]) == 2
    assert "from 1 to 64" in capsys.readouterr().err


class Missing(importlib.abc.MetaPathFinder):
    """Makes a top-level package (and everything below it) fail to import, as when it is not
    installed."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] == self.package:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


@pytest.mark.parametrize("package", ["sandbox", "jsonschema"])
def test_demo_outside_a_checkout_says_how_to_get_it(
    package: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An install has no simulator (sandbox/) and, without the demo extra, no jsonschema."""
    for name in list(sys.modules):
        if name.partition(".")[0] in ("sandbox", package):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [Missing(package), *sys.meta_path])
    assert main(["demo"]) == 2
    assert error_line(capsys) == DEMO_NEEDS_CHECKOUT


def test_demo_does_not_hide_a_broken_module_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a missing simulator (or its extra) is the friendly error; other import failures
    are bugs and must show."""
    monkeypatch.setitem(sys.modules, "sandbox.demo", None)
    with pytest.raises(ModuleNotFoundError):
        main(["demo"])


def test_the_rfc_commands_start_without_the_settings_file_or_slug_libraries() -> None:
    """`rfc-bot lint` (every RFC command) never pays for python-dotenv or python-slugify:
    `serve`/`action` and `new` import them when they run."""
    import subprocess
    import sys

    probe = (
        "import sys; from bot.cli import main; main(['rules']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dotenv', 'slugify')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines()[-1] == "[]"
