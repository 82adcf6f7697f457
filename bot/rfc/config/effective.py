"""The effective config as YAML, each value with where it came from (``rfc-bot config
--effective``): ``# .github/rfc-bot.yml:3``, ``# octo-org/.github:.github/rfc-bot.yml:7`` or
``# default``. Reading the text back gives the same Config. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from bot.rfc.config.fields import Config
from bot.rfc.config.sections import settings_of
from bot.rfc.config.yaml_file import flow_yaml

DEFAULT_ORIGIN = "default"


def effective_yaml(
    config: Config, origin_of: Mapping[tuple[str, ...], str], header: Sequence[str] = ()
) -> str:
    """Every key of ``config``, one value a line, commented with its origin (``origin_of``
    maps a key path to ``source:line``; a path it lacks kept its default)."""
    lines = [f"# {line}" if line else "#" for line in header]
    for name, _ in settings_of(Config):
        lines += _entry((name,), getattr(config, name), origin_of, "")
    return "\n".join(lines) + "\n"


def _entry(
    path: tuple[str, ...], value: object, origin_of: Mapping[tuple[str, ...], str], indent: str
) -> list[str]:
    key = flow_yaml(path[-1])
    note = f"  # {origin_of.get(path, DEFAULT_ORIGIN)}"
    nested = indent + "  "
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        lines = [f"{indent}{key}:{note}"]
        for name, _ in settings_of(type(value)):
            lines += _entry((*path, name), getattr(value, name), origin_of, nested)
        return lines
    if isinstance(value, Mapping) and value:
        lines = [f"{indent}{key}:{note}"]
        for name, item in value.items():
            lines += _entry((*path, name), item, origin_of, nested)
        return lines
    return [f"{indent}{key}: {flow_yaml(value)}{note}"]
