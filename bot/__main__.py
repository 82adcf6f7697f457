"""The ``rfc-bot`` command line: lint, new, rules, config, index, site, completion, serve,
demo, action, register.

Exit codes: 0 success (warnings allowed), 1 lint errors or a failed ``--check``,
2 usage or I/O errors (one ``rfc-bot: error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import NoReturn

from bot import __version__
from bot.local.git import GitError, GitRevision, git_root
from bot.rfc.config import CONFIG_PATH, Config, ConfigError, default_config_yaml, load_config
from bot.rfc.diagnostics import Severity, has_errors
from bot.rfc.edits import INDEX_START, fill_template, update_index
from bot.rfc.paths import slugify
from bot.rfc.report import FORMATS, render
from bot.rfc.tree import (
    MissingPath,
    UnreadableFile,
    changed_only,
    collect_targets,
    index_entries,
    lint_tree,
)

PROG = "rfc-bot"
COLOR_MODES = ("auto", "always", "never")
COMPLETION_SHELLS = ("bash", "zsh", "tcsh")


class CliError(Exception):
    """A usage or I/O problem: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)")


# --- Locating the project ------------------------------------------------------------------


def _today() -> date:
    return datetime.now(UTC).date()


def _project_root() -> Path:
    """The git work tree holding the current directory, else the current directory."""
    cwd = Path.cwd().resolve()
    return git_root(cwd) or cwd


def _find_config() -> Path | None:
    """``.github/rfc-bot.yml`` in the current directory or a parent, up to the git root."""
    cwd = Path.cwd().resolve()
    stop = git_root(cwd)
    for directory in (cwd, *cwd.parents):
        candidate = directory / CONFIG_PATH
        if candidate.is_file():
            return candidate
        if directory == stop:
            break
    return None


def _display(path: Path) -> str:
    """The path relative to the current directory when below it, with '/' separators."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {_display(path)}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def _load_config(explicit: str | None) -> Config:
    path = Path(explicit) if explicit else _find_config()
    if path is None:
        return Config()
    if not path.is_file():
        raise CliError(f"config file not found: {explicit}")
    try:
        return load_config(_read_text(path), _display(path))
    except ConfigError as error:
        raise CliError(str(error)) from None


# --- lint ----------------------------------------------------------------------------------


def _index_fix(directory: Path) -> str:
    return f"run `{PROG} index {_display(directory)}` to regenerate it"


def _default_rfc_dir(config: Config) -> str:
    """The configured RFC directory, for a command run with no path: it must exist."""
    directory = _project_root() / config.rfc_dir
    if not directory.is_dir():
        raise CliError(
            f"no such directory: {_display(directory)} (the configured rfc_dir); give a PATH"
        )
    return str(directory)


def cmd_lint(args: argparse.Namespace) -> int:
    config = _load_config(args.config)
    paths = args.paths or [_default_rfc_dir(config)]
    try:
        targets = collect_targets(paths, config)
        base = GitRevision.open(Path.cwd(), args.base) if args.base else None
        if args.changed:
            if base is None:
                raise CliError("--changed needs --base GIT_REF")
            targets = changed_only(targets, base)
        reports = lint_tree(targets, _project_root(), config, base=base, index_fix=_index_fix)
    except MissingPath as error:
        raise CliError(f"no such file or directory: {error.path}") from None
    except UnreadableFile as error:
        raise CliError(f"cannot read {_display(error.path)}: {_reason(error.error)}") from None
    except GitError as error:
        raise CliError(str(error)) from None
    colour = args.format == "text" and use_colour(args.color, sys.stdout.isatty(), os.environ)
    sys.stdout.write(render(reports, args.format, color=colour))
    return 1 if has_errors([d for report in reports for d in report.diagnostics]) else 0


def use_colour(mode: str, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """``--color``: ``always`` and ``never`` win over the environment (as no-color.org asks of
    a command-line flag); ``auto`` colours a terminal unless ``NO_COLOR`` is set and non-empty.
    """
    if mode != "auto":
        return mode == "always"
    return is_terminal and not environ.get("NO_COLOR")


# --- new -----------------------------------------------------------------------------------


def _bundled_template() -> str:
    return resources.files("bot.rfc").joinpath("template.md").read_text(encoding="utf-8")


def _check_authors(text: str) -> None:
    """Refuse the authors the ``authors`` lint rule would reject: the check runs on the
    Author(s) value as the linter parses it back from the file about to be written."""
    # Lazy: only `new --author` reads the file back, with the lint rule's own check.
    from bot.rfc.document import parse
    from bot.rfc.rules.metadata import author_problems

    written = parse(text).metadata.get("Author(s)")
    problems = author_problems(written.value if written else "")
    if problems:
        raise CliError(f"--author: {problems[0]}")


def cmd_new(args: argparse.Namespace) -> int:
    config = _load_config(args.config)
    title = args.title.strip()
    if not title or "\n" in title:
        raise CliError("the title must be one non-empty line")
    unknown = [app for app in args.app if app not in config.target_apps]
    if unknown:
        known = ", ".join(config.target_apps)
        raise CliError(f"unknown application {unknown[0]!r}; known applications: {known}")
    if any("\n" in author or "\r" in author for author in args.author):
        raise CliError("an --author must be one line")
    directory = Path(args.dir) if args.dir else _project_root() / config.rfc_dir
    path = directory / f"{'0' * config.number_width}-{slugify(title)}.md"
    text = fill_template(
        _bundled_template(),
        title=title,
        status=config.initial_status,
        today=_today(),
        apps=args.app,
        authors=args.author,
    )
    if args.author:
        _check_authors(text)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="") as file:
            file.write(text)
    except FileExistsError:
        if not directory.is_dir():  # mkdir met a file where the directory should be
            raise CliError(
                f"cannot write {_display(path)}: {_display(directory)} is a file"
            ) from None
        raise CliError(f"{_display(path)} already exists; not overwriting it") from None
    except OSError as error:
        raise CliError(f"cannot write {_display(path)}: {_reason(error)}") from None
    print(_display(path))
    return 0


# --- rules, config -------------------------------------------------------------------------


def cmd_rules(args: argparse.Namespace) -> int:
    from bot.rfc.rules import RULES

    width = max((len(rule.id) for rule in RULES), default=0)
    for rule in RULES:
        print(f"{rule.id:<{width}}  {Severity(rule.severity).value:<7}  {rule.summary}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    if args.defaults:
        sys.stdout.write(default_config_yaml())
        return 0
    path = Path(args.check) if args.check else _find_config()
    if path is None:
        print(f"no {CONFIG_PATH} found; the defaults apply")
        return 0
    if not path.is_file():
        raise CliError(f"config file not found: {args.check}")
    try:
        load_config(_read_text(path), _display(path))
    except ConfigError as error:
        for problem in error.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        return 1
    print(f"{_display(path)}: ok")
    return 0


# --- index ---------------------------------------------------------------------------------


def _index_state(existing: str | None) -> str:
    """Why ``index --check`` fails: the file is missing, holds no index yet, or is stale."""
    if existing is None:
        return "does not exist"
    if INDEX_START not in existing:
        return "has no index (no `<!-- rfc-index:start -->` marker)"
    return "is out of date"


def cmd_index(args: argparse.Namespace) -> int:
    config = _load_config(args.config)
    root = _project_root()
    directory = Path(args.dir) if args.dir else root / config.rfc_dir
    if not directory.is_dir():
        raise CliError(f"no such directory: {_display(directory)}")
    index = directory / config.index_file
    existing = _read_text(index) if index.is_file() else None
    entries = index_entries(directory, root, config)
    try:
        updated = update_index(existing, entries)
    except ValueError as error:
        raise CliError(f"{_display(index)}: {error}") from None
    if updated == existing:
        print(f"{_display(index)} is up to date")
        return 0
    if args.check:
        print(
            f"{_display(index)} {_index_state(existing)}; run `{PROG} index {_display(directory)}`"
        )
        return 1
    try:
        with index.open("w", encoding="utf-8", newline="") as file:
            file.write(updated)
    except OSError as error:
        raise CliError(f"cannot write {_display(index)}: {_reason(error)}") from None
    print(f"{'updated' if existing is not None else 'created'} {_display(index)}")
    return 0


# --- site --------------------------------------------------------------------------------


def cmd_site(args: argparse.Namespace) -> int:
    # Imported here: only this command renders HTML.
    from bot.site.build import SiteOptions, build_site

    config = _load_config(args.config)
    root = _project_root()
    directory = Path(args.dir) if args.dir else root / config.rfc_dir
    if not directory.is_dir():
        raise CliError(f"no such directory: {_display(directory)}")
    for option, url in (("--repo-url", args.repo_url), ("--site-url", args.site_url)):
        if url is not None and not url.startswith(("https://", "http://")):
            raise CliError(f"{option} must start with https:// or http://: {url!r}")
    out = Path(args.output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        options = SiteOptions(args.repo_url, args.branch, args.site_url)
        report = build_site(directory, out, config, root, options)
    except OSError as error:
        raise CliError(f"cannot write the site to {_display(out)}: {_reason(error)}") from None
    print(
        f"{_display(out)}: {report.rfcs} RFCs; {len(report.linted)} read, "
        f"{len(report.written)} files written, {len(report.removed)} removed"
    )
    return 0


# --- completion ----------------------------------------------------------------------------


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab  # imported here: only this command needs it

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


# --- serve, demo, action: imported only when asked for -------------------------------------


def cmd_action(args: argparse.Namespace) -> int:
    from bot.action import ActionError
    from bot.action import main as action_main

    try:
        return action_main()
    except ActionError as error:
        raise CliError(str(error)) from None


def cmd_register(args: argparse.Namespace) -> int:
    from bot import register

    options = register.Options(
        manifest_path=Path(args.manifest),
        env_path=Path(args.env),
        org=args.org,
        github_url=args.github_url,
        api_url=args.api_url,
        webhook_url=args.webhook_url,
        public_url=args.public_url,
        key_file=Path(args.key_file) if args.key_file else None,
        force=args.force,
        port=args.port,
    )
    return register.main(options, open_browser=not args.no_browser)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.serve.supervisor import main as serve_main

    return serve_main(args.workers)


DEMO_NEEDS_CHECKOUT = (
    "the demo runs on the GitHub simulator, which lives in a checkout of rfc-bot (it is not part "
    "of the installed App): in a clone, run "
    "`python3 -m pip install -e '.[demo]' && python3 -m bot demo`"
)


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


# --- argument parsing ----------------------------------------------------------------------


def _with_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="FILE", help=f"config file (default: {CONFIG_PATH}, searched upwards)"
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected a number of processes from 1 to 64: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Lint and manage RFC documents.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], text: str) -> _Parser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    lint = command("lint", cmd_lint, "Check RFC files (or the RFC files in directories).")
    lint.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: rfc_dir)"
    )
    lint.add_argument("--format", choices=FORMATS, default="text")
    lint.add_argument(
        "--color",
        choices=COLOR_MODES,
        default="auto",
        help="colour the text format (auto: on a terminal, unless NO_COLOR is set)",
    )
    lint.add_argument("--base", metavar="GIT_REF", help="compare with the files at this ref")
    lint.add_argument(
        "--changed",
        action="store_true",
        help="only the files that differ from --base (no index check)",
    )
    _with_config(lint)

    new = command("new", cmd_new, "Create a new RFC from the template.")
    new.add_argument("title")
    new.add_argument("--app", action="append", default=[], metavar="NAME")
    new.add_argument("--author", action="append", default=[], metavar='"Name (@user)"')
    new.add_argument("--dir", metavar="DIR", help="directory to write to (default: rfc_dir)")
    _with_config(new)

    command("rules", cmd_rules, "List every lint rule.")

    config = command("config", cmd_config, "Print the default config or check a config file.")
    mode = config.add_mutually_exclusive_group(required=True)
    mode.add_argument("--defaults", action="store_true", help="print the default config")
    mode.add_argument("--check", nargs="?", const="", metavar="FILE", help="validate a config")

    index = command("index", cmd_index, "Regenerate the RFC index (README.md in the RFC dir).")
    index.add_argument("dir", nargs="?", metavar="DIR")
    index.add_argument("--check", action="store_true", help="exit 1 when out of date")
    _with_config(index)

    site = command("site", cmd_site, "Build a static site of the RFCs (HTML, rfcs.json, Atom).")
    site.add_argument("dir", nargs="?", metavar="RFC_DIR", help="default: rfc_dir")
    site.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write it")
    site.add_argument("--repo-url", metavar="URL", help="https://github.com/OWNER/REPO: edit links")
    site.add_argument("--branch", default="main", help="the branch edit links open (default: main)")
    site.add_argument("--site-url", metavar="URL", help="where the site is published (feed links)")
    _with_config(site)

    completion = command(
        "completion", cmd_completion, "Print a shell completion script (bash, zsh, tcsh)."
    )
    completion.add_argument("shell", choices=COMPLETION_SHELLS)

    serve = command("serve", cmd_serve, "Run the GitHub App webhook server.")
    serve.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="serving processes on the one port (default: WEB_CONCURRENCY, else one per CPU)",
    )
    demo = command("demo", cmd_demo, "Run the App against the built-in GitHub simulator.")
    demo.add_argument(
        "--dashboard",
        action="store_true",
        help="serve the live dashboard on the simulator (sign in there) until Ctrl-C",
    )
    demo.add_argument(
        "--port", type=int, default=8000, help="the dashboard's port (default: 8000; 0: any)"
    )
    command(
        "action",
        cmd_action,
        "Run the App once for the GitHub Actions event of this job (GITHUB_EVENT_NAME).",
    )
    register = command(
        "register", cmd_register, "Create the GitHub App from app.yml (GitHub's manifest flow)."
    )
    register.add_argument("--org", metavar="ORG", help="an organisation's App (default: yours)")
    register.add_argument(
        "--github-url", default="https://github.com", metavar="URL", help="GitHub Enterprise Server"
    )
    register.add_argument("--api-url", metavar="URL", help="default: from --github-url")
    register.add_argument("--manifest", default="app.yml", metavar="FILE")
    register.add_argument("--webhook-url", metavar="URL", help="default: app.yml's hook URL")
    register.add_argument(
        "--public-url",
        metavar="URL",
        help="where browsers reach the App (the dashboard's sign-in); "
        "default: the webhook URL without /webhook",
    )
    register.add_argument("--env", default=".env", metavar="FILE", help="where to write")
    register.add_argument(
        "--key-file", metavar="FILE", help="write the private key here, its path in the .env"
    )
    register.add_argument("--force", action="store_true", help="replace an existing .env")
    register.add_argument("--port", type=int, default=0, help="the local page's port")
    register.add_argument("--no-browser", action="store_true", help="only print the URL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except CliError as error:
        # Every line carries the prefix: a config with three problems is three error lines.
        for line in str(error).splitlines():
            print(f"{PROG}: error: {line}", file=sys.stderr)
        return 2
    except SystemExit as exit_:  # --help, --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`rfc-bot rules | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
