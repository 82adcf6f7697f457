"""``rfc-bot audit``: each RFC's status history, and whether each move was proven.

The history is the local checkout's (default) or, with ``--github OWNER/REPO``, the
repository's default branch read through GitHub's API (``bot.cli.audit_github``). The
verdicts are ``bot.policy.audit``'s; the App's proofs are checked with the key derived from
its secret (``--secret-env``).

Exit status: 0 when every move that needs the App's proof has one that holds, 1 when any is
unproven or unverified (no key), 2 for usage errors (no git repository, unknown directory).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from pathlib import Path

from bot.cli.commands import CliError, Subcommands, add_command, add_config_option
from bot.cli.project import display, load_project_config
from bot.local.git import GitError, GitHistory
from bot.policy.audit import AuditPlan, ProofKey
from bot.policy.audit_report import FORMATS, AuditReport, render
from bot.rfc.config.public import Config
from bot.rfc.paths import is_rfc_path

REPO_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def add_commands(commands: Subcommands) -> None:
    audit = add_command(
        commands,
        "audit",
        cmd_audit,
        "Each RFC's status history, and whether each move was proven (the App's signed trailers).",
    )
    audit.add_argument(
        "dir", nargs="?", metavar="RFC_DIR", help="the RFC directory (default: rfc_dir)"
    )
    audit.add_argument(
        "--format", choices=FORMATS, default="text", help="the report's format (default: text)"
    )
    audit.add_argument(
        "--github",
        metavar="OWNER/REPO",
        help="read the default branch's history through GitHub's API (GITHUB_TOKEN, "
        "GITHUB_API_URL) instead of the local checkout",
    )
    audit.add_argument(
        "--repo",
        metavar="OWNER/REPO",
        help="the checkout's GitHub repository, which the proofs name (default: "
        "GITHUB_REPOSITORY, else the origin remote)",
    )
    audit.add_argument(
        "--secret-env",
        metavar="NAME",
        help="the variable holding the App's secret (default: RFC_BOT_SECRET, else "
        "GITHUB_WEBHOOK_SECRET)",
    )
    add_config_option(audit)


def cmd_audit(args: argparse.Namespace) -> int:
    key = ProofKey.from_environ(os.environ, args.secret_env)
    for option in ("github", "repo"):
        value = getattr(args, option)
        if value is not None and not REPO_NAME.match(value):
            raise CliError(f"--{option} takes OWNER/REPO, not {value!r}")
    if args.github:
        from bot.cli.audit_github import github_audit  # only this path talks to GitHub

        report = github_audit(args.github, args.dir, args.config, key)
    else:
        report = local_audit(args.dir, load_project_config(args.config), key, args.repo)
    sys.stdout.write(render(report, args.format))
    return 0 if report.ok else 1


def local_audit(
    directory: str | None, config: Config, key: ProofKey, repo: str | None = None
) -> AuditReport:
    """The audit of the RFC directory in the history of the checkout's HEAD."""
    try:
        history = GitHistory.open(Path.cwd())
        where = Path(directory) if directory else history.root / config.rfc_dir
        if not where.is_dir():
            raise CliError(f"no such directory: {display(where)}")
        try:
            relative = where.resolve().relative_to(history.root.resolve()).as_posix()
        except ValueError:
            raise CliError(f"{display(where)} is outside the git repository") from None
        relative = "" if relative == "." else relative
        config = dataclasses.replace(config, rfc_dir=relative)
        repo = repo or os.environ.get("GITHUB_REPOSITORY") or history.remote_repo()
        if key.key is not None and repo is None:
            raise CliError("the proofs name the GitHub repository: pass --repo OWNER/REPO")
        paths = [path for path in history.files(relative) if is_rfc_path(path, config)]
        touches, commits = history.touches(relative)
        plan = AuditPlan.of(paths, history.head, history.graph(), touches)
        rfcs = plan.audit(commits, history.versions(plan.reads()), config, key.verifier(repo or ""))
    except GitError as error:
        raise CliError(str(error)) from None
    return AuditReport(rfcs, "git", history.head, repo, key.hint)
