"""The GitHub Actions workflow in docs/cli.md works as one workflow.

Its steps run here as a runner would run them: each `run:` in `bash -eo pipefail`, in order, a
failed step skipping the steps after it (none of ours says `if: always()`), `${{ ... }}`
replaced by the event's values. `actions/checkout` and `setup-python` are the scratch
repository and this interpreter; `pip install` is this checkout; `upload-sarif` is a check
that the file exists and is valid against the official SARIF 2.1.0 schema.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.cli.helpers import rfc
from tests.doc_examples import ROOT, shell
from tests.sarif_schema import assert_valid_sarif

EXAMPLES = ROOT / "examples" / "rfcs"


def documented_workflow() -> dict[str, object]:
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = docs.split("## GitHub Actions", 1)[1]
    block = re.search(r"^```yaml\n(.*?)^```", section, re.M | re.S)
    assert block is not None
    return yaml.safe_load(block[1])  # type: ignore[no-any-return]


@dataclass
class Event:
    base_ref: str = "main"
    head_repo: str = "octo-org/rfcs"
    repository: str = "octo-org/rfcs"

    def expand(self, text: str) -> str:
        values = {
            "github.base_ref": self.base_ref,
            "github.repository": self.repository,
            "github.event.pull_request.head.repo.full_name": self.head_repo,
        }
        return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: values[m[1]], text)

    def condition(self, expression: str) -> bool:
        left, right = (part.strip() for part in expression.split("=="))
        return self.expand(f"${{{{ {left} }}}}") == self.expand(f"${{{{ {right} }}}}")


@dataclass
class Run:
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (step, ran|skipped|...)
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(outcome == "failure" for _, outcome in self.outcomes)


def run_job(repo: Path, event: Event) -> Run:
    job = documented_workflow()["jobs"]["lint"]  # type: ignore[index]
    run = Run()
    for step in job["steps"]:
        name = step.get("name") or step.get("uses") or step["run"]
        if run.failed or ("if" in step and not event.condition(step["if"])):
            run.outcomes.append((name, "skipped"))
            continue
        ok, log = _step(step, repo, event)
        run.logs[name] = log
        run.outcomes.append((name, "success" if ok else "failure"))
    return run


def _step(step: dict[str, object], repo: Path, event: Event) -> tuple[bool, str]:
    uses = str(step.get("uses", ""))
    if uses.startswith(("actions/checkout@", "actions/setup-python@")):
        return True, ""
    if uses.startswith("github/codeql-action/upload-sarif@"):
        sarif = repo / str(step["with"]["sarif_file"])  # type: ignore[index]
        assert_valid_sarif(json.loads(sarif.read_text()))
        return True, sarif.read_text()
    script = event.expand(str(step["run"]))
    if script.startswith("pip install "):
        return True, ""
    code, log = shell(script, repo, options=("--noprofile", "--norc", "-eo", "pipefail"))
    return code == 0, log


def _git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose `origin/main` holds one good RFC, as actions/checkout leaves it."""
    (tmp_path / "rfcs").mkdir()
    (tmp_path / "rfcs" / "0000-job-retries.md").write_text(
        (EXAMPLES / "0000-job-retries.md").read_text()
    )
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "base")
    _git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    return tmp_path


def test_permissions_cover_the_sarif_upload() -> None:
    permissions = documented_workflow()["permissions"]
    assert permissions == {"contents": "read", "security-events": "write", "actions": "read"}


def test_a_pull_request_with_errors_gets_alerts_annotations_and_a_red_job(repo: Path) -> None:
    (repo / "rfcs" / "0000-flawed.md").write_text((EXAMPLES / "0000-flawed-example.md").read_text())
    run = run_job(repo, Event())
    assert [outcome for _, outcome in run.outcomes] == [
        "success",  # checkout
        "success",  # setup-python
        "success",  # pip install
        "success",  # SARIF: findings are not a failure of this step
        "success",  # upload-sarif ran, with a valid log
        "failure",  # annotations, last: the job is red
    ]
    sarif = json.loads((repo / "rfc-lint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"authors", "rfc-number"}
    assert run.logs["Lint"].startswith("::error file=rfcs/0000-flawed.md,")


def test_a_clean_pull_request_passes(repo: Path) -> None:
    (repo / "rfcs" / "0000-second.md").write_text(
        (EXAMPLES / "0000-job-retries.md").read_text().replace("Job Retries", "Second Thing")
    )
    run = run_job(repo, Event())
    assert not run.failed, run.logs
    assert json.loads((repo / "rfc-lint.sarif").read_text())["runs"][0]["results"] == []


def test_a_usage_error_is_not_taken_for_findings(repo: Path) -> None:
    """Exit 2 (here: a base ref that does not exist) fails the SARIF step itself."""
    run = run_job(repo, Event(base_ref="no-such-branch"))
    assert [outcome for _, outcome in run.outcomes][3:] == ["failure", "skipped", "skipped"]
    assert "rfc-bot: error:" in run.logs["SARIF"]


def test_a_fork_skips_only_the_upload(repo: Path) -> None:
    (repo / "rfcs" / "0000-bad.md").write_text(rfc("Bad", status="Drafty"))
    run = run_job(repo, Event(head_repo="someone/rfcs"))
    assert [outcome for _, outcome in run.outcomes][3:] == ["success", "skipped", "failure"]
