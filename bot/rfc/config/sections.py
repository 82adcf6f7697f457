"""Sections: a nested table read into a dataclass, and ``setting``, which declares one field
of a table (its kind, default and doc) for the reader, the schema and the docs to walk."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar, cast

import yaml

from bot.rfc.config.collection_kinds import read_entries
from bot.rfc.config.kinds import INVALID, Invalid, JsonSchema, Kind, Reading, child_key
from bot.rfc.config.scalar_kinds import format_duration
from bot.rfc.spelling import suggest

T = TypeVar("T")
D = TypeVar("D")


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
