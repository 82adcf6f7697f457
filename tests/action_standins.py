"""The actions a documented workflow ``uses:``, as the emulated runner runs them.

This project's own action runs for real: its ``action.yml`` is a composite action, run step by
step from the files of the ref the workflow names. Every other action has a stand-in that first
checks what that action documents (its inputs, the permissions it needs, the files it reads),
failing as the action would, then does its part offline:

- ``actions/checkout``: fetches the trigger's ref from the test's origin repository into the
  workspace, as deep as ``fetch-depth`` says (1 by default: the base commit is then missing);
- ``actions/setup-python``: the interpreter running the tests, in a virtual environment of the
  tool cache; ``cache:`` hashes ``cache-dependency-path`` only inside the workspace and fails
  with setup-python's own message when nothing there matches (actions/setup-python#361);
  ``update-environment: false`` leaves PATH alone; outputs ``python-path``;
- ``github/codeql-action/upload-sarif``: needs ``security-events: write``; the file must exist
  and be valid SARIF 2.1.0 (the official schema);
- ``actions/upload-pages-artifact`` and ``actions/deploy-pages``: the folder exists and holds
  an ``index.html``; deploying needs ``pages: write`` and ``id-token: write``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.action_expressions import Scope, to_string
from tests.action_files import workspace_matches
from tests.action_runner import EmulatorGap, Job, Runner, StepContext, StepRun, git
from tests.sarif_schema import sarif_errors

StandIn = Callable[[Runner, Job, dict[str, str], str], StepRun]


@dataclass(frozen=True)
class Action:
    inputs: frozenset[str]
    run: StandIn


def run_uses(
    runner: Runner,
    context: StepContext,
    step: Mapping[str, Any],
    scope: Scope,
    step_env: Mapping[str, str],
    name: str,
) -> StepRun:
    uses = str(step["uses"])
    given = {str(k): to_string(scope.value_of(str(v))) for k, v in (step.get("with") or {}).items()}
    ref = runner.home.ref_of(uses)
    if ref is not None:
        return composite(runner, context, ref, given, name, step_env)
    action = ACTIONS.get(uses.partition("@")[0].lower())
    if action is None:
        raise EmulatorGap(f"no stand-in for `uses: {uses}`")
    unexpected = sorted(set(given) - action.inputs)
    if unexpected:  # GitHub warns; a typo here would silently do nothing, so it fails
        valid = ", ".join(sorted(action.inputs))
        return StepRun(
            name, "failure", f"Unexpected input(s) {unexpected}, valid inputs are [{valid}]\n"
        )
    return action.run(runner, context.job, given, name)


# --- this project's composite action ---------------------------------------------------------


def composite(
    runner: Runner,
    caller: StepContext,
    ref: str,
    given: dict[str, str],
    name: str,
    step_env: Mapping[str, str],
) -> StepRun:
    path = runner.actions / runner.home.slug / ref
    if not path.exists():
        runner.home.export(ref, path)
    metadata = yaml.safe_load((path / "action.yml").read_text(encoding="utf-8"))
    declared: dict[str, Any] = metadata.get("inputs") or {}
    unexpected = sorted(set(given) - set(declared))
    if unexpected:
        return StepRun(name, "failure", f"Unexpected input(s) {unexpected}\n")
    if metadata["runs"]["using"] != "composite":
        raise EmulatorGap(f"{runner.home.slug} is not a composite action")
    # Defaults are expressions in the caller's scope (``${{ github.token }}``).
    defaults_scope = caller.scope({})
    inputs: dict[str, Any] = {
        key: given[key]
        if key in given
        else to_string(defaults_scope.value_of(str(spec.get("default", ""))))
        for key, spec in declared.items()
    }
    missing = [key for key, spec in declared.items() if spec.get("required") and not inputs[key]]
    if missing:
        return StepRun(name, "failure", f"Input required and not supplied: {missing[0]}\n")
    inner = StepContext(
        caller.job, steps={}, failed=[False], inputs=inputs, action_path=path, env=dict(step_env)
    )
    children = runner.run_steps(metadata["runs"]["steps"], inner)
    outputs_scope = inner.scope(dict(step_env))
    outputs = {
        key: to_string(outputs_scope.value_of(str(spec.get("value", ""))))
        for key, spec in (metadata.get("outputs") or {}).items()
    }
    outcome = "failure" if inner.failed[0] else "success"
    log = "".join(child.log for child in children)
    return StepRun(name, outcome, log, outputs, children)


# --- actions/checkout ---------------------------------------------------------------------


def checkout(runner: Runner, job: Job, given: dict[str, str], name: str) -> StepRun:
    if runner.origin is None:
        raise EmulatorGap("actions/checkout: give the Runner an origin repository")
    if not job.may("contents", "read"):
        return StepRun(name, "failure", "Error: Repository not found (no contents: read).\n")
    where = runner.workspace / given.get("path", "")
    depth = int(given.get("fetch-depth", "1") or "1")
    trigger = runner.trigger
    ref = given.get("ref") or trigger.ref
    git(where, "init", "-q")
    git(where, "remote", "add", "origin", runner.origin.as_uri())
    deepen = [f"--depth={depth}"] if depth > 0 else []
    if depth == 0:
        git(
            where,
            "fetch",
            "-q",
            "origin",
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        )
    if ref.startswith("refs/pull/"):
        local = "refs/remotes/pull/" + ref.removeprefix("refs/pull/")
    else:
        local = "refs/remotes/origin/" + ref.removeprefix("refs/heads/")
    git(where, "fetch", "-q", *deepen, "origin", f"+{ref}:{local}")
    target = trigger.sha if not given.get("ref") else local
    git(where, "checkout", "-q", "--force", target)
    log = f"Checked out {ref} at {git(where, 'rev-parse', 'HEAD').strip()} (depth {depth})\n"
    return StepRun(name, "success", log)


# --- actions/setup-python -------------------------------------------------------------------------

CACHE_DEFAULTS = {
    "pip": "**/requirements.txt",
    "pipenv": "**/Pipfile.lock",
    "poetry": "**/poetry.lock",
}
PIP_BACKUP_PATTERN = "**/pyproject.toml"  # setup-python's CACHE_DEPENDENCY_BACKUP_PATH


def setup_python(runner: Runner, job: Job, given: dict[str, str], name: str) -> StepRun:
    version = given.get("python-version", "")
    if given.get("python-version-file"):
        file = runner.workspace / given["python-version-file"]
        if not file.is_file():
            return StepRun(
                name, "failure", f"The specified python version file at: {file} doesn't exist.\n"
            )
        version = file.read_text(encoding="utf-8").strip()
    if not version:  # setup-python falls back on PATH's python with a warning: pin it instead
        return StepRun(name, "failure", "the emulator wants python-version (or its file) given\n")
    ours = ".".join(map(str, sys.version_info[:3]))
    if not f"{ours}.".startswith(version.removesuffix(".x") + "."):
        raise EmulatorGap(f"python-version {version}: the emulator has Python {ours} only")
    cache = given.get("cache", "")
    if cache:
        failure = cache_failure(runner.workspace, cache, given.get("cache-dependency-path", ""))
        if failure:
            return StepRun(name, "failure", f"Error: {failure}\n")
    python = tool_python(runner, ours)
    if given.get("update-environment", "true").lower() != "false":
        job.path.insert(0, str(python.parent))
        job.env["pythonLocation"] = str(python.parent.parent)
    outputs = {"python-version": ours, "python-path": str(python), "cache-hit": "false"}
    return StepRun(name, "success", f"Successfully set up CPython ({ours})\n", outputs)


def cache_failure(workspace: Path, cache: str, dependency_path: str) -> str | None:
    """setup-python's refusal of a cache it cannot key, or None (pip-cache.ts, computeKeys)."""
    if cache not in CACHE_DEFAULTS:
        return f"Caching for '{cache}' is not supported"
    patterns = [line for line in (dependency_path or CACHE_DEFAULTS[cache]).splitlines() if line]
    if workspace_matches(workspace, patterns):
        return None
    if cache == "pip" and workspace_matches(workspace, [PIP_BACKUP_PATTERN]):
        return None
    shown = ",".join(patterns) + (f" or {PIP_BACKUP_PATTERN}" if cache == "pip" else "")
    return (
        f"No file in {workspace} matched to [{shown}], "
        "make sure you have checked out the target repository"
    )


def tool_python(runner: Runner, version: str) -> Path:
    """The hosted tool cache's Python: a virtual environment of the tests' interpreter."""
    folder = runner.tool_cache / "Python" / version / "x64"
    if not (folder / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True)
    return folder / "bin" / "python"


# --- github/codeql-action/upload-sarif --------------------------------------------------------


def upload_sarif(runner: Runner, job: Job, given: dict[str, str], name: str) -> StepRun:
    if not job.may("security-events", "write"):
        return StepRun(
            name, "failure", "Resource not accessible by integration (security-events)\n"
        )
    private = bool(runner.trigger.payload.get("repository", {}).get("private"))
    if private and not job.may("actions", "read"):
        return StepRun(name, "failure", "Resource not accessible by integration (actions: read)\n")
    path = runner.workspace / given.get("sarif_file", "../results")
    files = sorted(path.glob("*.sarif")) if path.is_dir() else [path]
    if not all(file.is_file() for file in files) or not files:
        return StepRun(name, "failure", f"Path does not exist: {path}\n")
    for file in files:
        try:
            problems = sarif_errors(json.loads(file.read_text(encoding="utf-8")))
        except ValueError as error:
            problems = [f"not JSON: {error}"]
        if problems:
            return StepRun(name, "failure", f"Invalid SARIF {file.name}: {problems[:3]}\n")
        runner.artifacts[f"sarif:{given.get('category', '')}:{file.name}"] = file
    return StepRun(name, "success", f"Uploaded {len(files)} SARIF file(s)\n")


# --- GitHub Pages -------------------------------------------------------------------------------


def upload_pages_artifact(runner: Runner, job: Job, given: dict[str, str], name: str) -> StepRun:
    folder = runner.workspace / given.get("path", "_site/")
    if not (folder / "index.html").is_file():
        return StepRun(name, "failure", f"No index.html in {folder}: Pages would serve nothing\n")
    archive = runner.temp.parent / "artifacts" / given.get("name", "github-pages")
    archive.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-cf", str(archive), "-C", str(folder), "."], check=True)
    runner.artifacts[given.get("name", "github-pages")] = archive
    return StepRun(name, "success", f"Uploaded {folder}\n")


def deploy_pages(runner: Runner, job: Job, given: dict[str, str], name: str) -> StepRun:
    if not (job.may("pages", "write") and job.may("id-token", "write")):
        return StepRun(
            name,
            "failure",
            'Ensure GITHUB_TOKEN has permission "id-token: write" and "pages: write"\n',
        )
    artifact = given.get("artifact_name", "github-pages")
    if artifact not in runner.artifacts:
        return StepRun(name, "failure", f"No uploaded artifact was found: {artifact}\n")
    url = f"https://{runner.trigger.repository.split('/')[0]}.github.io/"
    return StepRun(name, "success", "Deployed\n", {"page_url": url})


ACTIONS: Mapping[str, Action] = {
    "actions/checkout": Action(
        frozenset(
            [
                "repository",
                "ref",
                "token",
                "ssh-key",
                "ssh-known-hosts",
                "ssh-strict",
                "ssh-user",
                "persist-credentials",
                "path",
                "clean",
                "filter",
                "sparse-checkout",
                "sparse-checkout-cone-mode",
                "fetch-depth",
                "fetch-tags",
                "show-progress",
                "lfs",
                "submodules",
                "set-safe-directory",
                "github-server-url",
            ]
        ),
        checkout,
    ),
    "actions/setup-python": Action(
        frozenset(
            [
                "python-version",
                "python-version-file",
                "cache",
                "architecture",
                "check-latest",
                "token",
                "cache-dependency-path",
                "update-environment",
                "allow-prereleases",
                "freethreaded",
            ]
        ),
        setup_python,
    ),
    "github/codeql-action/upload-sarif": Action(
        frozenset(
            [
                "sarif_file",
                "checkout_path",
                "ref",
                "sha",
                "token",
                "matrix",
                "category",
                "wait-for-processing",
            ]
        ),
        upload_sarif,
    ),
    "actions/upload-pages-artifact": Action(
        frozenset(["name", "path", "retention-days"]), upload_pages_artifact
    ),
    "actions/deploy-pages": Action(
        frozenset(
            ["token", "timeout", "error_count", "reporting_interval", "artifact_name", "preview"]
        ),
        deploy_pages,
    ),
}
