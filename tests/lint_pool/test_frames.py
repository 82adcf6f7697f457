"""The lint pool's wire: a job's config pickled once per config object and read once per
distinct pickle, and every value that pickle refuses (``MappingProxyType``) still sent."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date
from types import MappingProxyType

from bot.lint_pool import frames
from bot.lint_pool.frames import CONFIGS_KEPT, LintCall, dumps
from bot.rfc.config.public import Config, load_config

TODAY = date(2026, 1, 15)
STRICT = load_config("rfc_dir: proposals\ntarget_apps: [api, web]\n", ".github/rfc-bot.yml")


def call(config: Config, content: bytes = b"# Title\n") -> LintCall:
    return LintCall("proposals/0000-x.md", content, config, base=None, today=TODAY)


def test_a_job_arrives_with_every_argument_and_its_config_intact() -> None:
    sent = call(STRICT, b"# Some RFC\n\ntext\n")
    received = LintCall.from_payload(sent.frame_payload())
    assert received == sent
    assert received.config.rfc_dir == "proposals"
    assert received.config.target_apps == STRICT.target_apps


def test_the_config_is_pickled_once_per_object_and_unpickled_once_per_pickle() -> None:
    first = LintCall.from_payload(call(STRICT, b"one\n").frame_payload())
    second = LintCall.from_payload(call(STRICT, b"two\n").frame_payload())
    assert first.config is second.config  # read once, reused
    assert (first.content, second.content) == (b"one\n", b"two\n")  # the text never is
    other = LintCall.from_payload(call(Config()).frame_payload())
    assert other.config == Config() and other.config is not first.config


def test_a_config_never_stands_in_for_another_after_its_object_is_gone() -> None:
    """Pickles are kept by object identity: more configs than the cache holds, each made
    and dropped in turn (ids get reused), still each arrive as themselves."""
    for width in range(1, 2 * CONFIGS_KEPT + 2):
        config = dataclasses.replace(Config(), number_width=width)
        assert LintCall.from_payload(call(config).frame_payload()).config.number_width == width
        del config
    assert len(frames._PICKLED) <= CONFIGS_KEPT and len(frames._UNPICKLED) <= CONFIGS_KEPT


def test_a_job_written_with_the_config_inline_is_still_read() -> None:
    """Older senders (and tests) put the Config object itself in the tuple."""
    payload = dumps(tuple(call(STRICT)))
    assert LintCall.from_payload(payload).config == STRICT


def test_dumps_takes_the_fast_path_and_still_sends_mapping_proxies() -> None:
    plain = ("ok", [1, 2, 3])
    assert dumps(plain) == pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)
    wrapped = {"inner": MappingProxyType({"a": 1})}
    assert pickle.loads(dumps(wrapped)) == {"inner": MappingProxyType({"a": 1})}
