"""Value kinds' common ground: ``Kind`` (how one config value is read from YAML and how the
JSON Schema constrains it), the ``Reading`` that collects problems, ``INVALID``, node helpers.

The kinds themselves are in ``scalar_kinds.py`` (one value), ``collection_kinds.py`` (lists
and mappings) and ``sections.py`` (a nested table, and ``setting``, which declares a field).

A field of the config table (``fields.py``) is declared with ``setting(kind, default, doc)``.
Kinds compose (``ListOf(Choice(...))``, ``MappingOf(TRANSITION, Section(...))``), so a new key,
nested or not, is one declaration plus, at most, one new kind.

Reading is strict (a number where a string is expected is an error, never coerced) and never
stops at the first problem: a kind records each problem with its node's line and returns
``INVALID`` for a value it could not read, and reading carries on with the next value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

import yaml

from bot.rfc.config.problems import Problems

T_co = TypeVar("T_co", covariant=True)

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
