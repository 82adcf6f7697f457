"""What the App says in answer to ``/rfc`` commands: one reply per comment, and whether a comment
was answered already. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import bot.policy.markers as markers
from bot.policy.commands import Command, CommandError, ParsedLine
from bot.policy.decisions.texts import describe_resolvers, describe_rule
from bot.policy.permissions import describe_roles
from bot.policy.text import code, fence, fit_comment, inline_text
from bot.rfc.config.public import CONFIG_PATH, Config, ConfigError, DecisionRule
from bot.rfc.workflow import who_may
from bot.values import Comment

MAX_COMMANDS_PER_COMMENT = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one command did, as markdown for the reply; ``done`` earns the +1 reaction."""

    text: str
    done: bool = False


def reply_marker(comment_id: int, parsed: Sequence[ParsedLine] = ()) -> str:
    """The reply's hidden marker, so a retry or a sweep finds it: the comment it answers and,
    so that the new lines of an edited comment get a reply of their own, a digest of the lines
    it runs."""
    lines = "\n".join(item.raw.strip() for item in parsed)
    digest = hashlib.sha256(lines.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return markers.reply(comment_id, digest)


@dataclass(frozen=True, slots=True)
class ThreadComment:
    """A pull request's comment as its comment listing shows it: the comment, and how many
    +1 reactions it has (GitHub's rollup; None when the listing does not say)."""

    comment: Comment
    plus_ones: int | None = None


class Prior(Enum):
    """What a pull request's comments say about answering one comment's commands."""

    OPEN = "open"  # no sign of an answer: answer it
    REPLIED = "replied"  # the App's reply to these very lines is there
    GONE = "gone"  # the comment was deleted: nothing is left to answer
    REACTED = "reacted"  # +1s on it and no reply: answered if one of them is the App's


def prior_answer(
    thread: Sequence[ThreadComment],
    own: Callable[[Comment], bool],
    comment_id: int,
    marker: str,
    *,
    reaction_counts: bool,
) -> Prior:
    """Whether comment ``comment_id`` was answered already, from the comments listed since it
    was written (``own``: GitHub proves the App wrote it). The App's +1 on the comment says
    its commands were done even when the reply was deleted since; it does not count for an
    edit (``reaction_counts`` False), whose +1 may be the original's."""
    target = None
    for item in thread:
        if own(item.comment) and markers.carries(item.comment.body, marker):
            return Prior.REPLIED
        if item.comment.id == comment_id and target is None:
            target = item
    if target is None:
        return Prior.GONE
    if reaction_counts and target.plus_ones != 0:
        return Prior.REACTED
    return Prior.OPEN


def app_login(thread: Sequence[ThreadComment], own: Callable[[Comment], bool]) -> str | None:
    """The App's bot login, read off a comment GitHub proves the App wrote: its reactions
    carry only that login."""
    return next((item.comment.author for item in thread if own(item.comment)), None)


def reacting_bots(reactions: Sequence[Mapping[str, object]]) -> list[str]:
    """The logins of the bot users among ``reactions`` (GitHub's reaction objects), each once,
    in order: only an App's bot user is of type Bot, so only these may be the App."""
    found: list[str] = []
    for reaction in reactions:
        user = reaction.get("user")
        if isinstance(user, Mapping) and user.get("type") == "Bot":
            login = str(user.get("login") or "")
            if login and login not in found:
                found.append(login)
    return found


def render_reply(
    marker: str,
    parsed: Sequence[ParsedLine],
    outcomes: Sequence[Outcome],
    config_error: ConfigError | None,
    ignored: int = 0,
) -> str:
    """One reply for the whole comment: each command line quoted, then what came of it."""
    parts = [
        f"{code(item.raw.strip())}: {_capitalised(outcome.text)}"
        for item, outcome in zip(parsed, outcomes, strict=True)
    ]
    if ignored:
        parts.append(
            f"{ignored} more `/rfc` line{'s were' if ignored > 1 else ' was'} not run: a "
            f"repeated command runs once, and one comment runs at most "
            f"{MAX_COMMANDS_PER_COMMENT} commands. Put the rest in another comment."
        )
    if config_error is not None:
        problem = inline_text(str(config_error))
        parts.append(
            f"Note: `{CONFIG_PATH}` on the default branch is invalid ({problem}), so the default "
            "settings were used."
        )
    return fit_comment(marker + "\n" + "\n\n".join(parts))


def command_error_text(error: CommandError) -> str:
    return error.problem + ".\n\nValid forms:\n\n" + fence("\n".join(error.valid_forms))


def help_text(config: Config) -> str:
    """The grammar and who may do what, from this repository's config."""
    rows = [
        f"| {current} -> {target} | {describe_roles(who_may(current, target, config))} |"
        for current in config.statuses
        for target in config.allowed_next(current)
    ]
    decisions = [
        f"- {current} -> {target}: {describe_rule(rule)}{_resolvers_note(rule)}"
        for current in config.statuses
        for target in config.allowed_next(current)
        if (rule := config.decision_rule(current, target)) is not None
    ]
    listed = ", ".join(f"`{name}`" for name in config.maintainers) or "none"
    statuses = "|".join(status.lower() for status in config.statuses)
    return "\n".join(
        [
            "here is what I understand, one command per line, outside code and quotes:",
            "",
            f"- `/rfc status <{statuses}> [PATH]`: move an RFC to a new status "
            "(PATH only when the pull request has several RFCs)",
            "- `/rfc status deprecated superseded-by NNNN [PATH]`: deprecate an RFC and record "
            "the RFC that replaces it",
            "- `/rfc approve [PATH]`: sign off on a decision in progress (eligible approvers; "
            "approving the pull request in a review counts too)",
            "- `/rfc concern NAME [PATH]`: raise a named concern, which blocks the decision "
            "(or the next one, raised before it starts); "
            "`/rfc resolve NAME [PATH]`: resolve it (whoever raised it, or a maintainer)",
            "- `/rfc cancel [PATH]`: end a decision (whoever started it, or a maintainer)",
            "- `/rfc hold [PATH] [REASON...]`: pause the decision, like a concern with no name; "
            "`/rfc unhold [PATH]`: lift the pause (maintainers)",
            "- `/rfc check`: validate the RFCs again now",
            "- `/rfc help`: this message",
            "- `/rfc number`: retry number assignment on a merged pull request (maintainers)",
            "",
            "| move | who may do it |",
            "| --- | --- |",
            *rows,
            "",
            *_decision_help(decisions),
            f"Maintainers are users with write access, plus those listed in `{CONFIG_PATH}`: "
            f"{listed}.",
        ]
    )


def _resolvers_note(rule: DecisionRule) -> str:
    """Who resolves concerns, when the rule says other than the default."""
    if rule.resolvers == DecisionRule().resolvers:
        return ""
    return f"; a concern is resolved by {describe_resolvers(rule)}"


def _decision_help(decisions: list[str]) -> list[str]:
    if not decisions:
        return ["Every move happens at once: no move needs a decision here.", ""]
    return [
        "These moves need a decision: the command starts it (the starter's approval counts if "
        "they are eligible), and the App makes the move once the comment period ends. The "
        "panel on the pull request shows who is needed and when it ends.",
        "",
        *decisions,
        "",
    ]


def manual_edit_text(path: str, old_text: str, new_text: str, target: str, why: str) -> str:
    """The exact lines to change by hand when the App may not push to the branch."""
    changes = _changed_lines(old_text, new_text)
    where = " and ".join(f"line {number}" for number, _, _ in changes)
    diff = "\n".join(f"-{old}\n+{new}" for _, old, new in changes)
    return (
        f"I can't change `{inline_text(path)}` myself: {why}. To move it to **{target}**, "
        f"please change {where} as follows (keep the two trailing spaces):\n\n"
        f"{fence(diff, 'diff')}\n\nNothing else needs to change."
    )


def _changed_lines(old: str, new: str) -> list[tuple[int, str, str]]:
    """(1-based line, old, new) for each line the edit changed (edits keep the line count)."""
    pairs = zip(old.splitlines(), new.splitlines(), strict=False)
    return [(n, a, b) for n, (a, b) in enumerate(pairs, start=1) if a != b]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def distinct_commands(
    parsed: Sequence[ParsedLine], limit: int = MAX_COMMANDS_PER_COMMENT
) -> tuple[list[ParsedLine], int]:
    """Identical commands collapsed (first kept), then at most ``limit`` of them; returns
    (the lines to run, how many lines were left out)."""
    seen: set[tuple[object, ...]] = set()
    kept: list[ParsedLine] = []
    for item in parsed:
        key = item.key if isinstance(item, Command) else ("?", item.raw.strip())
        if key in seen:
            continue
        seen.add(key)
        kept.append(item)
    return kept[:limit], len(parsed) - len(kept[:limit])
