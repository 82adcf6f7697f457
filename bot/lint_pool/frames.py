"""The wire between the lint pool and its lint processes: the lint call, and the frames.

Each frame is its length (8 bytes, big-endian), then a pickle. A job frame carries one
``LintCall`` as a plain tuple, its config as a pickle of its own; a result frame carries
``("ok", LintSummary)``, ``("error", traceback text)``, or, once at start-up,
``("ready", pid)``.

Config holds ``MappingProxyType`` values, which pickle refuses: ``dumps`` sends them as dicts
through a private dispatch table, without changing how anything else in the process pickles.
A repository's config is the same object for every file of every delivery until its default
branch changes, so the sender pickles each config once and the lint process unpickles each
distinct pickle once (both bounded caches): pickling it with every job cost more than the
rest of the frame.
"""

from __future__ import annotations

import copyreg
import importlib
import io
import pickle
import struct
from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import Any, BinaryIO, NamedTuple

from cachetools import LRUCache

from bot.rfc.config.public import Config
from bot.rfc.lint import NO_BASE, LintResult
from bot.rfc.rules.base import NoBase
from bot.rfc.workflow import Provenance

HEADER = struct.Struct(">Q")  # each frame: its length, then a pickle
# Configs kept pickled (sender) and unpickled (lint process): a few per repository at most.
CONFIGS_KEPT = 64

# A function with ``bot.rfc.lint.lint``'s signature; ``LintCall.run`` is its one caller.
LintFunction = Callable[..., LintResult]


class LintCall(NamedTuple):
    """The arguments of one call of the lint function (``bot.rfc.lint.lint``'s signature,
    spelled here once for the pool, the wire and the lint process)."""

    path: str
    content: str | bytes
    config: Config
    base: str | bytes | NoBase | None = NO_BASE
    today: date | None = None
    provenance: Provenance | None = None
    known_files: frozenset[str] | None = None

    def run(self, lint_function: LintFunction) -> LintResult:
        return lint_function(
            self.path,
            self.content,
            self.config,
            base=self.base,
            today=self.today,
            provenance=self.provenance,
            known_files=self.known_files,
        )

    def frame_payload(self) -> bytes:
        """The job frame's payload: the arguments as a plain tuple, the config as its pickle."""
        path, content, config, *options = self
        return dumps((path, content, _pickled(config), *options))

    @classmethod
    def from_payload(cls, payload: bytes) -> LintCall:
        call = cls(*pickle.loads(payload))
        config: Any = call.config
        return call._replace(config=_unpickled(config)) if isinstance(config, bytes) else call


# id(config) -> (config, its pickle): the config is held, so its id is not reused meanwhile.
_PICKLED: LRUCache[int, tuple[Config, bytes]] = LRUCache(CONFIGS_KEPT)
_UNPICKLED: LRUCache[bytes, Config] = LRUCache(CONFIGS_KEPT)


def _pickled(config: Config) -> bytes:
    kept = _PICKLED.get(id(config))
    if kept is None or kept[0] is not config:
        kept = _PICKLED[id(config)] = (config, dumps(config))
    return kept[1]


def _unpickled(pickled: bytes) -> Config:
    config = _UNPICKLED.get(pickled)
    if config is None:
        config = _UNPICKLED[pickled] = pickle.loads(pickled)
    return config


def resolve(reference: str) -> LintFunction:
    """``"module:name"`` -> the function."""
    module, _, name = reference.partition(":")
    function: LintFunction = getattr(importlib.import_module(module), name)
    return function


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return _mapping_proxy, (dict(proxy),)


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[MappingProxyType] = _reduce_mapping_proxy


def dumps(value: object) -> bytes:
    try:  # most frames hold no MappingProxyType: the C pickler's fast path
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except TypeError:
        pass
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def write_frame(stream: BinaryIO, value: object) -> None:
    payload = dumps(value)
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()
