"""The emulated runner itself (tests/action_runner.py): it does what a runner does with file
commands, shells and conditions, and it fails where GitHub or an action would, so a green
workflow test means something."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.action_files import parse_key_values
from tests.action_runner import EmulatorGap, Home, JobRun, Runner, Trigger, make_home, triggered
from tests.action_scenes import make_pull


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("home"))


def run_steps(home: Home, tmp_path: Path, steps: list[dict[str, Any]], **workflow: Any) -> JobRun:
    pull = make_pull(tmp_path / "origin", {"README.md": "hi\n"}, {"rfcs/a.md": "a\n"})
    flow = {"on": "pull_request", "jobs": {"job": {"steps": steps}}, **workflow}
    run = Runner(tmp_path / "runner", home, pull.trigger(), origin=pull.origin).run(flow)
    assert run is not None
    return run.jobs["job"]


def test_file_commands_reach_the_next_steps(home: Home, tmp_path: Path) -> None:
    job = run_steps(
        home,
        tmp_path,
        [
            {
                "id": "first",
                "run": 'echo "GREETING=hello" >> "$GITHUB_ENV"\n'
                'mkdir -p "$RUNNER_TEMP/tools" && echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"\n'
                'printf "#!/bin/sh\\necho tool\\n" > "$RUNNER_TEMP/tools/tool"\n'
                'chmod +x "$RUNNER_TEMP/tools/tool"\n'
                '{ echo "text<<EOF"; echo "two"; echo "lines"; echo "EOF"; } >> "$GITHUB_OUTPUT"\n'
                'echo "# Summary" >> "$GITHUB_STEP_SUMMARY"',
            },
            {
                "name": "second",
                "env": {"TEXT": "${{ steps.first.outputs.text }}"},
                "run": 'echo "$GREETING ${{ env.GREETING }} $(tool) $TEXT"',
            },
        ],
    )
    assert job.step("second").log == "hello hello tool two\nlines\n"
    assert job.summary == "# Summary\n"


def test_shells_as_the_runner_runs_them(home: Home, tmp_path: Path) -> None:
    """No shell: `bash -e`, so a failed command inside a pipe goes unnoticed; `shell: bash`
    adds pipefail."""
    job = run_steps(
        home,
        tmp_path,
        [
            {"name": "default", "run": "false | true"},
            {"name": "bash", "shell": "bash", "run": "false | true"},
            {"name": "after", "run": "echo not reached"},
            {"name": "always", "if": "always()", "run": "echo ${{ job.status }}"},
        ],
    )
    assert job.outcomes == ["success", "failure", "skipped", "success"]
    assert job.step("always").log == "failure\n"


def test_workspace_and_action_folders_are_apart(home: Home, tmp_path: Path) -> None:
    job = run_steps(
        home, tmp_path, [{"name": "where", "run": 'echo "$GITHUB_WORKSPACE"; pwd; ls -A | wc -l'}]
    )
    workspace, cwd, listing = job.step("where").log.splitlines()
    assert workspace == cwd and listing == "0"  # nothing there before a checkout
    assert Path(workspace).name == "rfcs"


def test_an_unexpected_input_fails_the_step(home: Home, tmp_path: Path) -> None:
    job = run_steps(home, tmp_path, [{"uses": "actions/checkout@v4", "with": {"depth": 0}}])
    assert job.outcomes == ["failure"]
    assert job.steps[0].log.startswith("Unexpected input(s) ['depth'], valid inputs are [")


def test_an_action_without_a_stand_in_is_a_gap(home: Home, tmp_path: Path) -> None:
    with pytest.raises(EmulatorGap, match="no stand-in for `uses: someone/else@v1`"):
        run_steps(home, tmp_path, [{"uses": "someone/else@v1"}])


def test_a_ref_the_project_does_not_have_fails(home: Home, tmp_path: Path) -> None:
    with pytest.raises(EmulatorGap, match=r"has no ref 'v0\.1\.0'"):
        run_steps(home, tmp_path, [{"uses": f"{home.slug}@v0.1.0", "with": {"mode": "lint"}}])


@pytest.mark.parametrize(
    ("permissions", "sarif", "message"),
    [
        ({"contents": "read"}, {"version": "2.1.0", "runs": []}, "Resource not accessible"),
        ({"security-events": "write"}, {"runs": "no"}, "Invalid SARIF x.sarif"),
        ({"security-events": "write"}, None, "Path does not exist"),
    ],
)
def test_upload_sarif_refuses_what_code_scanning_refuses(
    home: Home, tmp_path: Path, permissions: dict[str, str], sarif: Any, message: str
) -> None:
    write = f"echo '{json.dumps(sarif)}' > x.sarif" if sarif is not None else "true"
    steps = [
        {"run": write},
        {"uses": "github/codeql-action/upload-sarif@v3", "with": {"sarif_file": "x.sarif"}},
    ]
    job = run_steps(home, tmp_path, steps, permissions=permissions)
    assert job.outcomes == ["success", "failure"]
    assert message in job.steps[1].log


def test_setup_python_caches_only_what_the_workspace_holds(home: Home, tmp_path: Path) -> None:
    setup = {"uses": "actions/setup-python@v5", "with": {"python-version": "3.11", "cache": "pip"}}
    job = run_steps(home, tmp_path, [setup])
    assert job.outcomes == ["failure"]
    assert "matched to [**/requirements.txt or **/pyproject.toml]" in job.steps[0].log

    checked_out = run_steps(home, tmp_path / "2", [{"uses": "actions/checkout@v4"}, setup])
    assert checked_out.outcomes == ["success", "failure"]  # nothing to hash in it either
    allowed = run_steps(
        home,
        tmp_path / "3",
        [
            {"uses": "actions/checkout@v4"},
            {"run": "touch requirements.txt"},
            {**setup, "with": {**setup["with"], "update-environment": False}},
            {"run": "command -v python || echo none"},
        ],
        permissions={"contents": "read"},
    )
    assert allowed.outcomes == ["success"] * 4, allowed.log
    assert allowed.steps[3].log == "none\n"  # /usr/bin has python3 only: PATH left alone


def test_a_workflow_runs_only_for_its_events() -> None:
    flow = {"on": {"pull_request_target": {"types": ["opened"]}}, "jobs": {}}
    pull = {"number": 1, "base": {"ref": "main", "sha": "b"}, "head": {"sha": "h"}}
    payload = {"action": "closed", "pull_request": pull, "repository": {"full_name": "o/r"}}
    opened = {**payload, "action": "opened"}

    assert not triggered(flow, Trigger.pull_request(payload, event_name="pull_request_target"))
    assert triggered(flow, Trigger.pull_request(opened, event_name="pull_request_target"))
    assert not triggered(flow, Trigger.pull_request(opened))


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,10}", fullmatch=True)
values = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r"), max_size=40)


@given(written=st.dictionaries(names, values, max_size=5))
@example(written={"A": ""})
@example(written={"A": "x=y"})
@example(written={"A": "\x1e"})  # a Unicode line break is not a line end for the runner
def test_file_commands_read_back_what_was_written(written: dict[str, str]) -> None:
    """One-line values as NAME=value, others as NAME<<DELIMITER blocks, as steps write them."""
    lines = []
    for name, value in written.items():
        if "\n" in value or value.startswith("<<"):
            lines += [f"{name}<<EOF_MARK", *value.split("\n"), "EOF_MARK"]
        else:
            lines.append(f"{name}={value}")
    assert parse_key_values("".join(f"{line}\n" for line in lines)) == written
