"""Value kinds: how one config value is read from YAML and how the JSON Schema constrains it.

A field of the config table (``fields.py``) is declared with ``setting(kind, default, doc)``.
Kinds compose (``ListOf(Choice(...))``, ``MappingOf(TRANSITION, Section(...))``), so a new key,
nested or not, is one declaration plus, at most, one new kind.

Reading is strict (a number where a string is expected is an error, never coerced) and never
stops at the first problem: a kind records each problem with its node's line and returns
``INVALID`` for a value it could not read, and reading carries on with the next value.
"""

from __future__ import annotations

import dataclasses
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from types import MappingProxyType
from typing import Any, Generic, TypeVar, cast

import yaml

from bot.rfc.config.problems import Problems
from bot.rfc.spelling import fold, suggest

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
V = TypeVar("V")
D = TypeVar("D")
W = TypeVar("W", bound=str)

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"

JsonSchema = dict[str, Any]


class Invalid(Enum):
    """The value of a key whose problems were recorded; the key keeps its default."""

    INVALID = "invalid"


INVALID = Invalid.INVALID


@dataclass(frozen=True)
class Reading:
    """What reading one file needs: where problems go, and the rule ids it may name."""

    problems: Problems
    rule_ids: Collection[str]

    def fail(self, node: yaml.Node | None, key: str | None, message: str) -> Invalid:
        self.problems.add(node, key, message)
        return INVALID


def child_key(parent: str | None, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def describe(node: yaml.Node) -> str:
    """What a node is, for "expected X, got Y"."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "null"
    kind = {STR_TAG: "string", INT_TAG: "integer", BOOL_TAG: "boolean"}.get(
        node.tag, node.tag.rsplit(":")[-1]
    )
    return f"{kind} {node.value!r}"


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


class Kind(ABC, Generic[T_co]):
    """How one value is read, documented (``shown``) and constrained in the JSON Schema."""

    @property
    @abstractmethod
    def shown(self) -> str:
        """The type column of docs/config.md."""

    @abstractmethod
    def read(self, node: yaml.Node, key: str, reading: Reading) -> T_co | Invalid: ...

    @abstractmethod
    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        """The JSON Schema of the value; ``rules`` maps rule id -> summary."""


# --- Scalars ----------------------------------------------------------------------------------


def read_string(node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
    if not isinstance(node, yaml.ScalarNode) or node.tag != STR_TAG:
        return reading.fail(node, key, f"expected a string, got {describe(node)}")
    return str(node.value)


class Name(Kind[str]):
    """A non-empty one-line string, surrounding whitespace dropped."""

    shown = "string"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        text = read_string(node, key, reading)
        if text is INVALID:
            return INVALID
        value = text.strip()
        if not value or "\n" in value:
            return reading.fail(node, key, "expected a non-empty one-line string")
        return value

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "string", "pattern": r"\S"}


class RepoDir(Kind[str]):
    """A directory inside the repository, '/'-separated; '' is the repository root."""

    shown = "string (path)"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        text = read_string(node, key, reading)
        if text is INVALID:
            return INVALID
        value = text.strip().strip("/")
        if ".." in value.split("/") or "\\" in value:
            return reading.fail(node, key, "must be a path inside the repository, using '/'")
        return value

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "string", "not": {"pattern": r"(^|/)\.\.(/|$)|\\"}}


class FileName(Kind[str]):
    """A file name, without a directory."""

    shown = "string (file name)"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        value = Name().read(node, key, reading)
        if value is not INVALID and ("/" in value or "\\" in value):
            return reading.fail(node, key, "must be a file name inside rfc_dir, without '/'")
        return value

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "string", "pattern": r"\S", "not": {"pattern": r"[/\\]"}}


@dataclass(frozen=True)
class LabelText(Kind[str]):
    """A GitHub label name (or a prefix of one), kept exactly as written."""

    limit: int = 50  # GitHub's limit on a label name
    shown = "string"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        text = read_string(node, key, reading)
        if text is not INVALID and (not text.strip() or len(text) > self.limit):
            return reading.fail(node, key, f"must be 1 to {self.limit} characters (GitHub's limit)")
        return text

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "string", "minLength": 1, "maxLength": self.limit, "pattern": r"\S"}


@dataclass(frozen=True)
class Integer(Kind[int]):
    low: int
    high: int

    @property
    def shown(self) -> str:
        return f"integer {self.low}–{self.high}"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> int | Invalid:
        if not isinstance(node, yaml.ScalarNode) or node.tag != INT_TAG:
            return reading.fail(node, key, f"expected an integer, got {describe(node)}")
        value = int(node.value.replace("_", ""), 0)
        if not self.low <= value <= self.high:
            bounds = f"must be between {self.low} and {self.high}"
            return reading.fail(node, key, f"{bounds}, got {value}")
        return value

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


@dataclass(frozen=True)
class Choice(Kind[W]):
    """One of a fixed set of words.

    Unquoted `off` is a YAML 1.1 boolean; when "off" is a choice, it reads as the word written.
    """

    choices: tuple[W, ...]

    @property
    def shown(self) -> str:
        return " | ".join(f"`{choice}`" for choice in self.choices)

    def read(self, node: yaml.Node, key: str, reading: Reading) -> W | Invalid:
        if self._bare_off and isinstance(node, yaml.ScalarNode) and node.value.lower() == "off":
            text: str | Invalid = "off"
        else:
            text = read_string(node, key, reading)
        if text is INVALID:
            return INVALID
        for choice in self.choices:
            if choice == text:
                return choice
        listed = ", ".join(self.choices) + suggest(text, self.choices)
        return reading.fail(node, key, f"{text!r} is not one of: {listed}")

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        # YAML 1.1 readers (PyYAML among them) turn a bare `off` into false.
        return {"enum": [*self.choices, *([False] if self._bare_off else [])]}

    @property
    def _bare_off(self) -> bool:
        return "off" in self.choices


class Boolean(Kind[bool]):
    """``true`` or ``false`` (YAML 1.1's yes/no/on/off are booleans to PyYAML too)."""

    shown = "boolean"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> bool | Invalid:
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL_TAG:
            return reading.fail(node, key, f"expected true or false, got {describe(node)}")
        return bool(yaml.safe_load(node.value))

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "boolean"}


DURATION_UNITS: Mapping[str, int] = MappingProxyType({"s": 1, "m": 60, "h": 3600, "d": 86400})
_DURATION = re.compile(r"([0-9]{1,6})([smhd])")
MAX_DURATION = timedelta(days=365)


def format_duration(value: timedelta) -> str:
    """A duration in the config's notation, in its largest whole unit: ``7d``, ``90m``, ``0``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0"
    for unit, size in sorted(DURATION_UNITS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("every whole number of seconds has a unit")  # pragma: no cover


class Duration(Kind[timedelta]):
    """A length of time: a whole number and a unit (``30s``, ``15m``, ``12h``, ``7d``), or 0."""

    shown = "duration (`30s`, `15m`, `12h`, `7d`; `0` for none)"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> timedelta | Invalid:
        if isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG and node.value == "0":
            return timedelta(0)
        if not isinstance(node, yaml.ScalarNode) or node.tag != STR_TAG:
            return reading.fail(node, key, f"expected a duration such as 7d, got {describe(node)}")
        text = str(node.value).strip().lower()
        match = _DURATION.fullmatch(text)
        if text == "0" or (match is not None and int(match[1]) == 0):
            return timedelta(0)
        if match is None:
            return reading.fail(
                node, key, f"{text!r} is not a duration: write a number and a unit s, m, h or d"
            )
        value = timedelta(seconds=int(match[1]) * DURATION_UNITS[match[2]])
        if value > MAX_DURATION:
            return reading.fail(node, key, f"{text!r} is longer than a year")
        return value

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        pattern = "^(?:0|[0-9]{1,6}[smhd])$"
        return {"anyOf": [{"const": 0}, {"type": "string", "pattern": pattern}]}


QUORUM_WORDS: tuple[str, ...] = ("majority", "all")


@dataclass(frozen=True)
class Quorum(Kind["int | str"]):
    """How many approvals: a number, or ``majority`` / ``all`` of the eligible approvers."""

    low: int = 1
    high: int = 99

    @property
    def shown(self) -> str:
        return f"integer {self.low}–{self.high}, `majority` or `all`"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> int | str | Invalid:
        if isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG:
            return Integer(self.low, self.high).read(node, key, reading)
        if isinstance(node, yaml.ScalarNode) and node.tag == STR_TAG:
            word = str(node.value).strip().lower()
            if word in QUORUM_WORDS:
                return word
            hint = suggest(word, QUORUM_WORDS)
            return reading.fail(node, key, f"{word!r} is not a number, majority or all{hint}")
        return reading.fail(node, key, f"expected a number, majority or all, got {describe(node)}")

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        number = {"type": "integer", "minimum": self.low, "maximum": self.high}
        return {"anyOf": [number, {"enum": list(QUORUM_WORDS)}]}


# A GitHub login (1-39 letters, digits, single inner hyphens), an org/team slug, a group word.
_LOGIN = re.compile(r"@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_TEAM = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True)
class Approver(Kind[str]):
    """Who may approve: a group word (``maintainers``), an ``org/team``, or a login."""

    groups: tuple[str, ...] = ("maintainers",)
    shown = "`maintainers`, org/team or login"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        text = Name().read(node, key, reading)
        if text is INVALID:
            return INVALID
        if text.lower() in self.groups:
            return text.lower()
        hint = suggest(text, self.groups)
        if hint and not text.startswith("@"):
            # `maintainer` is a valid login too: a near miss of a group word is a typo until
            # written as `@maintainer`.
            return reading.fail(
                node, key, f"{text!r} is not a group{hint}; write @{text} for a login"
            )
        if _TEAM.fullmatch(text) or _LOGIN.fullmatch(text):
            return text.lstrip("@")
        return reading.fail(
            node, key, f"{text!r} is not maintainers, an org/team or a GitHub login{hint}"
        )

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        pattern = f"^(?:{_TEAM.pattern}|{_LOGIN.pattern})$"
        return {"anyOf": [{"enum": list(self.groups)}, {"type": "string", "pattern": pattern}]}


# --- Lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListOf(Kind[tuple[str, ...]]):
    """A list of distinct strings, each read by ``item``."""

    item: Kind[str] = Name()
    at_least: int = 0
    too_few: str = "needs at least one item"
    # Values that differ only in case/whitespace count as the same value (statuses, apps).
    fold_case: bool = False

    @property
    def shown(self) -> str:
        return "list of strings" if isinstance(self.item, Name) else f"list of {self.item.shown}"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> tuple[str, ...] | Invalid:
        if not isinstance(node, yaml.SequenceNode):
            return reading.fail(node, key, f"expected a list of strings, got {describe(node)}")
        values: dict[str, str] = {}  # identity (folded or not) -> value
        failed = False
        for item in node.value:
            value = self.item.read(item, key, reading)
            if value is INVALID:
                failed = True
                continue
            same = fold(value) if self.fold_case else value
            if same in values:
                twice = f"{value!r} is listed twice"
                if values[same] != value:
                    twice += f" (as {values[same]!r}; case and spaces do not count)"
                reading.fail(item, key, twice)
                failed = True
                continue
            values[same] = value
        if len(node.value) < self.at_least:
            return reading.fail(node, key, self.too_few)
        return INVALID if failed else tuple(values.values())

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        items = self.item.schema(rules)
        schema: JsonSchema = {"type": "array", "items": items, "uniqueItems": True}
        if self.at_least:
            schema["minItems"] = self.at_least
        return schema


@dataclass(frozen=True)
class OrNull(Kind[T_co]):
    """``kind``, or null read as ``null``."""

    kind: Kind[T_co]
    null: T_co

    @property
    def shown(self) -> str:
        return f"{self.kind.shown} or `null`"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> T_co | Invalid:
        return self.null if is_null(node) else self.kind.read(node, key, reading)

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"anyOf": [{"type": "null"}, self.kind.schema(rules)]}


# --- Mappings ---------------------------------------------------------------------------------


def read_entries(
    node: yaml.Node, key: str | None, reading: Reading
) -> list[tuple[str, yaml.Node, yaml.Node]] | Invalid:
    """(key text, key node, value node) for each entry whose key is a one-line string."""
    if not isinstance(node, yaml.MappingNode):
        return reading.fail(node, key, f"expected a mapping, got {describe(node)}")
    entries = []
    for key_node, value_node in node.value:
        name = Name().read(key_node, key or "(top level)", reading)
        if name is not INVALID:
            entries.append((name, key_node, value_node))
    return entries


class KeyKind(ABC):
    """How the keys of a MappingOf are read: checked, and put in one canonical spelling."""

    shown: str = "key"

    @abstractmethod
    def read_key(self, text: str, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        """The canonical key; ``key`` is the mapping's own dotted key."""

    def names(self, rules: Mapping[str, str]) -> Mapping[str, str] | None:
        """Every allowed key with its description, when they are known in advance."""
        return None

    def schema(self) -> JsonSchema:
        return {"pattern": r"\S"}


class StatusKey(KeyKind):
    shown = "status"

    def read_key(self, text: str, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        return text


class TransitionKey(KeyKind):
    """``From -> To``, spaces around the arrow optional; kept as ``From -> To``."""

    shown = '`"From -> To"`'

    def read_key(self, text: str, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        parts = [part.strip() for part in text.split("->")]
        if len(parts) != 2 or not all(parts):
            return reading.fail(node, key, f"{text!r} should read 'From -> To'")
        return f"{parts[0]} -> {parts[1]}"

    def schema(self) -> JsonSchema:
        return {"pattern": r"^[^>]*\S\s*->\s*\S[^>]*$"}


class RuleIdKey(KeyKind):
    """A registered rule id."""

    shown = "rule id"

    def read_key(self, text: str, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        if text not in reading.rule_ids:
            hint = suggest(text, sorted(reading.rule_ids))
            message = f"unknown rule id{hint}; see `rfc-bot rules`"
            return reading.fail(node, child_key(key, text), message)
        return text

    def names(self, rules: Mapping[str, str]) -> Mapping[str, str] | None:
        return rules


@dataclass(frozen=True)
class MappingOf(Kind[MappingProxyType[str, V]]):
    """A mapping with keys read by ``key`` and values read by ``value``."""

    key: KeyKind
    value: Kind[V]

    @property
    def shown(self) -> str:
        return f"mapping {self.key.shown} → {self.value.shown}"

    def read(
        self, node: yaml.Node, key: str, reading: Reading
    ) -> MappingProxyType[str, V] | Invalid:
        entries = read_entries(node, key, reading)
        if entries is INVALID:
            return INVALID
        values: dict[str, V] = {}
        failed = len(entries) != len(node.value)
        for text, key_node, value_node in entries:
            name = self.key.read_key(text, key_node, key, reading)
            if name is INVALID:
                failed = True
                continue
            if name in values:
                reading.fail(key_node, child_key(key, name), "duplicate key")
                failed = True
                continue
            value = self.value.read(value_node, child_key(key, name), reading)
            if value is INVALID:
                failed = True
                continue
            values[name] = value
        return INVALID if failed else MappingProxyType(values)

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        value = self.value.schema(rules)
        names = self.key.names(rules)
        if names is None:
            keys = self.key.schema()
            return {"type": "object", "propertyNames": keys, "additionalProperties": value}
        properties = {name: {**value, "description": doc} for name, doc in names.items()}
        return {"type": "object", "properties": properties, "additionalProperties": False}


# --- Sections: a nested table, read into a dataclass ----------------------------------------


@dataclass(frozen=True)
class Setting:
    """One row of the field table, kept in the dataclass field's metadata."""

    kind: Kind[Any]
    default: Any
    doc: str  # one or two sentences: YAML comment, JSON Schema description, docs/config.md
    heading: str = ""  # starts a group in `rfc-bot config --defaults`
    # The statuses a value names; each must be one of `statuses`.
    names_statuses: Callable[[Any], Iterable[str]] | None = None
    # False: a default naming statuses the file renamed is simply unused (nothing matches it).
    default_must_match: bool = True


_SETTING = "rfc-bot.setting"


def setting(
    kind: Kind[T],
    default: T,
    doc: str,
    *,
    heading: str = "",
    names_statuses: Callable[[T], Iterable[str]] | None = None,
    default_must_match: bool = True,
) -> T:
    """Declare a config field: its kind, default and doc, in one place.

    Typed as the value so the dataclass reads naturally (``rfc_dir: str = setting(...)``);
    it is a dataclasses.field carrying a Setting.
    """
    row = Setting(kind, default, " ".join(doc.split()), heading, names_statuses, default_must_match)
    return cast(T, dataclasses.field(default_factory=lambda: default, metadata={_SETTING: row}))


def settings_of(table: type) -> list[tuple[str, Setting]]:
    """(field name, Setting) for every field of a config dataclass, in declaration order."""
    return [(field.name, field.metadata[_SETTING]) for field in dataclasses.fields(table)]


@dataclass(frozen=True)
class SectionRead:
    """The outcome of reading a section: the values read, and where each key was written."""

    values: dict[str, object]
    written: dict[str, yaml.Node]  # field name -> its key node
    invalid: set[str]  # written, but not readable: the default stands in and was not checked


def read_section(table: type, node: yaml.Node, key: str | None, reading: Reading) -> SectionRead:
    """Read a mapping whose keys are the fields of ``table``; unknown keys are problems."""
    rows = dict(settings_of(table))
    read = SectionRead({}, {}, set())
    entries = read_entries(node, key, reading)
    if entries is INVALID:
        return read
    for name, key_node, value_node in entries:
        where = child_key(key, name)
        row = rows.get(name)
        if row is None:
            hint = suggest(name, rows)
            reading.fail(key_node, where, f"unknown key{hint}; known keys: {', '.join(rows)}")
        elif name in read.written:
            reading.fail(key_node, where, "duplicate key")
        else:
            read.written[name] = key_node
            value = row.kind.read(value_node, where, reading)
            if value is INVALID:
                read.invalid.add(name)
            else:
                read.values[name] = value
    return read


@dataclass(frozen=True)
class Section(Kind[D]):
    """A nested table: a mapping read into the config dataclass ``table``."""

    table: type[D]
    shown = "mapping"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> D | Invalid:
        read = read_section(self.table, node, key, reading)
        if read.invalid or len(read.written) != _entry_count(node):
            return INVALID
        return self.table(**read.values)

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return section_schema(self.table, rules)


def _entry_count(node: yaml.Node) -> int:
    return len(node.value) if isinstance(node, yaml.MappingNode) else -1


def section_schema(table: type, rules: Mapping[str, str]) -> JsonSchema:
    properties = {
        name: {**row.kind.schema(rules), "description": row.doc, "default": plain(row.default)}
        for name, row in settings_of(table)
    }
    return {"type": "object", "properties": properties, "additionalProperties": False}


def plain(value: object) -> object:
    """A config value as JSON-like data: tuples as lists, mappings and tables as dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name, _ in settings_of(type(value))}
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    if isinstance(value, timedelta):
        return format_duration(value)
    return value
