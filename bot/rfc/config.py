"""Project configuration: defaults drawn from the RFC template, overridable by .github/rfc-bot.yml.

The dataclass below is the contract every other module reads. Loading YAML (with line numbers
in errors) lives here too: ``load_config(text, source)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

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


@dataclass(frozen=True)
class LabelConfig:
    rfc: str = "rfc"
    status_prefix: str = "rfc: "  # + lower-case status, e.g. "rfc: draft"
    app_prefix: str = "app: "  # + application, e.g. "app: api"
    numbered: str = "rfc: numbered"


@dataclass(frozen=True)
class Config:
    rfc_dir: str = "rfcs"
    number_width: int = 4
    # File names inside rfc_dir that are not RFCs.
    skip: tuple[str, ...] = ("README.md", "0000-template.md", "template.md")
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    initial_status: str = "Draft"
    transitions: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: DEFAULT_TRANSITIONS
    )
    target_apps: tuple[str, ...] = DEFAULT_TARGET_APPS
    # None: every fixed (prompt-free) heading of the template is required unless optional.
    required_sections: tuple[str, ...] | None = None
    optional_sections: tuple[str, ...] = DEFAULT_OPTIONAL_SECTIONS
    # Per-rule severity override: rule id -> error | warning | notice | off.
    rules: MappingProxyType[str, RuleSetting] = field(
        default_factory=lambda: MappingProxyType({})
    )
    labels: LabelConfig = LabelConfig()
    # /rfc status permissions, keyed "From -> To"; values among "author", "maintainers".
    permissions: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: DEFAULT_PERMISSIONS
    )
    # Extra maintainers beyond users with write access: GitHub logins or "org/team" names.
    maintainers: tuple[str, ...] = ()
    numbering: NumberingStrategy = "sequential"
    index_file: str = "README.md"  # inside rfc_dir

    @property
    def index_path(self) -> str:
        return f"{self.rfc_dir}/{self.index_file}" if self.rfc_dir else self.index_file

    def allowed_next(self, status: str) -> tuple[str, ...]:
        return self.transitions.get(status, ())


class ConfigError(Exception):
    """A config file that cannot be used. ``str()`` reads ``source:line: key: message``."""

    def __init__(self, source: str, line: int | None, key: str | None, message: str) -> None:
        self.source, self.line, self.key, self.message = source, line, key, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


def load_config(text: str, source: str = CONFIG_PATH) -> Config:
    """Parse YAML config text into a Config; raise ConfigError naming source, line and key."""
    raise NotImplementedError  # being written: see docs/config.md
