"""Collection value kinds: lists of strings, mappings with checked keys, and null for either."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

import yaml

from bot.rfc.config.kinds import (
    INVALID,
    Invalid,
    JsonSchema,
    Kind,
    Reading,
    T_co,
    child_key,
    describe,
    is_null,
)
from bot.rfc.config.scalar_kinds import Name
from bot.rfc.spelling import fold, suggest

V = TypeVar("V")


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
