"""``/rfc`` commands in pull request comments: parse, run each, answer once.

The parser is ``bot.policy.commands`` (same name); each command runs in its feature
(``status``, ``check``, ``numbering``); the reply is ``bot.policy.replies``. Every comment that
holds commands gets exactly one reply, marked with the comment it answers. Before running
anything, the App reads the pull request's comments written since the comment (one request):
when its reply is there, or its +1 on the comment (the reply was deleted since), the comment
was answered, and a delivery of it again (under a new delivery id, after a restart, a replay)
does nothing. A retry after a lost answer finds the reply the same way. Comments by bots are
ignored without a word, so the App never talks to itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import aiohttp
from cachetools import TTLCache
from gidgethub import GitHubException, routing
from gidgethub.abc import GitHubAPI

import bot.features.check as check
import bot.features.decision_commands as decision_commands
import bot.features.decisions as decisions
import bot.features.numbering as numbering
import bot.policy.flood as flood
from bot.deliveries import CommentDelivery
from bot.errors import PayloadError, UserError
from bot.features.config import default_branch_config
from bot.features.context import Context
from bot.features.session import CommandSession
from bot.github.issues import app_of_bot, post_comment, react, thread_since, written_by
from bot.github.listings import comment_reactions
from bot.github.pulls import get_pull
from bot.policy.commands import (
    DECISION_COMMANDS,
    Command,
    ParsedLine,
    has_candidates,
    new_commands,
    parse_commands,
)
from bot.policy.reconcile import reacted
from bot.policy.replies import (
    Outcome,
    Prior,
    app_login,
    command_error_text,
    distinct_commands,
    help_text,
    prior_answer,
    reacting_bots,
    render_reply,
    reply_marker,
)
from bot.rfc.config.public import Config
from bot.values import Comment, Repository

log = logging.getLogger(__name__)
router = routing.Router()

CommandRunner = Callable[[CommandSession, Command], Awaitable[Outcome]]
RUNNERS: Mapping[str, CommandRunner] = {
    "status": decision_commands.start_decision_or_move,
    **dict.fromkeys(DECISION_COMMANDS, decision_commands.run_decision_command),
    "check": check.run_check_command,
    "number": numbering.run_number_command,
}
# Commands that make sense on a closed or merged pull request.
RUN_WHEN_CLOSED = frozenset({"help", "number"})
COMMAND_WINDOW_SECONDS = max(flood.PER_USER[1], flood.PER_PULL[1])
# Parsing costs up to about 6 µs a character (markdown-it's block pass, and the inline pass of
# the paragraphs holding commands; bench/bench_comment_lag.py): a comment longer than this is
# parsed in one thread of its own, so the loop waits at most a thread switch (5 ms), and
# several long comments queue for it instead of sharing the CPU with the loop.
PARSE_ON_LOOP_MAX_CHARS = 1_000
PARSER_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rfc-command-parser")
# Bot users whose App is asked after when a +1 may be the App's and its login is not known yet:
# only Apps installed on the repository react as bots, so there are few.
MAX_BOTS_ASKED = 3


@router.register("issue_comment", action="created")
@router.register("issue_comment", action="edited")
async def on_issue_comment(delivery: CommentDelivery, gh: GitHubAPI, ctx: Context) -> None:
    sender = delivery.sender.login if delivery.sender else None
    sent_by_bot = delivery.sender is not None and delivery.sender.is_bot
    if not delivery.on_pull_request or sent_by_bot:
        return
    edited = delivery.action == "edited"
    if edited and sender != delivery.comment.author:
        return  # an edit by someone else: a command counts only for the person who wrote it
    await answer_comment(
        gh,
        ctx,
        delivery.repository,
        delivery.issue_number,
        delivery.comment,
        edited=edited,
        previous_body=delivery.previous_body,
    )


async def answer_comment(
    gh: GitHubAPI,
    ctx: Context,
    repository: Repository,
    number: int,
    comment: Comment,
    *,
    edited: bool = False,
    previous_body: str | None = None,
) -> None:
    """Run the commands of one comment on pull request ``number`` and answer them once (the
    reconciler answers a comment no delivery answered through this too)."""
    # Comments written by any bot (this App included) are never commands: no loops.
    if comment.author_is_bot or not has_candidates(comment.body):
        return
    if comment.author is None:  # GitHub names every commenter ("ghost" once deleted)
        raise PayloadError("comment.user: expected a user with a login")
    config, config_error = await default_branch_config(
        gh, repository.full_name, repository.default_branch, ctx
    )
    lines = await commands_to_run(comment.body, config, edited, previous_body)
    parsed, ignored = distinct_commands(lines)
    if not parsed:
        return
    repo = repository.full_name
    marker = reply_marker(comment.id, parsed)
    if await answered_before(gh, ctx, repo, number, comment, marker, edited=edited):
        log.info("%s#%s comment %s: answered before, not again", repo, number, comment.id)
        return
    refusal = edited_refusal(comment, edited) or _flooded(ctx, repo, number, comment.author, parsed)
    if refusal is not None:
        outcomes = [Outcome(refusal)] * len(parsed)
    else:
        pull = await get_pull(gh, repo, number)
        session = CommandSession(gh, ctx, pull, config, comment)
        outcomes = [await run_one(session, item) for item in parsed]
    body = render_reply(marker, parsed, outcomes, config_error, ignored)
    since = comment.created_at
    reply = await post_comment(
        gh, repo, number, body, marker=marker, app_id=ctx.app_id, since=since
    )
    known = ctx.caches.of(AppLogin)
    known.login = known.login or reply.author
    if any(outcome.done for outcome in outcomes):
        await react(gh, repo, comment.id, "+1")
    if refusal is None:
        done = [item for item, outcome in zip(parsed, outcomes, strict=True) if outcome.done]
        await decisions.after_commands(session, [c for c in done if isinstance(c, Command)])


class AppLogin:
    """The App's bot login once learned from a comment GitHub proves the App wrote: what tells
    the App's +1 reactions from anyone's. One string per App."""

    def __init__(self) -> None:
        self.login: str | None = None


async def answered_before(
    gh: GitHubAPI,
    ctx: Context,
    repo: str,
    number: int,
    comment: Comment,
    marker: str,
    *,
    edited: bool,
) -> bool:
    """Whether these lines of ``comment`` were answered already (``bot.policy.replies.
    prior_answer``): its reply is there, or (for a new comment) the App's +1 on it. A deleted
    comment counts as answered: nothing is left to answer."""
    own = partial(written_by, app_id=ctx.app_id)
    thread = await thread_since(gh, repo, number, comment.created_at)
    known = ctx.caches.of(AppLogin)
    known.login = known.login or app_login(thread, own)
    prior = prior_answer(thread, own, comment.id, marker, reaction_counts=not edited)
    if prior is not Prior.REACTED:
        return prior is not Prior.OPEN
    return await app_reacted(gh, ctx, repo, comment.id)


async def app_reacted(gh: GitHubAPI, ctx: Context, repo: str, comment_id: int) -> bool:
    """Whether one of the comment's +1s is the App's: by its bot login once known, else by
    asking GitHub which App each reacting bot user is (the login is kept once proven)."""
    reactions = await comment_reactions(gh, repo, comment_id, "+1")
    bots = reacting_bots(reactions)
    if ctx.app_id is None:  # a Context without settings: any bot counts, as in written_by
        return bool(bots)
    known = ctx.caches.of(AppLogin)
    for login in bots[:MAX_BOTS_ASKED] if known.login is None else ():
        if await app_of_bot(gh, login) == ctx.app_id:
            known.login = login
    return known.login is not None and reacted(reactions, known.login)


EDITED_LATER = (
    "not run: this comment was edited after it was written, and who made that edit cannot be "
    "told, so its commands do not count. Please post it again as a new comment."
)


def edited_refusal(comment: Comment, edited: bool) -> str | None:
    """A comment read back (a sweep after a lost delivery) that was edited since it was
    written: its edits may be anyone's, so none of its commands runs."""
    if edited or comment.updated_at is None:
        return None
    return EDITED_LATER if comment.updated_at != comment.created_at else None


async def commands_to_run(
    body: str, config: Config, edited: bool, previous_body: str | None
) -> list[ParsedLine]:
    """All commands of a new comment; of an edited one, only the lines the edit added. A long
    comment is parsed in the parser's thread: never on the event loop."""
    parse = partial(commands_in, body, config, edited, previous_body)
    if len(body) + len(previous_body or "") <= PARSE_ON_LOOP_MAX_CHARS:
        return parse()
    return await asyncio.get_running_loop().run_in_executor(PARSER_THREAD, parse)


def commands_in(
    body: str, config: Config, edited: bool, previous_body: str | None
) -> list[ParsedLine]:
    if not edited:
        return parse_commands(body, config.statuses)
    if previous_body is None:
        return []  # the body did not change
    return new_commands(previous_body, body, config.statuses)


async def run_one(session: CommandSession, item: ParsedLine) -> Outcome:
    if not isinstance(item, Command):
        return Outcome(command_error_text(item))
    try:
        if item.name == "help":
            return Outcome(help_text(session.config))
        if item.name not in RUN_WHEN_CLOSED:
            closed = closed_refusal(session)
            if closed is not None:
                return Outcome(closed)
        return await RUNNERS[item.name](session, item)
    except UserError as error:
        return Outcome(str(error))
    except (GitHubException, aiohttp.ClientError, TimeoutError):
        # Internal: logged in full; the user still gets an answer for this line.
        log.exception("/rfc %s failed in %s#%s", item.name, session.repo, session.pull.number)
        return Outcome(
            "something went wrong while talking to GitHub, so this command did not finish; "
            "what it had not yet written was not changed. Please try again in a minute."
        )


def closed_refusal(session: CommandSession) -> str | None:
    if session.pull.merged:
        return (
            "this pull request is merged, so its RFCs can no longer be changed here: open a new "
            "pull request to change an RFC's status."
        )
    if session.pull.state != "open":
        return "this pull request is closed: reopen it to run commands on it."
    return None


class CommandWindows(TTLCache[str, flood.Window]):
    """Command budgets (``bot.policy.flood``): key -> the window it is in. A window older than
    the longest budget window is spent anyway, so it is forgotten then."""

    def __init__(self) -> None:
        super().__init__(maxsize=50_000, ttl=COMMAND_WINDOW_SECONDS)


def _flooded(
    ctx: Context, repo: str, number: int, actor: str, parsed: list[ParsedLine]
) -> str | None:
    """A refusal when this comment would go past the per-person or per-pull-request budget."""
    units = sum(flood.cost(item.name) if isinstance(item, Command) else 0 for item in parsed)
    now = ctx.monotonic()
    windows = ctx.caches.of(CommandWindows)
    admitted: dict[str, flood.Window] = {}
    for key, (limit, seconds) in (
        (f"user:{repo}:{actor.lower()}", flood.PER_USER),
        (f"pull:{repo}#{number}", flood.PER_PULL),
    ):
        allowed, window = flood.admit(windows.get(key), now, units, limit, seconds)
        if not allowed:
            wait = flood.retry_after(window, now, seconds)
            who = f"@{actor}" if key.startswith("user:") else "this pull request"
            return (
                f"not run: {who} ran many commands in the last {seconds / 60:.0f} minutes. "
                f"Please try again in {max(1, round(wait / 60))} minute(s)."
            )
        admitted[key] = window
    # Spent only once every budget admitted it: a refused comment costs nobody anything.
    windows.update(admitted)
    return None
