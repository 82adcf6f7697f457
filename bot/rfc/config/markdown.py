"""The key table of docs/config.md, derived from the field table (a test fails on drift)."""

from __future__ import annotations

from bot.rfc.config.collection_kinds import MappingOf, OrNull
from bot.rfc.config.fields import Config
from bot.rfc.config.sections import Section, settings_of
from bot.rfc.config.yaml_file import flow_yaml

_ENTRY = "From -> To"  # how a transition-keyed entry is named in a dotted key


def keys_table() -> str:
    """One row per key (nested keys dotted): key, type, default, meaning."""
    rows = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    rows += _rows(Config, "")
    return "\n".join(rows) + "\n"


def _rows(table: type, prefix: str) -> list[str]:
    rows = []
    for name, row in settings_of(table):
        key = prefix + name
        if isinstance(row.kind, Section):
            rows.append(f"| `{key}` | {_cell(row.kind.shown)} | see `{key}.*` | {_cell(row.doc)} |")
            rows += _rows(row.kind.table, f"{key}.")
            continue
        if isinstance(row.kind, OrNull) and isinstance(row.kind.kind, Section):
            # A table that may be null (off, e.g. digest): the key with its default, then the
            # table's keys.
            default = f"`{_cell(flow_yaml(row.default))}`"
            rows.append(f"| `{key}` | {_cell(row.kind.shown)} | {default} | {_cell(row.doc)} |")
            rows += _rows(row.kind.kind.table, f"{key}.")
            continue
        if isinstance(row.kind, MappingOf) and isinstance(row.kind.value, Section):
            # A mapping of tables (decisions): the mapping, then each key of one entry.
            default = f"`{_cell(flow_yaml(row.default))}`"
            shown = f"mapping {row.kind.key.shown} → table"
            rows.append(f"| `{key}` | {_cell(shown)} | {default} | {_cell(row.doc)} |")
            rows += _rows(row.kind.value.table, f"{key}.<{_ENTRY}>.")
            continue
        default = f"`{_cell(flow_yaml(row.default))}`"
        rows.append(f"| `{key}` | {_cell(row.kind.shown)} | {default} | {_cell(row.doc)} |")
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
