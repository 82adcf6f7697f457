"""``rfc-bot audit --github OWNER/REPO``: the audit of a repository's default branch.

Read through GitHub's REST API (``bot.github.history``) with ``GITHUB_TOKEN`` (none:
anonymous) at ``GITHUB_API_URL`` (default https://api.github.com). The config is the one on
that branch, unless ``--config`` names a local file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os

import aiohttp
import gidgethub
from gidgethub.abc import GitHubAPI

from bot.cli.commands import CliError
from bot.cli.project import load_project_config
from bot.clock import epoch_seconds, system_clock
from bot.github.client import INTERACTIVE_ATTEMPTS, GitHubClient
from bot.github.contents import get_file
from bot.github.history import (
    branch_graph,
    default_branch_head,
    directory_files,
    directory_touches,
    file_versions,
)
from bot.policy.audit import AuditPlan, ProofKey
from bot.policy.audit_report import AuditReport
from bot.rfc.config.public import CONFIG_PATH, Config, ConfigError, load_config
from bot.rfc.paths import is_rfc_path

DEFAULT_API_URL = "https://api.github.com"


def github_audit(
    repo: str, directory: str | None, config_file: str | None, key: ProofKey
) -> AuditReport:
    """The command's GitHub path: the environment's token and API, one event loop."""
    config = load_project_config(config_file) if config_file else None
    api_url = (os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    token = os.environ.get("GITHUB_TOKEN") or None
    return asyncio.run(read_github_audit(repo, api_url, token, key, directory, config))


async def read_github_audit(
    repo: str,
    api_url: str,
    token: str | None,
    key: ProofKey,
    directory: str | None = None,
    config: Config | None = None,
) -> AuditReport:
    """The audit of ``repo``'s default branch; CliError in one line when GitHub says no."""
    async with aiohttp.ClientSession() as session:
        gh = GitHubClient(
            session,
            base_url=api_url,
            oauth_token=token,
            wall_clock=epoch_seconds(system_clock),
            max_attempts=INTERACTIVE_ATTEMPTS,
        )
        try:
            return await _audit(gh, repo, key, directory, config)
        except gidgethub.BadRequest as error:
            raise CliError(f"GitHub answered {error.status_code} for {repo}: {error}") from None
        except (gidgethub.GitHubException, aiohttp.ClientError, TimeoutError) as error:
            reason = str(error) or type(error).__name__
            raise CliError(f"cannot read {repo} at {api_url}: {reason}") from None


async def _audit(
    gh: GitHubAPI, repo: str, key: ProofKey, directory: str | None, config: Config | None
) -> AuditReport:
    head = await default_branch_head(gh, repo)
    config = config or await _branch_config(gh, repo, head)
    relative = (directory or config.rfc_dir).strip("/")
    config = dataclasses.replace(config, rfc_dir=relative)
    files = await directory_files(gh, repo, head, relative)
    if files is None:
        raise CliError(f"no such directory in {repo}: {relative or '/'}")
    paths = [path for path in files if is_rfc_path(path, config)]
    touches, commits = await directory_touches(gh, repo, head, relative)
    plan = AuditPlan.of(paths, head, await branch_graph(gh, repo, head), touches)
    versions = await file_versions(gh, repo, plan.reads())
    rfcs = plan.audit(commits, versions, config, key.verifier(repo))
    return AuditReport(rfcs, "github", head, repo, key.hint)


async def _branch_config(gh: GitHubAPI, repo: str, head: str) -> Config:
    raw = await get_file(gh, repo, CONFIG_PATH, head)
    if raw is None:
        return Config()
    try:
        return load_config(raw.decode("utf-8", errors="replace"), f"{repo}:{CONFIG_PATH}")
    except ConfigError as error:
        raise CliError(str(error)) from None
