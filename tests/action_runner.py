"""An emulated GitHub Actions runner: a workflow's jobs run here as a hosted runner runs them,
with no network and no Docker.

What is the runner's own behaviour, reproduced:

- a job's steps in order; ``if:`` (implicitly ``success() && ...``), ``continue-on-error``,
  ``working-directory``, ``env`` at every level; a failed step skips the rest unless their
  ``if:`` asks for ``always()`` or ``failure()``; ``${{ }}`` expressions
  (``tests/action_expressions.py``) over ``github``, ``env``, ``inputs``, ``steps``,
  ``secrets``, ``runner``, ``needs``, ``vars``, ``job``; jobs in the order of their ``needs``;
- ``on:``: a workflow runs only for an event (and activity type, branch, path) it names;
- the file commands (``GITHUB_ENV``, ``GITHUB_PATH``, ``GITHUB_OUTPUT``,
  ``GITHUB_STEP_SUMMARY``, with ``NAME<<DELIMITER`` values) and the annotation commands
  (``::error file=...::``) on stdout;
- ``run:`` through the step's shell: ``bash -e {0}`` by default, ``bash --noprofile --norc
  -eo pipefail {0}`` for ``shell: bash``; the workspace (``GITHUB_WORKSPACE``), the temporary
  folder and the action's folder (``GITHUB_ACTION_PATH``) are separate folders, as on a runner;
- a composite action (this repository's ``action.yml``) reached by ``uses: <owner>/rfc-bot@REF``
  exactly as the runner reaches it: the files of REF (``git archive``, as GitHub's tarball) in
  a folder of its own, inputs with their defaults, its own ``steps`` context and outputs;
  ``secrets`` unknown inside it;
- the token: a fork's ``pull_request`` gets a read-only one and no secrets.

``uses:`` of other actions run stand-ins (``tests/action_standins.py``) that check what each
action documents before doing its part offline. The network is replaced twice: git's
``url.<base>.insteadOf`` sends this project's URL (pip's ``git+https``, pre-commit's ``repo:``)
to a local repository of this checkout (``Home``), and pip installs with ``--no-index`` from the
test environment's site-packages, visible to every job on ``PYTHONPATH`` (what PyPI would
serve). Everything else is as strict as the runner, or stricter: an unknown input of a known
action fails the step (GitHub only warns), and an action with no stand-in fails the test.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import shutil
import site
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.project import project_url
from tests.action_expressions import Scope, to_string
from tests.action_files import (
    Annotation,
    annotations_of,
    hash_files,
    read_key_values,
    read_paths,
)

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PATH = "/usr/bin:/bin"  # the image's tools; no rfc-bot, no project venv
SHELLS = {
    None: "bash -e {0}",
    "bash": "bash --noprofile --norc -eo pipefail {0}",
    "sh": "sh -e {0}",
    "python": "python {0}",
}
STEP_TIMEOUT_SECONDS = 600


class EmulatorGap(Exception):
    """The workflow needs something the emulator does not model: the test cannot vouch for it."""


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    identity = {
        "GIT_AUTHOR_NAME": "rfc-bot tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "rfc-bot tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    }
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **identity, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise subprocess.CalledProcessError(
            done.returncode, ["git", *args], done.stdout, done.stderr
        )
    return done.stdout


# --- this project, as GitHub serves it ---------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """This checkout's files (edits included) committed on ``main`` of a local repository, the
    stand-in for the project's repository on GitHub (``[project.urls]`` names it)."""

    path: Path
    url: str

    @property
    def slug(self) -> str:
        return urlsplit(self.url).path.strip("/")

    def ref_of(self, uses: str) -> str | None:
        """The REF of ``uses: <owner>/<name>@REF`` when it names this project's action."""
        name, _, ref = uses.partition("@")
        return ref if name.casefold() == self.slug.casefold() else None

    def commit(self, ref: str) -> str:
        try:
            return git(self.path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        except subprocess.CalledProcessError:
            raise EmulatorGap(f"{self.slug} has no ref {ref!r}: GitHub would fail too") from None

    def export(self, ref: str, destination: Path) -> Path:
        """The files of ``ref``, as the runner downloads an action (a tarball of the commit)."""
        destination.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", self.commit(ref)], cwd=self.path, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x"], cwd=destination, input=archive.stdout, check=True)
        return destination

    def git_redirect(self) -> dict[str, str]:
        """Environment that makes git (and so pip and pre-commit) fetch the project from here."""
        return {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"url.{self.path.as_uri()}.insteadOf",
            "GIT_CONFIG_VALUE_0": self.url,
        }


def checkout_files(root: Path = ROOT) -> Iterator[str]:
    """The files of the checkout that git would publish: tracked or new, not ignored."""
    listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    yield from (name for name in listed.split("\0") if name and (root / name).is_file())


def make_home(where: Path, edit: Callable[[Path], None] | None = None) -> Home:
    """A ``Home`` of this checkout at ``where``; ``edit`` changes its files before the commit."""
    for name in checkout_files():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, where / name)
    if edit is not None:
        edit(where)
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "rfc-bot as published")
    return Home(where, project_url())


# --- what started the run -----------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """The event of a run and what GitHub derives from it (``GITHUB_REF``, ``GITHUB_SHA``)."""

    event_name: str
    payload: dict[str, Any]
    repository: str
    ref: str
    sha: str
    changed: tuple[str, ...] | None = None  # paths the push or pull request changed
    inputs: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def pull_request(
        cls,
        payload: dict[str, Any],
        *,
        event_name: str = "pull_request",
        merge_sha: str | None = None,
        changed: tuple[str, ...] | None = None,
    ) -> Trigger:
        """``pull_request`` runs on the merge ref; ``pull_request_target`` on the base branch."""
        pull = payload["pull_request"]
        if event_name == "pull_request_target":
            ref, sha = f"refs/heads/{pull['base']['ref']}", pull["base"]["sha"]
        else:
            ref, sha = f"refs/pull/{pull['number']}/merge", merge_sha or pull["head"]["sha"]
        repository = payload["repository"]["full_name"]
        return cls(event_name, payload, repository, ref, sha, changed)

    @classmethod
    def on_default_branch(cls, event_name: str, payload: dict[str, Any], sha: str) -> Trigger:
        """``issue_comment``, ``schedule``, ``workflow_dispatch``: the default branch's head."""
        repository = payload["repository"]
        branch = repository.get("default_branch", "main")
        return cls(event_name, payload, repository["full_name"], f"refs/heads/{branch}", sha)

    @property
    def action(self) -> str | None:
        return self.payload.get("action")

    @property
    def from_fork(self) -> bool:
        pull = self.payload.get("pull_request") or {}
        head = ((pull.get("head") or {}).get("repo") or {}).get("full_name")
        return self.event_name in ("pull_request", "pull_request_review") and bool(
            head and head != self.repository
        )


# --- results --------------------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    outcome: str  # success, failure, skipped
    log: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    children: list[StepRun] = field(default_factory=list)


@dataclass
class JobRun:
    name: str
    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""
    annotations: list[Annotation] = field(default_factory=list)
    result: str = "success"  # success, failure, skipped

    def step(self, name: str) -> StepRun:
        found = [step for step in self.all_steps() if step.name == name]
        assert len(found) == 1, f"no single step {name!r} in {[s.name for s in self.steps]}"
        return found[0]

    def all_steps(self) -> Iterator[StepRun]:
        for step in self.steps:
            yield step
            yield from step.children

    @property
    def outcomes(self) -> list[str]:
        return [step.outcome for step in self.steps]

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps)


@dataclass
class WorkflowRun:
    jobs: dict[str, JobRun]

    @property
    def failed(self) -> bool:
        return any(job.result == "failure" for job in self.jobs.values())


# --- the runner -----------------------------------------------------------------------------------


@dataclass
class StepContext:
    """Where a step runs: its job's state and, inside an action, the action's own scope."""

    job: Job
    steps: dict[str, dict[str, Any]]
    failed: list[bool]  # one flag, shared by the steps of a job or of one action
    inputs: dict[str, Any] | None = None
    action_path: Path | None = None
    env: dict[str, str] = field(default_factory=dict)  # an action's: its ``uses`` step's env

    def scope(self, env: Mapping[str, str]) -> Scope:
        runner = self.job.runner
        contexts: dict[str, Any] = {
            "github": runner.github_context(self.action_path),
            "env": dict(env),
            "steps": self.steps,
            "runner": runner.runner_context(),
            "job": {"status": "failure" if self.failed[0] else "success"},
            "needs": self.job.needs,
            "vars": {},
            "matrix": {},
            "strategy": {},
            "inputs": self.inputs if self.inputs is not None else dict(runner.trigger.inputs),
        }
        if self.inputs is None:  # an action sees no secrets, only what its inputs pass
            contexts["secrets"] = runner.secrets_context()
        functions = {
            "success": lambda: not self.failed[0],
            "failure": lambda: self.failed[0],
            "always": lambda: True,
            "cancelled": lambda: False,
            "hashFiles": lambda *patterns: hash_files(runner.workspace, patterns),
        }
        return Scope(contexts, functions)


@dataclass
class Job:
    runner: Runner
    name: str
    definition: Mapping[str, Any]
    workflow: Mapping[str, Any]
    needs: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)  # from GITHUB_ENV
    path: list[str] = field(default_factory=list)  # from GITHUB_PATH, newest first
    run: JobRun = field(init=False)

    def __post_init__(self) -> None:
        self.run = JobRun(self.name)

    @property
    def permissions(self) -> Mapping[str, str] | str | None:
        return self.definition.get("permissions", self.workflow.get("permissions"))

    def may(self, scope: str, access: str = "write") -> bool:
        """Whether the job's token has ``access`` to ``scope`` (``permissions:`` as written;
        a fork's pull request gets read access at most)."""
        granted = self.permissions
        if isinstance(granted, str):
            level = {"write-all": "write", "read-all": "read"}.get(granted, "none")
        elif granted is None:
            level = "read" if scope in ("contents", "metadata") else "none"  # GitHub's default
        else:
            level = str(granted.get(scope, "read" if scope == "metadata" else "none"))
        if self.runner.trigger.from_fork and level == "write":
            level = "read"
        return level == "write" or (access == "read" and level == "read")

    def process_env(self, step_env: Mapping[str, str], action_path: Path | None) -> dict[str, str]:
        base = self.runner.machine_env()
        env = {
            **base,
            **self.runner.str_env(self.workflow.get("env")),
            **self.runner.str_env(self.definition.get("env")),
            **self.env,
            **step_env,
        }
        env["PATH"] = os.pathsep.join([*self.path, base["PATH"]])
        env["GITHUB_JOB"] = self.name
        if action_path is not None:
            env["GITHUB_ACTION_PATH"] = str(action_path)
        return env


@dataclass
class Runner:
    """One runner machine for one trigger: a scratch folder with the runner's layout."""

    root: Path
    home: Home
    trigger: Trigger
    origin: Path | None = None  # the repository actions/checkout clones
    token: str = "ghs_emulated-token"
    api_url: str = "https://api.github.com"
    secrets: Mapping[str, str] = field(default_factory=dict)
    # A runner's own environment (its .env file): what every job on it gets.
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        name = self.trigger.repository.split("/")[-1]
        self.workspace = self.root / "work" / name / name
        self.temp = self.root / "temp"
        self.actions = self.root / "work" / "_actions"
        self.tool_cache = self.root / "hostedtoolcache"
        self.home_dir = self.root / "home"
        for folder in (self.workspace, self.temp, self.actions, self.tool_cache, self.home_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.event_path = self.temp / "_github_workflow" / "event.json"
        self.artifacts: dict[str, Path] = {}  # what a job uploaded, by name, for later jobs

    # --- contexts ---

    def github_context(self, action_path: Path | None = None) -> dict[str, Any]:
        trigger = self.trigger
        pull = trigger.payload.get("pull_request") or {}
        return {
            "event_name": trigger.event_name,
            "event": trigger.payload,
            "repository": trigger.repository,
            "repository_owner": trigger.repository.split("/")[0],
            "ref": trigger.ref,
            "ref_name": ref_name(trigger.ref),
            "sha": trigger.sha,
            "base_ref": (pull.get("base") or {}).get("ref", ""),
            "head_ref": (pull.get("head") or {}).get("ref", ""),
            "token": self.token,
            "workspace": str(self.workspace),
            "action_path": str(action_path) if action_path else "",
            "api_url": self.api_url,
            "server_url": "https://github.com",
            "run_id": "1001",
            "run_attempt": "1",
            "actor": str((trigger.payload.get("sender") or {}).get("login", "mona")),
        }

    def runner_context(self) -> dict[str, str]:
        return {
            "os": "Linux",
            "arch": "X64",
            "temp": str(self.temp),
            "tool_cache": str(self.tool_cache),
        }

    def secrets_context(self) -> dict[str, str]:
        if self.trigger.from_fork:
            return {"GITHUB_TOKEN": self.token}  # GitHub passes no other secret to a fork's run
        return {"GITHUB_TOKEN": self.token, **self.secrets}

    def machine_env(self) -> dict[str, str]:
        github = self.github_context()
        env = {
            "PATH": SYSTEM_PATH,
            "HOME": str(self.home_dir),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_TOOL_CACHE": str(self.tool_cache),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_PATH": str(self.event_path),
            **{f"GITHUB_{key.upper()}": str(github[key]) for key in GITHUB_VARIABLES},
        }
        return {**env, **offline_network(self.home), **self.extra_env}

    @staticmethod
    def str_env(env: Any) -> dict[str, str]:
        return {str(k): str(v) for k, v in (env or {}).items()}

    # --- a workflow ---

    def run(self, workflow: Mapping[str, Any]) -> WorkflowRun | None:
        """Every job of the workflow, in the order of their ``needs``; None when ``on:``
        does not select this trigger (GitHub starts no run at all)."""
        if not triggered(workflow, self.trigger):
            return None
        done: dict[str, JobRun] = {}
        for name in job_order(workflow["jobs"]):
            definition = workflow["jobs"][name]
            needs = [definition["needs"]] if isinstance(definition.get("needs"), str) else []
            needs = needs or list(definition.get("needs") or [])
            needs_context = {n: {"result": done[n].result, "outputs": {}} for n in needs}
            job = Job(self, name, definition, workflow, needs_context)
            if any(done[n].result != "success" for n in needs):
                job.run.result = "skipped"
            else:
                self.run_job(job)
            done[name] = job.run
        return WorkflowRun(done)

    def run_job(self, job: Job) -> None:
        """On a machine of its own: a fresh workspace and temporary folder, as every job has."""
        for folder in (self.workspace, self.temp):
            shutil.rmtree(folder)
            folder.mkdir(parents=True)
        self.event_path.parent.mkdir(parents=True, exist_ok=True)
        self.event_path.write_text(_json(self.trigger.payload), encoding="utf-8")
        context = StepContext(job, steps={}, failed=[False])
        if "if" in job.definition and not context.scope({}).condition(job.definition["if"]):
            job.run.result = "skipped"
            return
        job.run.steps = self.run_steps(job.definition.get("steps", []), context)
        job.run.result = "failure" if context.failed[0] else "success"

    def run_steps(self, steps: list[Mapping[str, Any]], context: StepContext) -> list[StepRun]:
        from tests.action_standins import run_uses  # the stand-ins call back into the runner

        done = []
        for index, step in enumerate(steps):
            name = str(step.get("name") or step.get("uses") or f"Run {step.get('run', '')}")
            visible = {**self.visible_env(context.job), **context.env}
            scope = context.scope(visible)
            if not scope.condition(step.get("if")):
                done.append(StepRun(name, "skipped"))
                record(context, step, "skipped", {}, at=index)
                continue
            own = {k: to_string(scope.value_of(str(v))) for k, v in (step.get("env") or {}).items()}
            step_env = {**context.env, **own}
            scope = context.scope({**visible, **own})
            if "uses" in step:
                result = run_uses(self, context, step, scope, step_env, name)
            else:
                result = self.run_script(context, step, scope, step_env, name)
            done.append(result)
            if result.outcome == "failure" and step.get("continue-on-error") is not True:
                context.failed[0] = True
            conclusion = "success" if step.get("continue-on-error") is True else result.outcome
            record(context, step, conclusion, result.outputs, outcome=result.outcome, at=index)
        return done

    def visible_env(self, job: Job) -> dict[str, str]:
        """The ``env`` context: the workflow's, the job's and what GITHUB_ENV added."""
        workflow_env = self.str_env(job.workflow.get("env"))
        return {**workflow_env, **self.str_env(job.definition.get("env")), **job.env}

    def run_script(
        self,
        context: StepContext,
        step: Mapping[str, Any],
        scope: Scope,
        step_env: Mapping[str, str],
        name: str,
    ) -> StepRun:
        shell = step.get("shell")
        if context.action_path is not None and shell is None:
            raise EmulatorGap(f"{name}: a composite action's run step must name its shell")
        script = scope.interpolate(str(step["run"]))
        cwd = self.workspace / scope.interpolate(str(step.get("working-directory", ".")))
        return self.execute(context.job, name, script, shell, step_env, cwd, context.action_path)

    def execute(
        self,
        job: Job,
        name: str,
        script: str,
        shell: str | None,
        step_env: Mapping[str, str],
        cwd: Path,
        action_path: Path | None = None,
    ) -> StepRun:
        files = self.temp / "_runner_file_commands" / uuid.uuid4().hex
        files.mkdir(parents=True)
        commands = {
            key: files / key.lower() for key in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT")
        }
        commands["GITHUB_STEP_SUMMARY"] = files / "summary"
        for path in commands.values():
            path.touch()
        script_file = self.temp / f"{uuid.uuid4().hex}.sh"
        script_file.write_text(script, encoding="utf-8")
        template = SHELLS.get(shell, shell if shell and "{0}" in shell else f"{shell} {{0}}")
        command = str(template).replace("{0}", str(script_file)).split()
        env = {**job.process_env(step_env, action_path), **{k: str(v) for k, v in commands.items()}}
        try:
            done = subprocess.run(
                command,
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=STEP_TIMEOUT_SECONDS,
                check=False,
            )
        except FileNotFoundError as error:
            return StepRun(name, "failure", f"{error}\n")
        job.env.update(read_key_values(commands["GITHUB_ENV"]))
        job.path[:0] = reversed(read_paths(commands["GITHUB_PATH"]))
        job.run.summary += commands["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        job.run.annotations += annotations_of(done.stdout)
        outcome = "success" if done.returncode == 0 else "failure"
        return StepRun(name, outcome, done.stdout, read_key_values(commands["GITHUB_OUTPUT"]))


GITHUB_VARIABLES = (
    "event_name",
    "repository",
    "repository_owner",
    "ref",
    "ref_name",
    "sha",
    "base_ref",
    "head_ref",
    "api_url",
    "server_url",
    "run_id",
    "run_attempt",
    "actor",
)


def record(
    context: StepContext,
    step: Mapping[str, Any],
    conclusion: str,
    outputs: Mapping[str, str],
    *,
    outcome: str | None = None,
    at: int = 0,
) -> None:
    """The step in its ``steps`` context (by its id; GitHub names the others ``__N``)."""
    key = str(step.get("id") or f"__{at}")
    context.steps[key] = {
        "outputs": dict(outputs),
        "outcome": outcome or conclusion,
        "conclusion": conclusion,
    }


def ref_name(ref: str) -> str:
    """``refs/heads/a/b`` is ``a/b``; ``refs/pull/5/merge`` is ``5/merge``."""
    for prefix in ("refs/heads/", "refs/tags/", "refs/pull/"):
        if ref.startswith(prefix):
            return ref.removeprefix(prefix)
    return ref


def offline_network(home: Home) -> dict[str, str]:
    """What stands in for the internet: the project from ``home``, packages from the test
    environment (pip's index off, its site-packages importable, no build isolation)."""
    return {
        **home.git_redirect(),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling: 0 turns build isolation off
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": str(index_packages()),
    }


@functools.cache
def index_packages() -> Path:
    """What PyPI would serve, offline: the test environment's site-packages without rfc-bot
    itself (a folder of links), so the action installs rfc-bot from its own files."""
    folder = Path(tempfile.mkdtemp(prefix="rfc-bot-index-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for packages in map(Path, site.getsitepackages()):
        for entry in packages.iterdir():
            name = entry.name.lower()
            if name.startswith(("rfc_bot", "__editable__")) or name.endswith(".pth"):
                continue
            if not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry)
    return folder


def triggered(workflow: Mapping[str, Any], trigger: Trigger) -> bool:
    """Whether ``on:`` starts a run for this trigger (event, activity type, branch, paths)."""
    # YAML 1.1 reads a bare `on` key as True.
    on = workflow.get("on", workflow.get(True))  # type: ignore[call-overload]
    if isinstance(on, str):
        on = {on: None}
    elif isinstance(on, list):
        on = dict.fromkeys(on)
    if not isinstance(on, dict) or trigger.event_name not in on:
        return False
    options = on[trigger.event_name] or {}
    if "types" in options and trigger.action not in options["types"]:
        return False
    branch = trigger.ref.removeprefix("refs/heads/")
    if trigger.event_name in ("pull_request", "pull_request_target"):
        branch = trigger.payload["pull_request"]["base"]["ref"]
    if "branches" in options and not any(_glob(p, branch) for p in options["branches"]):
        return False
    if "paths" in options:
        if trigger.changed is None:
            raise EmulatorGap("the workflow filters on paths: give the trigger its changed files")
        return any(_glob(pattern, path) for pattern in options["paths"] for path in trigger.changed)
    return True


def _glob(pattern: str, path: str) -> bool:
    """GitHub's filter patterns: ``*`` within a folder, ``**`` across them, ``?`` one
    character."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    wildcards = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.fullmatch("".join(wildcards.get(p, re.escape(p)) for p in parts), path) is not None


def job_order(jobs: Mapping[str, Any]) -> list[str]:
    order: list[str] = []

    def visit(name: str, seen: tuple[str, ...] = ()) -> None:
        if name in order:
            return
        if name in seen:
            raise EmulatorGap(f"jobs need each other: {' -> '.join((*seen, name))}")
        needs = jobs[name].get("needs") or []
        for need in [needs] if isinstance(needs, str) else needs:
            visit(need, (*seen, name))
        order.append(name)

    for name in jobs:
        visit(name)
    return order


def _json(value: Any) -> str:
    return json.dumps(value)
