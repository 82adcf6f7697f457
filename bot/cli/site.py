"""``rfc-bot site``: build the static site of the RFCs (HTML pages, ``rfcs.json``, an Atom
feed of changes and one of decisions), writing only what changed.

The decisions feed comes from the git history of the checkout, judged as ``rfc-bot audit``
judges it (with the App's key when ``RFC_BOT_SECRET`` or ``GITHUB_WEBHOOK_SECRET`` is set);
without a history it is empty, and the command says why on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.commands import CliError, Subcommands, add_command, add_config_option
from bot.cli.project import display, load_project_config, project_root, reason
from bot.rfc.config.public import Config

if TYPE_CHECKING:
    from bot.policy.audit import RfcAudit


def add_commands(commands: Subcommands) -> None:
    site = add_command(
        commands, "site", cmd_site, "Build a static site of the RFCs (HTML, rfcs.json, Atom)."
    )
    site.add_argument(
        "dir", nargs="?", metavar="RFC_DIR", help="the RFC directory (default: rfc_dir)"
    )
    site.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write it")
    site.add_argument("--repo-url", metavar="URL", help="https://github.com/OWNER/REPO: edit links")
    site.add_argument("--branch", default="main", help="the branch edit links open (default: main)")
    site.add_argument("--site-url", metavar="URL", help="where the site is published (feed links)")
    add_config_option(site)


def cmd_site(args: argparse.Namespace) -> int:
    # Imported here: only this command renders HTML.
    from bot.site.build import SiteOptions, build_site

    config = load_project_config(args.config)
    root = project_root()
    directory = Path(args.dir) if args.dir else root / config.rfc_dir
    if not directory.is_dir():
        raise CliError(f"no such directory: {display(directory)}")
    for option, url in (("--repo-url", args.repo_url), ("--site-url", args.site_url)):
        if url is not None and not url.startswith(("https://", "http://")):
            raise CliError(f"{option} must start with https:// or http://: {url!r}")
    out = Path(args.output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        options = SiteOptions(args.repo_url, args.branch, args.site_url)
        report = build_site(directory, out, config, root, options, _decisions(directory, config))
    except OSError as error:
        raise CliError(f"cannot write the site to {display(out)}: {reason(error)}") from None
    for name in report.skipped:
        print(
            f"{display(directory / name)}: skipped: a symbolic link, never followed",
            file=sys.stderr,
        )
    print(
        f"{display(out)}: {report.rfcs} RFCs; {len(report.linted)} read, "
        f"{len(report.written)} files written, {len(report.removed)} removed"
    )
    return 0


def _decisions(directory: Path, config: Config) -> Sequence[RfcAudit]:
    """The RFC directory's status moves from the checkout's git history, proofs checked with
    the App's key when it is set (and the repository is known); none without a history."""
    from bot.cli.audit import local_audit
    from bot.policy.audit import ProofKey

    key = ProofKey.from_environ(os.environ)
    for attempt in (key, ProofKey(None)):
        try:
            return local_audit(str(directory), config, attempt).rfcs
        except CliError as error:
            problem = str(error)
    print(f"decisions.atom: no decision history ({problem})", file=sys.stderr)
    return ()
