"""The RFC files of a check run (``bot.features.check_files``): texts proven from the listing's
patch or read, old texts and lint results reused only where nothing they depend on changed."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date
from http import HTTPStatus
from typing import Any

from gidgethub import BadRequest

from bot.features.check_files import PullFiles
from bot.features.context import Context
from bot.github.patches import blob_sha
from bot.policy.check import RfcChange
from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.lint_summary import LintSummary
from bot.rfc.rules.structure import LINT_TIMEOUT
from bot.rfc.workflow import Provenance
from bot.values import Pull
from sandbox.sim_diff import unified_patch
from tests.serve.helpers import pr_payload

HEAD, BASE = "a" * 40, "b" * 40
PATH = "rfcs/0000-x.md"
OLD, NEW = b"# X\n\nold\n", b"# X\n\nnew\n"
TODAY = date(2026, 1, 15)
NOBODY = Provenance(opener="alice")
CONFIG = Config()


class FakeGitHub:
    """The contents API over ``files`` ((path, ref) -> bytes); every read recorded."""

    def __init__(self, files: dict[tuple[str, str], bytes]) -> None:
        self.files = files
        self.reads: list[tuple[str, str]] = []

    async def getitem(self, url: str, url_vars: dict[str, str]) -> dict[str, Any]:
        path = url.split("/contents/", 1)[1].split("{", 1)[0]
        self.reads.append((path, url_vars["ref"]))
        data = self.files.get((path, url_vars["ref"]))
        if data is None:
            raise BadRequest(HTTPStatus.NOT_FOUND)
        return {"type": "file", "content": base64.b64encode(data).decode()}


class CountingLint:
    def __init__(self, result: LintSummary | None = None) -> None:
        self.texts: list[bytes] = []
        self.result = result

    async def __call__(self, path: str, content: bytes, config: Config, **options: Any) -> Any:
        self.texts.append(content)
        return self.result or LintSummary(path, [], None)


def pull(base: str = BASE) -> Pull:
    data = pr_payload(7)["pull_request"]
    data["base"] = {**data["base"], "sha": base}
    return Pull.from_json(data)


def listed(path: str, new: bytes, old: bytes | None, *, commit: str = HEAD, **extra: Any) -> Any:
    return {
        "filename": path,
        "status": "added" if old is None else "modified",
        "sha": blob_sha(new),
        "patch": unified_patch(old, new),
        "contents_url": f"https://api.github.com/repos/octo-org/rfcs/contents/{path}?ref={commit}",
        **extra,
    }


async def lint_once(
    ctx: Context, gh: FakeGitHub, listing: list[Any], change: RfcChange, **kw: Any
) -> LintSummary | None:
    files = PullFiles(gh, ctx, kw.pop("the_pull", pull()), listing)  # type: ignore[arg-type]
    (result,) = await files.lint(
        [change], kw.get("config", CONFIG), kw.get("today", TODAY), [kw.get("prov", NOBODY)]
    )
    return result


async def test_an_added_rfc_is_read_from_its_patch_and_linted_once() -> None:
    lint = CountingLint()
    ctx, gh = Context(lint=lint), FakeGitHub({})
    listing = [listed(PATH, NEW, None)]
    await lint_once(ctx, gh, listing, RfcChange(PATH, "added"))
    await lint_once(ctx, gh, listing, RfcChange(PATH, "added"))  # a push that left it alone
    assert gh.reads == [] and lint.texts == [NEW]


async def test_a_changed_rfc_reads_its_old_text_once_per_base_commit() -> None:
    lint = CountingLint()
    ctx = Context(lint=lint)
    gh = FakeGitHub({(PATH, BASE): OLD, (PATH, "c" * 40): OLD})
    change = RfcChange(PATH, "modified")
    await lint_once(ctx, gh, [listed(PATH, NEW, OLD)], change)
    newer = NEW + b"more\n"
    await lint_once(ctx, gh, [listed(PATH, newer, OLD)], change)  # another text, same base
    assert gh.reads == [(PATH, BASE)] and lint.texts == [NEW, newer]
    await lint_once(ctx, gh, [listed(PATH, newer, OLD)], change, the_pull=pull("c" * 40))
    assert gh.reads == [(PATH, BASE), (PATH, "c" * 40)]  # a new base: read, linted again
    assert len(lint.texts) == 3


async def test_text_not_proven_by_the_listing_is_read_at_the_head() -> None:
    """A forged or cut patch, an entry of another commit (the head moved between the two
    reads), an entry with no patch: the head's text comes from the contents API."""
    change = RfcChange(PATH, "added")
    forged = listed(PATH, NEW, None, patch="@@ -0,0 +1 @@\n+# evil")
    elsewhere = listed(PATH, b"# X\n\nolder head\n", None, commit="d" * 40)
    no_patch = listed(PATH, NEW, None, patch=None)
    for entry in (forged, elsewhere, no_patch):
        lint = CountingLint()
        gh = FakeGitHub({(PATH, HEAD): NEW})
        await lint_once(Context(lint=lint), gh, [entry], change)
        assert gh.reads == [(PATH, HEAD)] and lint.texts == [NEW]


async def test_a_lint_result_is_reused_only_for_the_same_inputs() -> None:
    lint = CountingLint()
    ctx, gh = Context(lint=lint), FakeGitHub({})
    listing, change = [listed(PATH, NEW, None)], RfcChange(PATH, "added")
    await lint_once(ctx, gh, listing, change)
    await lint_once(ctx, gh, listing, change, today=date(2026, 1, 16))
    await lint_once(ctx, gh, listing, change, prov=Provenance("alice", True))
    await lint_once(ctx, gh, listing, change, config=dataclasses.replace(CONFIG, number_width=5))
    assert len(lint.texts) == 4
    await lint_once(ctx, gh, listing, change, today=date(2026, 1, 16))
    assert len(lint.texts) == 4


async def test_a_lint_stopped_by_its_budget_is_never_reused() -> None:
    timeout = Diagnostic(LINT_TIMEOUT.id, Severity.ERROR, PATH, 1, 1, 1, 1, "took too long")
    lint = CountingLint(LintSummary(PATH, [timeout], None))
    ctx, gh = Context(lint=lint), FakeGitHub({})
    listing, change = [listed(PATH, NEW, None)], RfcChange(PATH, "added")
    await lint_once(ctx, gh, listing, change)
    await lint_once(ctx, gh, listing, change)
    assert len(lint.texts) == 2


async def test_removed_and_vanished_files_are_not_linted() -> None:
    lint = CountingLint()
    ctx, gh = Context(lint=lint), FakeGitHub({})
    assert await lint_once(ctx, gh, [], RfcChange(PATH, "removed")) is None
    assert await lint_once(ctx, gh, [], RfcChange(PATH, "added")) is None  # gone at the head
    assert gh.reads == [(PATH, HEAD)] and lint.texts == []


async def test_a_result_or_old_text_bigger_than_its_cache_is_used_and_not_kept() -> None:
    """A text with more diagnostics than the whole cache holds, an old text over 8 MB."""
    finding = Diagnostic("prompt-left", Severity.ERROR, PATH, 1, 1, 1, 1, "a prompt")
    lint = CountingLint(LintSummary(PATH, [finding] * 25_000, None))
    huge = b"x" * (9 << 20)
    ctx, gh = Context(lint=lint), FakeGitHub({(PATH, BASE): huge, (PATH, HEAD): NEW})
    change = RfcChange(PATH, "modified")
    listing = [listed(PATH, NEW, huge)]
    first = await lint_once(ctx, gh, listing, change)
    assert first is not None and len(first.diagnostics) == 25_000
    await lint_once(ctx, gh, listing, change)
    assert len(lint.texts) == 2  # linted again: the result was too big to keep
    assert gh.reads == [(PATH, BASE), (PATH, HEAD)] * 2  # and the old text read again


async def test_several_files_are_read_together_and_a_removed_one_not_at_all() -> None:
    other = "rfcs/0000-y.md"
    lint = CountingLint()
    ctx = Context(lint=lint)
    gh = FakeGitHub({(other, HEAD): OLD})
    listing = [listed(PATH, NEW, None), listed(other, OLD, None, patch=None)]
    files = PullFiles(gh, ctx, pull(), listing)  # type: ignore[arg-type]
    changes = [
        RfcChange(PATH, "added"),
        RfcChange(other, "added"),
        RfcChange("rfcs/z.md", "removed"),
    ]
    results = await files.lint(changes, CONFIG, TODAY, [NOBODY] * 3)
    assert [r is None for r in results] == [False, False, True]
    assert gh.reads == [(other, HEAD)] and sorted(lint.texts) == sorted([NEW, OLD])
