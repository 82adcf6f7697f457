"""``rfc-bot config --effective``: the config a repository runs on, every value with the file
and line it came from, the files it extends followed as the App follows them.

The repository's own file is the local one (``FILE``, else ``.github/rfc-bot.yml`` found
upwards), so an edit can be seen before it is committed. ``--repo OWNER/NAME`` names the
repository it belongs to (``_extends: .github`` means that owner's ``.github``). The extended
files are read from copies given with ``--extends-from PATH`` (in the chain's order), else
from GitHub through ``GITHUB_TOKEN`` (none: anonymous) at ``GITHUB_API_URL``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.commands import PROG, CliError
from bot.cli.project import display, read_text
from bot.features.config import Chain, ExtendedFiles, Fetch, Fetched, fetch_extended, follow
from bot.policy.config_extends import Home, sources_sentence
from bot.rfc.config.public import (
    ConfigError,
    ConfigFile,
    ExtendsTarget,
    effective_yaml,
    merge_layers,
    origins,
    parse_config_file,
)

DEFAULT_API_URL = "https://api.github.com"
NO_FILE = "(no config file)"


def show_effective(local: Path | None, repo: str | None, copies: Sequence[str]) -> int:
    """Print the effective config on stdout and its problems on stderr: exit 1 when there
    are problems, 0 when none."""
    file = _local_file(local)
    if file.extends is not None and repo is None:
        raise CliError(
            f"{file.source} extends '{file.extends}': name the repository it belongs to with "
            "--repo OWNER/NAME (the extended files are read from GitHub, or from copies given "
            "with --extends-from PATH)"
        )
    home = _home(repo)
    chain = asyncio.run(_follow(home, file, [Path(copy) for copy in copies]))
    effective = chain.settle()
    targets = {link.file.source: link.target for link in chain.links}
    applied = [
        f"{source} (for {targets[source]})" if targets.get(source) else source
        for source in effective.settled.applied
    ]
    header = [f"The effective configuration of {repo or file.source}: {sources_sentence(applied)}."]
    found = origins(merge_layers(list(effective.files)))
    sys.stdout.write(effective_yaml(effective.config, found, header))
    for problem in effective.settled.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    return 1 if effective.settled.problems else 0


def _local_file(path: Path | None) -> ConfigFile:
    if path is None:
        return parse_config_file("", NO_FILE)
    try:
        return parse_config_file(read_text(path), display(path))
    except ConfigError as error:  # not YAML at all: nothing of it can be shown
        for problem in error.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        raise CliError(f"{display(path)} cannot be read as YAML") from None


def _home(repo: str | None) -> Home:
    if repo is None:
        return Home("", "")
    owner, slash, name = repo.partition("/")
    if not (slash and owner and name and "/" not in name):
        raise CliError(f"--repo {repo!r}: write OWNER/NAME, e.g. octo-org/rfcs")
    return Home(owner, name)


async def _follow(home: Home, file: ConfigFile, copies: list[Path]) -> Chain:
    if copies or file.extends is None:
        return await follow(home, file, _from_copies(copies))
    import aiohttp
    import gidgethub

    from bot.clock import epoch_seconds, system_clock
    from bot.github.client import INTERACTIVE_ATTEMPTS, GitHubClient

    api_url = (os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    token = os.environ.get("GITHUB_TOKEN") or None
    files = ExtendedFiles()
    async with aiohttp.ClientSession() as session:
        gh = GitHubClient(
            session,
            base_url=api_url,
            oauth_token=token,
            wall_clock=epoch_seconds(system_clock),
            max_attempts=INTERACTIVE_ATTEMPTS,
        )

        async def fetch(target: ExtendsTarget) -> Fetched | str:
            return await fetch_extended(gh, target, files, home_owner=home.owner)

        try:
            return await follow(home, file, fetch)
        except (gidgethub.GitHubException, aiohttp.ClientError, TimeoutError) as error:
            reason = str(error) or type(error).__name__
            raise CliError(f"cannot read the extended files at {api_url}: {reason}") from None


def _from_copies(copies: list[Path]) -> Fetch:
    """Each extended file from the next copy, in the order given."""
    waiting = list(copies)

    async def fetch(target: ExtendsTarget) -> Fetched | str:
        if not waiting:
            return "not read: give a copy of it with another --extends-from PATH"
        path = waiting.pop(0)
        try:
            return Fetched(parse_config_file(read_text(path), display(path)), display(path))
        except ConfigError as error:
            return Fetched(error, display(path))

    return fetch
