"""Scalar value kinds: one string, number, word, boolean, duration or approver per value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import TypeVar

import yaml

from bot.rfc.config.kinds import (
    BOOL_TAG,
    INT_TAG,
    INVALID,
    STR_TAG,
    Invalid,
    JsonSchema,
    Kind,
    Reading,
    describe,
)
from bot.rfc.spelling import suggest

W = TypeVar("W", bound=str)


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


# An http(s) address as a markdown link can hold it: no space, quote, bracket or backtick.
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`()\[\]\\]{1,2000}")


class WebAddress(Kind[str]):
    """An ``https://`` (or ``http://``) address, kept as written without a trailing ``/``."""

    shown = "string (https URL)"

    def read(self, node: yaml.Node, key: str, reading: Reading) -> str | Invalid:
        text = read_string(node, key, reading)
        if text is INVALID:
            return INVALID
        value = text.strip()
        if not _WEB_ADDRESS.fullmatch(value):
            return reading.fail(
                node, key, f"{value!r} is not a web address: write https://host/path, no spaces"
            )
        return value.rstrip("/")

    def schema(self, rules: Mapping[str, str]) -> JsonSchema:
        return {"type": "string", "pattern": f"^{_WEB_ADDRESS.pattern}$"}


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
