"""The config's field table: ``Config`` and ``LabelConfig``, one declaration per key.

Each field is declared once, with its type, default, value kind and doc. Everything else is
derived from these declarations: the YAML reader (``yaml_file.read_config``), the commented
defaults (``yaml_file.default_config_yaml``), the JSON Schema (``json_schema.config_schema``)
and the key table of docs/config.md.

Adding a key is one ``setting(...)`` line here, plus a kind in ``scalar_kinds.py`` or
``collection_kinds.py`` if no existing kind reads its value (a nested table is a ``Section``
of another dataclass declared the same way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Literal

from bot.rfc.config.collection_kinds import (
    ListOf,
    MappingOf,
    OrNull,
    RuleIdKey,
    StatusKey,
    TransitionKey,
)
from bot.rfc.config.follow_up import FollowUpConfig, follow_up_statuses
from bot.rfc.config.scalar_kinds import (
    Approver,
    Boolean,
    Choice,
    Duration,
    FileName,
    Integer,
    LabelText,
    Name,
    Quorum,
    RepoDir,
    WebAddress,
)
from bot.rfc.config.sections import Section, setting
from bot.rfc.spelling import fold, fold_index

CONFIG_PATH = ".github/rfc-bot.yml"

DEFAULT_STATUSES: tuple[str, ...] = ("Draft", "Proposed", "Final", "Deprecated")
DEFAULT_TRANSITIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "Draft": ("Proposed",),
        "Proposed": ("Final", "Draft"),
        "Final": ("Deprecated",),
        "Deprecated": (),
    }
)
DEFAULT_TARGET_APPS: tuple[str, ...] = (
    "api",
    "orchestrator",
    "jobmaster",
    "jobmaster-gui",
    "shared",
)
# Sections the template itself marks "Optional" or "If applicable".
DEFAULT_OPTIONAL_SECTIONS: tuple[str, ...] = (
    "Appendices",
    "Appendix A: Technical Details",
    "Appendix B: References",
    "API Design",
    "Performance Testing",
    "API Documentation",
)
# Who may perform a transition, keyed "From -> To". Anything not listed: maintainers only.
DEFAULT_PERMISSIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "Draft -> Proposed": ("author", "maintainers"),
        "Proposed -> Draft": ("author", "maintainers"),
    }
)

RuleSetting = Literal["error", "warning", "notice", "off"]
NumberingStrategy = Literal["sequential", "pull-request"]
RULE_SETTINGS: tuple[RuleSetting, ...] = ("error", "warning", "notice", "off")
NUMBERING_STRATEGIES: tuple[NumberingStrategy, ...] = ("sequential", "pull-request")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
PERMISSION_ROLES: tuple[str, ...] = ("author", "maintainers")

_LABEL = LabelText()
MAINTAINERS_GROUP = "maintainers"


@dataclass(frozen=True)
class DecisionRule:
    """What one transition needs before it happens: approvals, then a comment period."""

    approvals: int | str = setting(
        Quorum(), 2, "Approvals needed: a number, or majority / all of the eligible approvers."
    )
    approvers: tuple[str, ...] = setting(
        ListOf(Approver(), at_least=1, too_few="needs at least one approver"),
        (MAINTAINERS_GROUP,),
        "Who may approve or raise a concern: maintainers, org/team names and/or logins.",
    )
    resolvers: tuple[str, ...] = setting(
        ListOf(Approver()),
        (MAINTAINERS_GROUP,),
        "Who may resolve a concern besides whoever raised it: maintainers, org/team names "
        "and/or logins; [] for the raiser alone.",
    )
    comment_period: timedelta = setting(
        Duration(),
        timedelta(days=7),
        "Runs once the approvals are in and no concern is open; then the App makes the move. "
        "0 for none.",
    )
    remind_after: timedelta | None = setting(
        OrNull(Duration(), None),
        None,
        "Mention the approvers who have not acted once, this long after the decision (or its "
        "comment period) starts; null or 0 for never.",
    )
    dismiss_on_change: bool = setting(
        Boolean(),
        False,
        "A push that changes the RFC's text after approvals withdraws them (true) or is only "
        "shown (false).",
    )


DEFAULT_DECISIONS: MappingProxyType[str, DecisionRule] = MappingProxyType(
    {"Proposed -> Final": DecisionRule()}
)


@dataclass(frozen=True)
class LabelConfig:
    rfc: str = setting(_LABEL, "rfc", "On every RFC pull request.")
    status_prefix: str = setting(_LABEL, "rfc: ", "+ lower-case status, e.g. `rfc: draft`.")
    app_prefix: str = setting(_LABEL, "app: ", "+ application, e.g. `app: api`.")
    numbered: str = setting(_LABEL, "rfc: numbered", "Once the RFC has its number.")
    decision: str = setting(
        _LABEL,
        "rfc: decision",
        "While a decision collects approvals, or a concern or a hold is open.",
    )
    comment_period: str = setting(
        _LABEL, "rfc: final-comment-period", "While a decision's comment period runs."
    )
    stale: str = setting(
        _LABEL, "rfc: stale", "While the pull request has gone `stale_after` without activity."
    )
    keep: str = setting(_LABEL, "rfc: keep", "Put on by people: the pull request never goes stale.")
    digest: str = setting(_LABEL, "rfc: digest", "On the weekly digest issue.")


@dataclass(frozen=True)
class DigestConfig:
    """The weekly digest issue (``digest:``; docs/staleness.md)."""

    issue_title: str = setting(Name(), "RFC digest", "The digest issue's title.")
    weekday: Weekday = setting(
        Choice(WEEKDAYS), "monday", "The day (UTC) the App rewrites the digest for the week."
    )
    dashboard_url: str | None = setting(
        OrNull(WebAddress(), None),
        None,
        "The App's dashboard (`PUBLIC_URL/dashboard`), linked from the digest; null for none.",
    )


@dataclass(frozen=True)
class LegacyConfig:
    """How problems an old RFC already had, on lines a change did not touch, are reported."""

    untouched_lines: RuleSetting = setting(
        Choice(RULE_SETTINGS),
        "warning",
        "The most such a problem is reported as: warning (it does not block), notice, off (not "
        "shown) or error (no leniency). See docs/checks.md#legacy-problems.",
    )
    rules: MappingProxyType[str, RuleSetting] = setting(
        MappingOf(RuleIdKey(), Choice(RULE_SETTINGS)),
        MappingProxyType({}),
        "Per rule, instead of untouched_lines: rule id -> error, warning, notice or off.",
    )


def _transition_statuses(transitions: MappingProxyType[str, tuple[str, ...]]) -> list[str]:
    return [status for source, targets in transitions.items() for status in (source, *targets)]


def _permission_statuses(permissions: Mapping[str, object]) -> list[str]:
    """The statuses named by the keys of a mapping keyed ``From -> To``."""
    return [status for transition in permissions for status in transition.split(" -> ")]


@dataclass(frozen=True)
class Config:
    rfc_dir: str = setting(
        RepoDir(), "rfcs", "Directory holding the RFC files, relative to the repository root."
    )
    number_width: int = setting(
        Integer(1, 9), 4, "Digits in an assigned RFC number: 4 gives `0042-my-rfc.md`."
    )
    skip: tuple[str, ...] = setting(
        ListOf(),
        ("README.md", "0000-template.md", "template.md"),
        "File names inside rfc_dir that are not RFCs.",
    )
    statuses: tuple[str, ...] = setting(
        ListOf(at_least=1, too_few="needs at least one status", fold_case=True),
        DEFAULT_STATUSES,
        "Allowed values of the Status field.",
        heading="The lifecycle. A new RFC starts at initial_status; /rfc status moves it along "
        "transitions.",
    )
    initial_status: str = setting(
        Name(),
        "Draft",
        "Status a new RFC starts with; one of statuses.",
        names_statuses=lambda status: (status,),
    )
    transitions: MappingProxyType[str, tuple[str, ...]] = setting(
        MappingOf(StatusKey(), OrNull(ListOf(), ())),
        DEFAULT_TRANSITIONS,
        "Status -> statuses it may move to with `/rfc status`. A status with no entry (or an "
        "empty list, or null) is final.",
        names_statuses=_transition_statuses,
    )
    permissions: MappingProxyType[str, tuple[str, ...]] = setting(
        MappingOf(TransitionKey(), ListOf(Choice(PERMISSION_ROLES))),
        DEFAULT_PERMISSIONS,
        "Who may make a transition: author and/or maintainers. Unlisted transitions: "
        "maintainers only.",
        names_statuses=_permission_statuses,
    )
    maintainers: tuple[str, ...] = setting(
        ListOf(),
        (),
        "Extra maintainers beyond users with write access: logins or org/team names.",
    )
    decisions: MappingProxyType[str, DecisionRule] = setting(
        MappingOf(TransitionKey(), Section(DecisionRule)),
        DEFAULT_DECISIONS,
        "Transitions that need a decision (approvals, concerns, a comment period) before "
        "the App makes them; other transitions happen at once. See docs/decisions.md.",
        names_statuses=_permission_statuses,
        # A repository that renames Proposed or Final has no default decision, not an error.
        default_must_match=False,
    )
    target_apps: tuple[str, ...] = setting(
        ListOf(fold_case=True),
        DEFAULT_TARGET_APPS,
        "Allowed values of the Target Application(s) field.",
        heading="What an RFC must contain.",
    )
    required_sections: tuple[str, ...] | None = setting(
        OrNull(ListOf(), None),
        None,
        "Headings that must be present; null means every fixed heading of the template.",
    )
    optional_sections: tuple[str, ...] = setting(
        ListOf(), DEFAULT_OPTIONAL_SECTIONS, "Headings that may be left out."
    )
    rules: MappingProxyType[str, RuleSetting] = setting(
        MappingOf(RuleIdKey(), Choice(RULE_SETTINGS)),
        MappingProxyType({}),
        "Per-rule severity: rule id -> error, warning, notice or off (see `rfc-bot rules`).",
        heading="Lint rules.",
    )
    legacy: LegacyConfig = setting(
        Section(LegacyConfig),
        LegacyConfig(),
        "Old RFCs edited in a pull request that keeps their Status: problems the base branch "
        "already had, on lines the pull request did not touch.",
    )
    labels: LabelConfig = setting(
        Section(LabelConfig),
        LabelConfig(),
        "Labels the App manages. Status and app labels are prefix + lower-case value.",
        heading="Pull request labels.",
    )
    numbering: NumberingStrategy = setting(
        Choice(NUMBERING_STRATEGIES),
        "sequential",
        "sequential: the next free number on merge. pull-request: the pull request's number.",
        heading="Numbering on merge.",
    )
    index_file: str = setting(
        FileName(), "README.md", "The index of RFCs inside rfc_dir, regenerated on merge."
    )
    stale_after: MappingProxyType[str, timedelta] = setting(
        MappingOf(StatusKey(), Duration()),
        MappingProxyType({}),
        "Status -> how long an open RFC pull request may go without human activity before the "
        "App reminds its authors and approvers once and labels it stale (0, or no entry: "
        "never). See docs/staleness.md.",
        heading="Follow-through: staleness and the weekly digest.",
        names_statuses=lambda durations: tuple(durations),
    )
    digest: DigestConfig | None = setting(
        OrNull(Section(DigestConfig), None),
        None,
        "A weekly digest issue, edited in place: comment periods, decisions waiting on "
        "approvers, new and stale RFCs; null for none.",
    )
    follow_up: FollowUpConfig = setting(
        Section(FollowUpConfig),
        FollowUpConfig(),
        "What the numbering commit does besides numbers: a tracking issue, rewritten links "
        "(docs/numbering.md).",
        heading="After acceptance.",
        names_statuses=follow_up_statuses,
        default_must_match=False,
    )

    @property
    def index_path(self) -> str:
        return f"{self.rfc_dir}/{self.index_file}" if self.rfc_dir else self.index_file

    def allowed_next(self, status: str) -> tuple[str, ...]:
        return self.transitions.get(status, ())

    def decision_rule(self, current: str, target: str) -> DecisionRule | None:
        """The decision a move needs (keys match ignoring case and spacing), else None."""
        wanted = (fold(current), fold(target))
        for key, rule in self.decisions.items():
            source, _, destination = key.partition(" -> ")
            if (fold(source), fold(destination)) == wanted:
                return rule
        return None

    def canonical_status(self, text: str | None) -> str | None:
        """The config's spelling of a status written in any case and spacing, else None."""
        return None if text is None else self._statuses_folded.get(fold(text))

    def canonical_app(self, text: str | None) -> str | None:
        """The config's spelling of a target application written in any case, else None."""
        return None if text is None else self._apps_folded.get(fold(text))

    # Built once per Config (fields are frozen); not fields, so equality ignores them.
    @cached_property
    def _statuses_folded(self) -> dict[str, str]:
        return fold_index(self.statuses)

    @cached_property
    def _apps_folded(self) -> dict[str, str]:
        return fold_index(self.target_apps)
