"""Config files in layers: a repository's file over the files it extends (``_extends``).

Merged as Probot users expect: mappings deeply, key by key, the nearer file winning; any
other value (a list, a string, null) replaced whole. The field table's defaults are not a
layer: a key written in no file keeps its default, and a mapping written in any file
replaces the default mapping.

The merge works on composed YAML nodes, so every value keeps its file and line: a problem is
told where the value was written, and ``origins`` says where each effective value came
from. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import yaml

from bot.rfc.config.extends import Directives, ExtendsSpec, split_directives
from bot.rfc.config.fields import Config
from bot.rfc.config.problems import ConfigError, ConfigProblem, source_of
from bot.rfc.config.yaml_file import compose, read_root

# A config file is a few kilobytes; anything this large is not one (and GitHub's contents
# API serves no content at all past 1 MB).
MAX_CONFIG_BYTES = 64 * 1024
# Mappings nest three deep in the field table (decisions -> "From -> To" -> approvals);
# deeper values are replaced whole, so aliases cannot make a merge explode.
MERGED_LEVELS = 3
# Entries a merge (or an origins walk) may visit: YAML aliases can repeat a mapping many
# times over without making the text longer.
MAX_MERGE_ENTRIES = 20_000

Origin = str  # "source:line"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """One config file, composed: its document without directives, and its directives."""

    source: str
    root: yaml.Node | None
    directives: Directives = field(default_factory=Directives)

    @property
    def extends(self) -> ExtendsSpec | None:
        return self.directives.extends

    @property
    def problems(self) -> tuple[ConfigProblem, ...]:
        """The directives' own problems (reading the document finds the others)."""
        return self.directives.problems


def parse_config_file(text: str, source: str, *, limit: int | None = None) -> ConfigFile:
    """Compose one file; ConfigError when it is not YAML at all, or longer than ``limit``
    bytes (the App reads files from GitHub under ``MAX_CONFIG_BYTES``)."""
    if limit is not None:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limit:
            message = f"the file is {size:,} bytes; a config file may be at most {limit:,}"
            raise ConfigError(source, None, None, message)
    root, directives = split_directives(compose(text, source), source)
    return ConfigFile(source, root, directives)


def read_layers(files: Sequence[ConfigFile], rule_ids: Collection[str]) -> Config:
    """The Config of ``files`` (nearest first) merged; ConfigError naming every problem in
    the file that holds it. The directives' own problems are not among them."""
    root = merge_layers(files)
    sources = [file.source for file in files]
    return read_root(root, sources[0], rule_ids, sources)


def merge_layers(files: Sequence[ConfigFile]) -> yaml.Node | None:
    """``files`` (nearest first) merged into one document."""
    budget = _Budget(files[0].source if files else "")
    merged: yaml.Node | None = None
    for file in reversed(files):
        merged = merge(merged, file.root, budget=budget)
    return merged


def merge(
    base: yaml.Node | None, near: yaml.Node | None, *, budget: _Budget | None = None
) -> yaml.Node | None:
    """``near`` over ``base``: mappings merged key by key (``near`` wins), anything else
    replaced whole. An empty document (None, or null) leaves ``base`` as it is. Associative:
    a chain may be merged in any grouping (see ``ReplacingMapping``)."""
    if near is None or _is_null(near):
        return base
    if base is None or _is_null(base):
        return near
    return _merge(base, near, 0, budget or _Budget(""))


class ReplacingMapping(yaml.MappingNode):
    """A mapping that replaced a value that was not one: merged onto anything further away,
    it replaces that too (what was below the value it replaced stays hidden). This keeps the
    merge associative: ``(far + middle) + near == far + (middle + near)`` however a chain is
    grouped."""


def _merge(base: yaml.Node, near: yaml.Node, level: int, budget: _Budget) -> yaml.Node:
    if level >= MERGED_LEVELS or isinstance(near, ReplacingMapping):
        return near
    if not isinstance(near, yaml.MappingNode):
        return near
    if not isinstance(base, yaml.MappingNode):
        return ReplacingMapping(near.tag, near.value, near.start_mark, near.end_mark)
    entries = list(base.value)
    # key identity -> index in entries, of the base keys not yet overridden
    position: dict[tuple[str, str], int] = {}
    for index, (key, _) in enumerate(entries):
        identity = key_identity(key)
        if identity is not None:
            position.setdefault(identity, index)
    for key, value in near.value:
        budget.spend()
        identity = key_identity(key)
        found = position.pop(identity, None) if identity is not None else None
        if found is None:
            entries.append((key, value))  # new here, or a duplicate the reader reports
        else:
            entries[found] = (key, _merge(entries[found][1], value, level + 1, budget))
    kind = ReplacingMapping if isinstance(base, ReplacingMapping) else yaml.MappingNode
    return kind(near.tag, entries, near.start_mark, near.end_mark, near.flow_style)


def key_identity(node: yaml.Node) -> tuple[str, str] | None:
    """What makes two keys the same key: their tag and text, with the spacing around a
    ``From -> To`` arrow made one (the reader reads such keys that way). None for a key that
    is not a scalar: it never matches."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    return (node.tag, canonical_key(node.value))


def canonical_key(text: str) -> str:
    if "->" not in text:
        return text
    return " -> ".join(part.strip() for part in text.split("->"))


def origins(root: yaml.Node | None) -> dict[tuple[str, ...], Origin]:
    """Key path (canonical keys) -> ``source:line`` of the key that set it, for every key of
    the merged document down to the field table's depth."""
    found: dict[tuple[str, ...], Origin] = {}
    budget = _Budget("")
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            budget.spend()
            if not isinstance(key, yaml.ScalarNode):
                continue
            where = (*path, canonical_key(key.value))
            found.setdefault(where, f"{source_of(key, '?')}:{key.start_mark.line + 1}")
            if len(where) < MERGED_LEVELS:
                stack.append((value, where))
    return found


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


class _Budget:
    """Counts the entries a merge visits; past ``MAX_MERGE_ENTRIES`` the files are refused."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.left = MAX_MERGE_ENTRIES

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            message = (
                f"the merged configuration has more than {MAX_MERGE_ENTRIES:,} entries "
                "(YAML aliases repeat them); write the values out instead"
            )
            raise ConfigError(self.source, None, None, message)
