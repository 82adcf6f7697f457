"""The App's commands: ``serve``, ``demo``, ``action`` and ``register``.

Each imports what it runs only when it runs (the server, the simulator, the Actions runner,
the manifest flow), so the RFC commands start without loading the App.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.cli.commands import CliError, Subcommands, add_command

DEMO_NEEDS_CHECKOUT = (
    "the demo runs on the GitHub simulator, which lives in a checkout of rfc-bot (it is not part "
    "of the installed App): in a clone, run "
    "`python3 -m venv .venv && .venv/bin/pip install -e '.[demo]' && .venv/bin/python -m bot demo`"
)


def add_commands(commands: Subcommands) -> None:
    serve = add_command(commands, "serve", cmd_serve, "Run the GitHub App webhook server.")
    serve.add_argument(
        "--workers",
        type=_process_count,
        metavar="N",
        help="serving processes on the one port (default: WEB_CONCURRENCY, else one per CPU)",
    )
    serve.add_argument(
        "--env-file",
        metavar="FILE",
        help="read settings from FILE (default: ./.env when present); "
        "variables already in the environment win",
    )
    demo = add_command(
        commands, "demo", cmd_demo, "Run the App against the built-in GitHub simulator."
    )
    demo.add_argument(
        "--dashboard",
        action="store_true",
        help="serve the live dashboard on the simulator (sign in there) until Ctrl-C",
    )
    demo.add_argument(
        "--port", type=int, default=8000, help="the dashboard's port (default: 8000; 0: any)"
    )
    action = add_command(
        commands,
        "action",
        cmd_action,
        "Run the App once for the GitHub Actions event of this job (GITHUB_EVENT_NAME).",
    )
    action.add_argument(
        "--env-file",
        metavar="FILE",
        help="read settings from FILE too (never ./.env unasked: a checkout is not trusted); "
        "variables already in the environment win",
    )
    _add_register(commands)


def _add_register(commands: Subcommands) -> None:
    register = add_command(
        commands,
        "register",
        cmd_register,
        "Create the GitHub App from app.yml (GitHub's manifest flow).",
    )
    register.add_argument("--org", metavar="ORG", help="an organisation's App (default: yours)")
    register.add_argument(
        "--github-url",
        default="https://github.com",
        metavar="URL",
        help="GitHub's web address (Enterprise Server: https://HOSTNAME; default: github.com)",
    )
    register.add_argument(
        "--api-url",
        metavar="URL",
        help="GitHub's API (default: from --github-url: api.github.com, or URL/api/v3)",
    )
    register.add_argument(
        "--manifest",
        default="app.yml",
        metavar="FILE",
        help="the App manifest to register (default: app.yml)",
    )
    register.add_argument(
        "--webhook-url",
        metavar="URL",
        help="where GitHub sends webhooks: https://YOUR-HOST/webhook (default: app.yml's hook URL)",
    )
    register.add_argument(
        "--local",
        action="store_true",
        help="a trial App on this machine: accept a placeholder, private or http webhook URL",
    )
    register.add_argument(
        "--public-url",
        metavar="URL",
        help="where browsers reach the App (the dashboard's sign-in); "
        "default: the webhook URL without /webhook",
    )
    register.add_argument(
        "--env-file",
        "--env",
        dest="env_file",
        default=".env",
        metavar="FILE",
        help="the .env file to write, which `serve --env-file` reads (default: .env)",
    )
    register.add_argument(
        "--key-file", metavar="FILE", help="write the private key here, its path in the .env"
    )
    register.add_argument(
        "--force", action="store_true", help="replace an existing .env (and key file)"
    )
    register.add_argument(
        "--port",
        type=int,
        default=0,
        help="the port of the local page on 127.0.0.1 (default: 0, any free port)",
    )
    register.add_argument("--no-browser", action="store_true", help="only print the page's URL")


def _process_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected a number of processes from 1 to 64: {text!r}")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.cli.env_file import announce, settings_environ
    from bot.serve.supervisor import main as serve_main
    from bot.serve.worker import ENV_INDEX

    if ENV_INDEX in os.environ:  # a worker: its supervisor passed the settings it read on
        return serve_main(args.workers)
    source = settings_environ(args.env_file, os.environ)
    announce(source)
    return serve_main(args.workers, source.environ)


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from sandbox.dashboard_demo import main as dashboard_main
        from sandbox.demo import main as demo_main
    except ModuleNotFoundError as error:  # sandbox itself, or jsonschema (the demo extra)
        if error.name not in ("sandbox", "jsonschema"):
            raise
        raise CliError(DEMO_NEEDS_CHECKOUT) from error
    if args.dashboard:
        return dashboard_main(args.port)
    return demo_main() or 0


def cmd_action(args: argparse.Namespace) -> int:
    from bot.cli.action import ActionError
    from bot.cli.action import main as action_main
    from bot.cli.env_file import announce, settings_environ

    # No default file: in a workflow the working directory is a checkout, maybe of a pull
    # request, whose .env must never set the App's secret or whose comments count as its own.
    source = settings_environ(args.env_file, os.environ, default=None)
    announce(source)
    try:
        return action_main(source.environ)
    except ActionError as error:
        raise CliError(str(error)) from None


def cmd_register(args: argparse.Namespace) -> int:
    from bot.cli.register import Options
    from bot.cli.register import main as register_main

    options = Options(
        manifest_path=Path(args.manifest),
        env_path=Path(args.env_file),
        org=args.org,
        github_url=args.github_url,
        api_url=args.api_url,
        webhook_url=args.webhook_url,
        public_url=args.public_url,
        key_file=Path(args.key_file) if args.key_file else None,
        force=args.force,
        port=args.port,
        local=args.local,
    )
    return register_main(options, open_browser=not args.no_browser)
