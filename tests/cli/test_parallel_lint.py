"""Large lint runs are spread over forked workers; what they print must not change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.rfc import tree

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rfcs"


def lint_json(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, str]:
    code = main(["lint", "--format", "json", *paths])
    return code, capsys.readouterr().out


@pytest.mark.skipif(not tree.can_fork(), reason="workers are forked only on Linux")
def test_parallel_lint_prints_exactly_what_one_process_prints(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rfcs = project / "rfcs"
    rfcs.mkdir()
    sources = [EXAMPLES / "0000-job-retries.md", EXAMPLES / "0000-flawed-example.md"]
    for index in range(tree.PARALLEL_MIN_FILES + 6):
        shutil.copy(sources[index % 2], rfcs / f"0000-copy-{index:03d}.md")

    parallel = lint_json(capsys, "rfcs")
    monkeypatch.setattr(tree, "PARALLEL_MIN_FILES", 10**6)
    sequential = lint_json(capsys, "rfcs")

    assert parallel == sequential
    assert parallel[0] == 1 and '"rule": "template-prompt"' in parallel[1]


@pytest.mark.skipif(not tree.can_fork(), reason="workers are forked only on Linux")
def test_an_unreadable_file_in_a_parallel_run_is_one_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rfcs = project / "rfcs"
    rfcs.mkdir()
    for index in range(tree.PARALLEL_MIN_FILES):
        shutil.copy(EXAMPLES / "0000-job-retries.md", rfcs / f"0000-copy-{index:03d}.md")
    read_bytes = Path.read_bytes

    def refuse_one(path: Path) -> bytes:  # root reads anything: refuse like chmod 000 would
        if path.name == "0000-copy-013.md":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_one)  # the forked workers inherit it

    code = main(["lint", "rfcs"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == "rfc-bot: error: cannot read rfcs/0000-copy-013.md: Permission denied\n"
