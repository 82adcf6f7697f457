"""``rfc-bot action``: the App's own handlers, run once for one GitHub Actions event.

The same router (``bot.features.routes``), the same reading of the payload into a typed
delivery (``bot.features.handling``) and the same core as the hosted App; only the edge
differs: the event comes from ``GITHUB_EVENT_NAME`` and the JSON file at ``GITHUB_EVENT_PATH``
instead of a webhook, and the client carries the workflow's ``GITHUB_TOKEN`` instead of an
installation token. ``schedule`` and ``workflow_dispatch`` run the reconciler's sweep of the
one repository (decision periods end, missed work is repaired).

The App's own comments and check runs are those written with ``GITHUB_TOKEN``: GitHub marks
them as made through the ``github-actions`` App (``performed_via_github_app``, which no other
bot can set; its login is ``github-actions[bot]``), so that App's id is pinned in the Context
and another bot's comment carrying the App's markers is never taken for one of its own.

A commit made with ``GITHUB_TOKEN`` starts no workflow run, so the status commits this run
made are validated here, before it ends (``bot.github.workflow_client``).

Exit status: 0 when every handler finished (a user's mistake is answered in a reply, not a
failure), 1 on an internal error, 2 when the workflow's environment is incomplete or GitHub
refuses its token (or cannot be reached).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from gidgethub import sansio

from bot.clock import Clock, epoch_seconds, system_clock
from bot.errors import PayloadError
from bot.features.check import validate
from bot.features.context import Context
from bot.features.handling import refused, route, run_handler
from bot.features.reconcile import Reconciler, SweepReport
from bot.features.routes import router
from bot.github.probe import STARTUP_BUDGET_SECONDS, check_token
from bot.github.repos import get_repository
from bot.github.workflow_client import WorkflowClient, open_pulls_from
from bot.policy.provenance import signing_key
from bot.serve.logs import configure_logging
from bot.values import Repository

log = logging.getLogger(__name__)

# The workflow trigger -> the webhook event the handlers are registered for. A
# ``pull_request_target`` event carries the same payload as ``pull_request``.
EVENT_ALIASES = {"pull_request_target": "pull_request"}
# Triggers that carry no repository event: they run the sweep of the repository.
SWEEP_EVENTS = frozenset({"schedule", "workflow_dispatch"})
REQUIRED = ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_REPOSITORY")
DEFAULT_API_URL = "https://api.github.com"
# The secret that keys the proofs of the App's status commits (``bot.policy.provenance``).
SECRET_VARIABLE = "RFC_BOT_SECRET"
# The id of the ``github-actions`` App on github.com, which ``GITHUB_TOKEN`` writes through.
ACTIONS_APP_ID = 15368
# Its id where it differs (GitHub Enterprise Server has its own).
APP_ID_VARIABLE = "RFC_BOT_ACTIONS_APP_ID"


class ActionError(Exception):
    """The workflow's environment is incomplete or its event file unreadable."""


@dataclass(frozen=True)
class ActionEnv:
    """What the workflow gives the App: the event, the token, where GitHub's API is."""

    event_name: str
    event: dict[str, Any]
    token: str
    repository: str
    api_url: str = DEFAULT_API_URL
    secret: str = ""
    run_id: str = "local"
    app_id: int = ACTIONS_APP_ID  # whose comments and check runs are the App's own

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ActionEnv:
        missing = [name for name in REQUIRED if not environ.get(name)]
        if missing:
            raise ActionError(
                f"missing {', '.join(missing)}: `rfc-bot action` runs in a GitHub Actions job"
            )
        return cls(
            event_name=environ["GITHUB_EVENT_NAME"],
            event=read_event(Path(environ["GITHUB_EVENT_PATH"])),
            token=environ["GITHUB_TOKEN"],
            repository=environ["GITHUB_REPOSITORY"],
            api_url=(environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            secret=environ.get(SECRET_VARIABLE, ""),
            run_id="-".join(
                environ.get(name, "") for name in ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT")
            ).strip("-")
            or "local",
            app_id=actions_app_id(environ.get(APP_ID_VARIABLE, "")),
        )


def actions_app_id(written: str) -> int:
    """The ``github-actions`` App's id: ``written`` when set, else github.com's."""
    if not written:
        return ACTIONS_APP_ID
    if not written.isascii() or not written.isdigit():
        raise ActionError(f"{APP_ID_VARIABLE} must be a number, not {written!r}")
    return int(written)


def read_event(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ActionError(f"cannot read the event file {path}: {error}") from None
    if not isinstance(data, dict):
        raise ActionError(f"the event file {path} does not hold a JSON object")
    return data


def action_context(
    secret: str, clock: Clock = system_clock, app_id: int = ACTIONS_APP_ID
) -> Context:
    """The handlers' Context, on ``clock`` (the runner's), taking as its own only what the App
    ``app_id`` wrote. Without the secret, a random key proves this run's status commits only:
    a later run cannot tell them from an author's edit."""
    if secret:
        return Context(clock=clock, signing_key=signing_key(secret), app_id=app_id)
    log.warning(
        "%s is not set: status moves made in this run cannot be proven in later runs",
        SECRET_VARIABLE,
    )
    # Check runs here are written by the shared github-actions App: only the MAC keyed by the
    # secret tells this Action's decision record from any other workflow's.
    refused = (
        f"this repository's rfc-bot Action has no `{SECRET_VARIABLE}` secret, so its decision "
        "record could not be told from one any other workflow wrote. A maintainer sets the "
        "secret; then start the decision again."
    )
    return Context(clock=clock, decisions_refused=refused, app_id=app_id)


def main(environ: Mapping[str, str] | None = None) -> int:
    """The command's body: reads the environment (ActionError when incomplete), runs once."""
    env = ActionEnv.from_environ(os.environ if environ is None else environ)
    configure_logging("INFO", "text", secrets=[env.token, env.secret])
    return asyncio.run(run_action(env))


async def run_action(env: ActionEnv, *, clock: Clock = system_clock) -> int:
    ctx = action_context(env.secret, clock, env.app_id)
    async with aiohttp.ClientSession() as session:
        # A token GitHub refuses, or a GitHub out of reach, is one line and exit 2.
        found = await check_token(
            session,
            api_url=env.api_url,
            token=env.token,
            repository=env.repository,
            wall_clock=epoch_seconds(clock),
            budget=STARTUP_BUDGET_SECONDS,
        )
        if not found.ready:
            raise ActionError(found.reason)
        gh = WorkflowClient(
            session,
            base_url=env.api_url,
            oauth_token=env.token,
            wall_clock=epoch_seconds(clock),
        )
        if env.event_name in SWEEP_EVENTS:
            ok = await sweep(gh, env.repository, ctx)
        else:
            name = EVENT_ALIASES.get(env.event_name, env.event_name)
            event = sansio.Event(env.event, event=name, delivery_id=f"actions-{env.run_id}")
            ok = await dispatch(event, gh, ctx)
        ok = await validate_own_commits(gh, env.repository, ctx) and ok
    return 0 if ok else 1


async def dispatch(event: sansio.Event, gh: WorkflowClient, ctx: Context) -> bool:
    """Every handler registered for the event, each on its own; False when one failed."""
    try:
        routed = route(router, event)
    except PayloadError as error:
        refused(event, error)
        return True
    if routed is None:
        log.info("nothing to do for %s events", event.event)
        return True
    outcomes = {await run_handler(handler, routed.delivery, gh, ctx) for handler in routed.handlers}
    return not outcomes & {"error", "timeout"}


async def sweep(gh: WorkflowClient, repo: str, ctx: Context) -> bool:
    """The reconciler's sweep of one repository: timers (decision periods), checks, numbers
    and commands that no event handled. False when a part of it failed."""
    try:
        raw = await get_repository(gh, repo)
        repository = Repository.from_json(raw)
    except Exception:
        log.exception("cannot read the repository %s", repo)
        return False
    report = SweepReport()
    # Only ``sweep_repository`` is used: it needs no App credentials (the factory).
    reconciler = Reconciler(lambda: None, ctx)
    await reconciler.sweep_repository(gh, repository, report)
    log.info("swept %s: repairs %s, %d errors", repo, dict(report.repairs) or "none", report.errors)
    return report.errors == 0


async def validate_own_commits(gh: WorkflowClient, repo: str, ctx: Context) -> bool:
    """Validate the open pull requests whose branch this run committed to, as the
    ``synchronize`` event GitHub will not send would have. False when one failed."""
    ok, seen = True, set[int]()
    for head in {(c.repo, c.branch): c for c in gh.commits}.values():
        try:
            for pull in await open_pulls_from(gh, repo, head):
                if pull.number not in seen:
                    seen.add(pull.number)
                    log.info("validating %s#%s after my commit to it", repo, pull.number)
                    await validate(gh, pull, ctx)
        except Exception:
            log.exception("validating after my commit to %s:%s failed", head.repo, head.branch)
            ok = False
    return ok
