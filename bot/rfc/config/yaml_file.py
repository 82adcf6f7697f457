"""``.github/rfc-bot.yml`` as text: reading it into a Config (every problem, with its line) and
writing the commented defaults. Both walk the field table of ``fields.py``.

YAML is composed into nodes (not loaded into plain values) so that every problem can name the
line it is about, in the file it is in. Only ConfigError ever leaves ``read_config``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
from collections.abc import Collection, Iterable, Mapping, Sequence

import yaml

from bot.rfc.config.fields import Config
from bot.rfc.config.kinds import Reading, is_null
from bot.rfc.config.problems import ConfigError, Problems, TooManyProblems
from bot.rfc.config.sections import SectionRead, plain, read_section, settings_of
from bot.rfc.spelling import fold, suggest


def read_config(text: str, source: str, rule_ids: Collection[str]) -> Config:
    """Parse YAML config text into a Config; raise ConfigError listing every problem.

    ``rule_ids`` are the ids the ``rules`` key may name. An empty file (or one holding only
    comments) means the defaults.
    """
    return read_root(compose(text, source), source, rule_ids)


def read_root(
    root: yaml.Node | None, source: str, rule_ids: Collection[str], sources: Sequence[str] = ()
) -> Config:
    """Read a composed document (one file, or files merged by ``_extends``: ``sources``,
    nearest first) into a Config; raise ConfigError listing every problem, each in the file
    that holds it."""
    if root is None or is_null(root):
        return Config()
    problems = Problems(source, sources)
    reading = Reading(problems, rule_ids)
    try:
        read = read_section(Config, root, None, reading)
        config = Config(**read.values)  # type: ignore[arg-type]
        _check_statuses(config, read, reading)
        _check_decision_moves(config, read, reading, root)
    except TooManyProblems:
        pass
    error = problems.error()
    if error is not None:
        raise error
    return config


def compose(text: str, source: str) -> yaml.Node | None:
    """The YAML document as nodes, each mark naming ``source`` (so that a problem in a merged
    document is told in its own file); ConfigError for a syntax error."""
    try:
        return _named_loader(text, source).get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise ConfigError(source, line, None, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(source, None, None, f"invalid YAML: {error}") from None


def _named_loader(text: str, source: str) -> yaml.SafeLoader:
    loader = yaml.SafeLoader(text)  # checks every character first (a ReaderError)
    loader.name = source
    return loader


def _check_statuses(config: Config, read: SectionRead, reading: Reading) -> None:
    """Every status a key names must be one of ``statuses``: one problem per key.

    A key written with a value that could not be read was reported already; a default that
    names statuses the file renamed is reported at ``statuses``.
    """
    if "statuses" in read.invalid:
        return
    known = config.statuses
    for name, row in settings_of(Config):
        if row.names_statuses is None or name in read.invalid:
            continue
        if name not in read.written and not row.default_must_match:
            continue
        named = dict.fromkeys(row.names_statuses(getattr(config, name)))
        unknown = [status for status in named if status not in known]
        if not unknown:
            continue
        listed = ", ".join(f"{status!r}{suggest(status, known)}" for status in unknown)
        noun = "status" if len(unknown) == 1 else "statuses"
        message = f"unknown {noun} {listed}; statuses are: {', '.join(known)}"
        if name in read.written:
            reading.fail(read.written[name], name, message)
        else:
            hint = f" (used by the default {name}; set {name} too)"
            reading.fail(read.written.get("statuses"), "statuses", message + hint)


def _check_decision_moves(
    config: Config, read: SectionRead, reading: Reading, root: yaml.Node
) -> None:
    """A decision rule on a move the transitions do not allow could never start: one problem
    per such rule, on its key's line, listing the moves there are. Moves that name an unknown
    status were reported already."""
    if "decisions" not in read.written or read.invalid & {"decisions", "transitions", "statuses"}:
        return
    moves = [f"{a} -> {b}" for a, targets in config.transitions.items() for b in targets]
    allowed = {fold(move) for move in moves}
    statuses = {fold(status) for status in config.statuses}
    keys = _move_keys(root, "decisions")
    for move in config.decisions:
        named = {fold(status) for status in move.split(" -> ")}
        if fold(move) in allowed or not named <= statuses:
            continue
        reading.fail(
            keys.get(move, read.written["decisions"]),
            f"decisions.{move}",
            f"{move!r} is not one of the transitions, so this decision could never start "
            f"(add the move to transitions, or remove the rule); the transitions allow: "
            f"{', '.join(moves) or 'no move'}",
        )


def _move_keys(root: yaml.Node, name: str) -> dict[str, yaml.Node]:
    """The key nodes of the ``From -> To`` mapping under the top-level ``name``, by the key
    as read (spaces around the arrow made one)."""
    if not isinstance(root, yaml.MappingNode):
        return {}
    found: dict[str, yaml.Node] = {}
    for key, value in root.value:
        if key.value != name or not isinstance(value, yaml.MappingNode):
            continue
        for move, _ in value.value:
            if isinstance(move.value, str):
                found[" -> ".join(part.strip() for part in move.value.split("->"))] = move
    return found


# --- Writing the defaults ---------------------------------------------------------------------

_HEADER = (
    "# rfc-bot configuration (.github/rfc-bot.yml). Every key is optional; these are the",
    "# defaults. Read from the default branch, never from a pull request.",
)
_WIDTH = 96
# Our own default strings (never user text) that YAML reads back as the same string unquoted.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.()/-]*(?: [A-Za-z0-9_.()/-]+)*|[0-9]{1,6}[smhd]")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def default_config_yaml() -> str:
    """The defaults as a commented .github/rfc-bot.yml; reading it back gives Config()."""
    return "\n".join([*_HEADER, "", *defaults_yaml(Config)]) + "\n"


def defaults_yaml(table: type) -> list[str]:
    """The defaults of a config table as commented YAML lines, groups apart."""
    lines: list[str] = []
    for name, row in settings_of(table):
        if row.heading:
            lines += ["", *_comment(row.heading, "")]
        lines += _comment(row.doc, "")
        lines += _entry(name, row.default, "")
    return lines


def _comment(text: str, indent: str) -> list[str]:
    prefix = f"{indent}# "
    return textwrap.wrap(text, _WIDTH, initial_indent=prefix, subsequent_indent=prefix)


def _entry(key: str, value: object, indent: str) -> list[str]:
    """``key: value`` in block style for tables and non-empty mappings, else in flow style."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        nested = indent + "  "
        lines = [f"{indent}{_scalar(key)}:"]
        for name, row in settings_of(type(value)):
            lines += _comment(row.doc, nested)
            lines += _entry(name, getattr(value, name), nested)
        return lines
    if isinstance(value, Mapping) and value:
        lines = [f"{indent}{_scalar(key)}:"]
        for name, item in value.items():
            lines += _entry(name, item, indent + "  ")
        return lines
    data = plain(value)
    line = f"{indent}{_scalar(key)}: {_flow(data)}"
    if isinstance(data, list) and len(line) > _WIDTH:
        return [f"{indent}{_scalar(key)}:", *(f"{indent}  - {_flow(item)}" for item in data)]
    return [line]


def flow_yaml(value: object) -> str:
    """A config value as one line of YAML flow style."""
    return _flow(plain(value))


def _flow(data: object) -> str:
    if data is None:
        return "null"
    if isinstance(data, bool | int):
        return json.dumps(data)
    if isinstance(data, str):
        return _scalar(data)
    if isinstance(data, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in data.items()) + "}"
    assert isinstance(data, Iterable)
    return "[" + ", ".join(_flow(item) for item in data) + "]"


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as this exact string."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)
