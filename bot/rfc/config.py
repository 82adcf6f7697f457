"""Project configuration: defaults drawn from the RFC template, overridable by .github/rfc-bot.yml.

The dataclass below is the contract every other module reads. Loading YAML (with line numbers
in errors) lives here too: ``load_config(text, source)``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import yaml

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
    rules: MappingProxyType[str, RuleSetting] = field(default_factory=lambda: MappingProxyType({}))
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

    def canonical_status(self, text: str | None) -> str | None:
        """The config's spelling of a status written in any case, or None when it is not one."""
        if text is None:
            return None
        wanted = text.strip().lower()
        return next((status for status in self.statuses if status.lower() == wanted), None)


class ConfigError(Exception):
    """A config file that cannot be used. ``str()`` reads ``source:line: key: message``."""

    def __init__(self, source: str, line: int | None, key: str | None, message: str) -> None:
        self.source, self.line, self.key, self.message = source, line, key, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


# --- Loading .github/rfc-bot.yml ------------------------------------------------------------
#
# YAML is composed into nodes (not loaded into plain values) so that every error can name the
# line it is about. Only ConfigError ever leaves this section.

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
RULE_SETTINGS: tuple[str, ...] = ("error", "warning", "notice", "off")
NUMBERING_STRATEGIES: tuple[str, ...] = ("sequential", "pull-request")
PERMISSION_ROLES: tuple[str, ...] = ("author", "maintainers")
_LABEL_KEYS: tuple[str, ...] = ("rfc", "status_prefix", "app_prefix", "numbered")


class _Reader:
    """Turns YAML nodes into typed values, raising ConfigError with the node's line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node | None, key: str | None, message: str) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigError(self.source, line, key, message)

    def string(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            raise self.fail(node, key, f"expected a string, got {_describe(node)}")
        return str(node.value)

    def name(self, node: yaml.Node, key: str) -> str:
        value = self.string(node, key).strip()
        if not value or "\n" in value:
            raise self.fail(node, key, "expected a non-empty one-line string")
        return value

    def integer(self, node: yaml.Node, key: str) -> int:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
            raise self.fail(node, key, f"expected an integer, got {_describe(node)}")
        return int(node.value.replace("_", ""), 0)

    def choice(self, node: yaml.Node, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(node, key)
        if value not in allowed:
            raise self.fail(node, key, f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    def names(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, f"expected a list of strings, got {_describe(node)}")
        values: list[str] = []
        for item in node.value:
            value = self.name(item, key)
            if value in values:
                raise self.fail(item, key, f"{value!r} is listed twice")
            values.append(value)
        return tuple(values)

    def mapping(self, node: yaml.Node, key: str | None) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """(key text, key node, value node) triples; keys must be unique strings."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, f"expected a mapping, got {_describe(node)}")
        seen: set[str] = set()
        entries = []
        for key_node, value_node in node.value:
            name = self.name(key_node, key or "(top level)")
            if name in seen:
                raise self.fail(key_node, name, "duplicate key")
            seen.add(name)
            entries.append((name, key_node, value_node))
        return entries


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kind = {_STR: "string", _INT: "integer", _NULL: "null"}.get(node.tag, node.tag.rsplit(":")[-1])
    return f"{kind} {node.value!r}" if node.tag != _NULL else "null"


@functools.cache
def _known_rule_ids() -> frozenset[str]:
    from bot.rfc.rules import RULES  # lazy: the rule registry imports this module

    return frozenset(rule.id for rule in RULES)


def _compose(text: str, source: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise ConfigError(source, line, None, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(source, None, None, f"invalid YAML: {error}") from None


def load_config(text: str, source: str = CONFIG_PATH) -> Config:
    """Parse YAML config text into a Config; raise ConfigError naming source, line and key.

    An empty file (or one holding only comments) means the defaults.
    """
    root = _compose(text, source)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL):
        return Config()
    reader = _Reader(source)
    values: dict[str, object] = {}
    lines: dict[str, yaml.Node] = {}
    for key, key_node, value_node in reader.mapping(root, None):
        parse = _FIELD_PARSERS.get(key)
        if parse is None:
            known = ", ".join(_FIELD_PARSERS)
            raise reader.fail(key_node, key, f"unknown key; known keys: {known}")
        values[key] = parse(reader, value_node, key)
        lines[key] = key_node
    config = Config(**values)  # type: ignore[arg-type]
    _check_statuses(config, reader, lines)
    return config


def _parse_number_width(reader: _Reader, node: yaml.Node, key: str) -> int:
    width = reader.integer(node, key)
    if not 1 <= width <= 9:
        raise reader.fail(node, key, f"must be between 1 and 9, got {width}")
    return width


def _parse_dir(reader: _Reader, node: yaml.Node, key: str) -> str:
    value = reader.string(node, key).strip().strip("/")
    if ".." in value.split("/") or "\\" in value:
        raise reader.fail(node, key, "must be a path inside the repository, using '/'")
    return value


def _parse_file_name(reader: _Reader, node: yaml.Node, key: str) -> str:
    value = reader.name(node, key)
    if "/" in value or "\\" in value:
        raise reader.fail(node, key, "must be a file name inside rfc_dir, without '/'")
    return value


def _parse_optional_names(reader: _Reader, node: yaml.Node, key: str) -> tuple[str, ...] | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
        return None
    return reader.names(node, key)


def _parse_statuses(reader: _Reader, node: yaml.Node, key: str) -> tuple[str, ...]:
    statuses = reader.names(node, key)
    if not statuses:
        raise reader.fail(node, key, "needs at least one status")
    return statuses


def _parse_transitions(
    reader: _Reader, node: yaml.Node, key: str
) -> MappingProxyType[str, tuple[str, ...]]:
    transitions = {}
    for status, _, targets in reader.mapping(node, key):
        transitions[status] = () if _is_null(targets) else reader.names(targets, key)
    return MappingProxyType(transitions)


def _parse_rules(reader: _Reader, node: yaml.Node, key: str) -> MappingProxyType[str, str]:
    rules = {}
    for rule_id, key_node, setting in reader.mapping(node, key):
        if rule_id not in _known_rule_ids():
            raise reader.fail(key_node, f"{key}.{rule_id}", "unknown rule id (see `rfc-bot rules`)")
        # Unquoted `off` is a YAML 1.1 boolean; read it as the word the user wrote.
        if isinstance(setting, yaml.ScalarNode) and setting.value.lower() == "off":
            rules[rule_id] = "off"
        else:
            rules[rule_id] = reader.choice(setting, f"{key}.{rule_id}", RULE_SETTINGS)
    return MappingProxyType(rules)


def _parse_labels(reader: _Reader, node: yaml.Node, key: str) -> LabelConfig:
    labels = {}
    for name, key_node, value in reader.mapping(node, key):
        if name not in _LABEL_KEYS:
            message = f"unknown key; known keys: {', '.join(_LABEL_KEYS)}"
            raise reader.fail(key_node, f"{key}.{name}", message)
        text = reader.string(value, f"{key}.{name}")
        if not text.strip() or len(text) > 50:
            raise reader.fail(value, f"{key}.{name}", "must be 1 to 50 characters (GitHub's limit)")
        labels[name] = text
    return LabelConfig(**labels)


def _parse_permissions(
    reader: _Reader, node: yaml.Node, key: str
) -> MappingProxyType[str, tuple[str, ...]]:
    permissions = {}
    for transition, key_node, roles_node in reader.mapping(node, key):
        parts = [part.strip() for part in transition.split("->")]
        if len(parts) != 2 or not all(parts):
            raise reader.fail(key_node, key, f"{transition!r} should read 'From -> To'")
        roles = reader.names(roles_node, f"{key}.{transition}")
        for item, role in zip(roles_node.value, roles, strict=True):
            if role not in PERMISSION_ROLES:
                message = f"{role!r} is not one of: {', '.join(PERMISSION_ROLES)}"
                raise reader.fail(item, f"{key}.{transition}", message)
        permissions[f"{parts[0]} -> {parts[1]}"] = roles
    return MappingProxyType(permissions)


def _parse_numbering(reader: _Reader, node: yaml.Node, key: str) -> str:
    return reader.choice(node, key, NUMBERING_STRATEGIES)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


_FieldParser = Callable[[_Reader, yaml.Node, str], object]
_FIELD_PARSERS: dict[str, _FieldParser] = {
    "rfc_dir": _parse_dir,
    "number_width": _parse_number_width,
    "skip": lambda reader, node, key: reader.names(node, key),
    "statuses": _parse_statuses,
    "initial_status": lambda reader, node, key: reader.name(node, key),
    "transitions": _parse_transitions,
    "target_apps": lambda reader, node, key: reader.names(node, key),
    "required_sections": _parse_optional_names,
    "optional_sections": lambda reader, node, key: reader.names(node, key),
    "rules": _parse_rules,
    "labels": _parse_labels,
    "permissions": _parse_permissions,
    "maintainers": lambda reader, node, key: reader.names(node, key),
    "numbering": _parse_numbering,
    "index_file": _parse_file_name,
}


def _check_statuses(config: Config, reader: _Reader, lines: dict[str, yaml.Node]) -> None:
    """Every status named by initial_status, transitions and permissions must be declared."""
    known = set(config.statuses)

    def require(status: str, key: str) -> None:
        if status in known:
            return
        # Point at the key that names the status, or at `statuses` when a default does.
        where = key if key in lines else "statuses"
        hint = "" if key in lines else f" (used by the default {key}; set {key} too)"
        message = f"unknown status {status!r}; statuses are: {', '.join(config.statuses)}{hint}"
        raise reader.fail(lines.get(where), where, message)

    require(config.initial_status, "initial_status")
    for source, targets in config.transitions.items():
        for status in (source, *targets):
            require(status, "transitions")
    for transition in config.permissions:
        for status in transition.split(" -> "):
            require(status, "permissions")


# --- Rendering the defaults -------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.()/-]*(?: [A-Za-z0-9_.()/-]+)*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as this exact string."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_scalar(value) for value in values) + "]"


def _block_list(values: tuple[str, ...], indent: str = "  ") -> list[str]:
    return [f"{indent}- {_scalar(value)}" for value in values] if values else []


def default_config_yaml() -> str:
    """The defaults as a commented .github/rfc-bot.yml; load_config() of it gives Config()."""
    config = Config()
    lines = [
        "# rfc-bot configuration (.github/rfc-bot.yml). Every key is optional; these are the",
        "# defaults. Read from the default branch, never from a pull request.",
        "",
        "# Directory holding the RFC files, relative to the repository root.",
        f"rfc_dir: {_scalar(config.rfc_dir)}",
        "# Digits in an assigned RFC number: 4 -> 0042-my-rfc.md.",
        f"number_width: {config.number_width}",
        "# File names inside rfc_dir that are not RFCs.",
        f"skip: {_flow_list(config.skip)}",
        "",
        "# The lifecycle. A new RFC starts at initial_status; /rfc status moves it along",
        "# transitions (status -> statuses it may move to).",
        f"statuses: {_flow_list(config.statuses)}",
        f"initial_status: {_scalar(config.initial_status)}",
        "transitions:",
        *(f"  {_scalar(k)}: {_flow_list(v)}" for k, v in config.transitions.items()),
        "# Who may make a transition: author and/or maintainers. Unlisted: maintainers only.",
        "permissions:",
        *(f"  {_scalar(k)}: {_flow_list(v)}" for k, v in config.permissions.items()),
        "# Extra maintainers beyond users with write access: logins or org/team names.",
        f"maintainers: {_flow_list(config.maintainers)}",
        "",
        "# Allowed values of the Target Application(s) field.",
        "target_apps:",
        *_block_list(config.target_apps),
        "# Required H2/H3/H4 sections; null means every fixed heading of the template.",
        "required_sections: null",
        "# Sections that may be left out.",
        "optional_sections:",
        *_block_list(config.optional_sections),
        "",
        "# Per-rule severity: rule id -> error | warning | notice | off (see `rfc-bot rules`).",
        "rules: {}",
        "",
        "# Labels the App manages. Status and app labels are prefix + lower-case value.",
        "labels:",
        *(f"  {name}: {_scalar(getattr(config.labels, name))}" for name in _LABEL_KEYS),
        "",
        "# sequential: next free number on merge; pull-request: the pull request's number.",
        f"numbering: {config.numbering}",
        "# The index of RFCs inside rfc_dir, regenerated on merge.",
        f"index_file: {_scalar(config.index_file)}",
    ]
    return "\n".join(lines) + "\n"
