"""The lint pool: same results as ``lint()``, a time budget that never hangs, bounded work,
a responsive event loop, and no lint process outliving its parent."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.lint_pool import pool as lint_pool
from bot.lint_pool.pool import (
    LintPool,
    LintPoolClosed,
    LintPoolError,
    LintProcessFailed,
    timed_out,
)
from bot.rfc.config.public import Config, load_config
from bot.rfc.diagnostics import Severity
from bot.rfc.lint import NO_BASE, lint
from bot.rfc.lint_summary import DocumentSummary, LintSummary
from bot.rfc.rules import RULES_BY_ID
from bot.rfc.rules.base import NoBase
from bot.serve.processes import usable_cpus
from tests.lint_pool.helpers import REFERENCE

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "rfc" / "golden"
EXAMPLE = (ROOT / "examples" / "rfcs" / "0000-job-retries.md").read_text(encoding="utf-8")
PATH = "rfcs/0000-job-retries.md"
TODAY = date(2026, 1, 15)


@pytest.fixture
async def pool() -> AsyncIterator[LintPool]:
    async with LintPool(processes=2, timeout=30, lint_function=REFERENCE) as started:
        yield started


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds (a test timeout, never a timing assertion)."""
    for _ in range(60_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never held")


def _golden_cases() -> list[tuple[str, str, str | NoBase | None, date]]:
    cases = []
    for expected_file in sorted(GOLDEN.glob("*.expected.json")):
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        text = (GOLDEN / expected_file.name.replace(".expected.json", ".md")).read_text("utf-8")
        base: str | NoBase | None = {"none": NO_BASE, "new": None}.get(expected["base"])
        if expected["base"] not in ("none", "new"):
            base = (GOLDEN / expected["base"]).read_text(encoding="utf-8")
        cases.append((expected["path"], text, base, date.fromisoformat(expected["today"])))
    return cases


def _prompt_flood(lines: int) -> str:
    """Hostile input: every line an unfilled template prompt (one diagnostic each)."""
    return "# T\n\n" + "[Brief 1-2 sentence description of the feature/change]\n\n" * lines


# --- the same answers as lint() -------------------------------------------------------------


async def test_golden_files_give_what_lint_gives(pool: LintPool) -> None:
    cases = _golden_cases()
    assert len(cases) > 20
    pooled = await asyncio.gather(
        *(pool.lint(path, text, Config(), base=base, today=day) for path, text, base, day in cases)
    )
    for (path, text, base, day), summary in zip(cases, pooled, strict=True):
        expected = lint(path, text, Config(), base=base, today=day)
        assert summary == LintSummary.of(expected), path
        assert summary.ok == expected.ok
    assert any(not summary.ok for summary in pooled) and any(s.ok for s in pooled)


async def test_summary_carries_what_the_app_reads(pool: LintPool) -> None:
    summary = await pool.lint(PATH, EXAMPLE, Config(), today=TODAY)
    assert summary.document == DocumentSummary(
        title="Job Retries with Backoff in the Orchestrator",
        status="Draft",
        target_apps=["orchestrator", "jobmaster", "shared"],
        authors=["praman", "tlindqvist"],
    )


async def test_repository_config_travels_to_the_worker(pool: LintPool) -> None:
    """Config holds mapping proxies, which pickle refuses: the pool sends them anyway."""
    config = load_config("rules:\n  template-prompt: warning\n", ".github/rfc-bot.yml")
    summary = await pool.lint(PATH, _prompt_flood(3), config, today=TODAY)
    prompts = [d for d in summary.diagnostics if d.rule == "template-prompt"]
    assert len(prompts) == 3 and {d.severity for d in prompts} == {Severity.WARNING}


async def test_unusable_and_oversized_content(pool: LintPool) -> None:
    binary = await pool.lint(PATH, b"\x89PNG\x00\x00", Config())
    oversized = await pool.lint(PATH, "x" * 1_000_001, Config())
    for summary in (binary, oversized):
        assert summary.document is None
        assert [d.rule for d in summary.diagnostics] == ["file-unreadable"]


async def test_a_result_with_thousands_of_diagnostics(pool: LintPool) -> None:
    """Big results are unpickled off the loop; they still arrive whole."""
    text = _prompt_flood(3000)
    summary = await pool.lint(PATH, text, Config(), today=TODAY)
    assert len(pickle.dumps(summary)) > lint_pool.UNPICKLE_IN_THREAD_BYTES
    assert summary == LintSummary.of(lint(PATH, text, Config(), today=TODAY))


async def test_inline_pool_runs_no_process_and_answers_the_same() -> None:
    async with LintPool(processes=0) as inline:
        summary = await inline.lint(PATH, EXAMPLE, Config(), today=TODAY)
        assert inline.pids == [] and (inline.busy, inline.waiting) == (0, 0)
    assert summary == LintSummary.of(lint(PATH, EXAMPLE, Config(), today=TODAY))


async def test_stray_prints_in_a_worker_do_not_corrupt_results(pool: LintPool) -> None:
    summary = await pool.lint(PATH, "PRINT\n" + EXAMPLE, Config(), today=TODAY)
    assert summary == LintSummary.of(lint(PATH, EXAMPLE, Config(), today=TODAY))


# --- the time budget --------------------------------------------------------------------------


async def test_a_file_over_budget_is_one_diagnostic_and_the_pool_keeps_working(
    tmp_path: Path,
) -> None:
    async with LintPool(processes=1, timeout=0.5, lint_function=REFERENCE) as pool:
        (first_pid,) = pool.pids
        hang = f"HANG {tmp_path / 'started'}\n"
        stuck, queued = await asyncio.gather(
            pool.lint(PATH, hang, Config()), pool.lint(PATH, EXAMPLE, Config(), today=TODAY)
        )
        assert (tmp_path / "started").exists()  # it really ran, and was stopped
        assert stuck.document is None
        (finding,) = stuck.diagnostics
        assert (finding.rule, finding.severity, finding.line) == ("lint-timeout", "error", 1)
        assert "0.5 s" in finding.message and PATH in finding.message
        assert finding.help == RULES_BY_ID["lint-timeout"].fix
        assert "Split" in finding.help and "bug" in finding.help
        assert queued == LintSummary.of(lint(PATH, EXAMPLE, Config(), today=TODAY))
        assert pool.pids and pool.pids != [first_pid]
        assert not _alive(first_pid)
        again = await pool.lint(PATH, hang, Config())
        assert [d.rule for d in again.diagnostics] == ["lint-timeout"]


async def test_the_repository_may_change_the_timeout_severity() -> None:
    config = load_config("rules:\n  lint-timeout: warning\n", ".github/rfc-bot.yml")
    summary = timed_out(PATH, config, 5.0)
    assert [(d.rule, d.severity) for d in summary.diagnostics] == [("lint-timeout", "warning")]
    assert summary.ok


# --- failures are errors, never hangs ----------------------------------------------------------


async def test_a_raising_lint_function_is_reported_and_the_worker_kept(pool: LintPool) -> None:
    pids = pool.pids
    with pytest.raises(LintProcessFailed, match="ValueError: scripted failure"):
        await pool.lint(PATH, "RAISE\n", Config())
    assert pool.pids == pids
    assert (await pool.lint(PATH, EXAMPLE, Config(), today=TODAY)).ok


async def test_a_dying_worker_is_reported_and_replaced(pool: LintPool) -> None:
    before = set(pool.pids)
    with pytest.raises(LintProcessFailed, match="died"):
        await pool.lint(PATH, "CRASH\n", Config())
    await _until(lambda: len(pool.pids) == 2 and set(pool.pids) != before)
    assert len(set(pool.pids) - before) == 1
    results = await asyncio.gather(*(pool.lint(PATH, EXAMPLE, Config()) for _ in range(4)))
    assert all(summary.document is not None for summary in results)


async def test_a_worker_that_cannot_start_fails_start_and_leaves_nothing() -> None:
    pool = LintPool(processes=2, lint_function="tests.lint_pool.no_such_module:lint")
    with pytest.raises(LintProcessFailed, match="did not start"):
        await pool.start()
    assert pool.pids == []
    with pytest.raises(LintPoolClosed):
        await pool.lint(PATH, EXAMPLE, Config())


async def test_a_replacement_that_cannot_start_fails_the_next_job_only(tmp_path: Path) -> None:
    async with LintPool(processes=1, timeout=0.5, lint_function=REFERENCE) as pool:
        for _ in range(2):
            pool.lint_function = "tests.lint_pool.no_such_module:lint"  # every later start fails
            timeout = await pool.lint(PATH, f"HANG {tmp_path / 'started'}\n", Config())
            assert [d.rule for d in timeout.diagnostics] == ["lint-timeout"]
            await _until(lambda: pool.pids == [])  # killed; its replacement failed
            with pytest.raises(LintProcessFailed, match="did not start"):
                await pool.lint(PATH, EXAMPLE, Config())
            pool.lint_function = REFERENCE  # the next job starts a worker again
            assert (await pool.lint(PATH, EXAMPLE, Config(), today=TODAY)).ok
        pool.lint_function = "tests.lint_pool.no_such_module:lint"
        await pool.lint(PATH, f"HANG {tmp_path / 'started'}\n", Config())
        await _until(lambda: pool.pids == [])
    # closed with no worker in the slot: nothing to stop


def test_workers_get_no_credentials_and_the_parents_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "hook-secret")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    environment = lint_pool._child_environment()
    assert not [name for name in environment if name.startswith("GITHUB_")]
    first, *rest = environment["PYTHONPATH"].split(os.pathsep)
    assert Path(first) / "bot" == Path(lint_pool.__file__).resolve().parents[1]
    assert rest == ["/elsewhere"]


async def test_a_worker_that_cannot_even_be_executed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint_pool, "_child_command", lambda _: ["/nonexistent/python3"])
    with pytest.raises(LintProcessFailed, match="cannot start a lint worker"):
        await LintPool(processes=1).start()


async def test_lint_before_start_and_bad_arguments() -> None:
    with pytest.raises(LintPoolClosed, match="start"):
        await LintPool(processes=0).lint(PATH, EXAMPLE, Config())
    for arguments in ({"processes": -1}, {"timeout": 0}, {"max_waiting": 0}):
        with pytest.raises(ValueError):
            LintPool(**arguments)  # type: ignore[arg-type]
    started = LintPool(processes=0)
    await started.start()
    with pytest.raises(LintPoolError, match="once"):
        await started.start()


def test_default_size_is_the_usable_cpus() -> None:
    pool = LintPool()
    assert pool.processes == usable_cpus() >= 1
    assert pool.max_waiting == lint_pool.WAITING_PER_PROCESS * pool.processes


# --- bounds -----------------------------------------------------------------------------------


async def test_never_more_workers_busy_than_the_bound(pool: LintPool, tmp_path: Path) -> None:
    results = await asyncio.gather(
        *(pool.lint(f"rfcs/{n}.md", f"MARK {tmp_path}", Config()) for n in range(8))
    )
    seen = [summary.diagnostics[0].message.split() for summary in results]
    assert max(int(words[3]) for words in seen) <= 2
    assert len({words[1] for words in seen}) == 2  # both workers took files


async def test_waiting_files_are_bounded_and_callers_wait(tmp_path: Path) -> None:
    flag = tmp_path / "go"
    async with LintPool(processes=1, max_waiting=1, timeout=60, lint_function=REFERENCE) as pool:
        running = asyncio.create_task(pool.lint(PATH, f"WAIT {flag}\n{EXAMPLE}", Config()))
        await _until(lambda: pool.busy == 1)
        queued = asyncio.create_task(pool.lint(PATH, EXAMPLE, Config()))
        await _until(lambda: pool.waiting == 1)
        held_back = [asyncio.create_task(pool.lint(PATH, EXAMPLE, Config())) for _ in range(3)]
        for _ in range(20):
            await asyncio.sleep(0)
        assert (pool.busy, pool.waiting) == (1, 1)  # the other three wait outside the pool
        assert not any(task.done() for task in [running, queued, *held_back])
        flag.touch()
        results = await asyncio.gather(running, queued, *held_back)
        assert all(summary.document is not None for summary in results)
        assert (pool.busy, pool.waiting) == (0, 0)


async def test_a_cancelled_caller_frees_its_place(tmp_path: Path) -> None:
    flag = tmp_path / "go"
    async with LintPool(processes=1, timeout=60, lint_function=REFERENCE) as pool:
        running = asyncio.create_task(pool.lint(PATH, f"WAIT {flag}\n{EXAMPLE}", Config()))
        await _until(lambda: pool.busy == 1)
        queued = asyncio.create_task(pool.lint(PATH, "RAISE\n", Config()))
        await _until(lambda: pool.waiting == 1)
        queued.cancel()
        running.cancel()
        flag.touch()
        # Neither result is wanted any more; the next file is linted normally.
        assert (await pool.lint(PATH, EXAMPLE, Config(), today=TODAY)).ok
        assert queued.cancelled() and running.cancelled()


# --- the event loop stays free ------------------------------------------------------------------


async def test_the_loop_keeps_ticking_while_a_big_file_lints(
    pool: LintPool, tmp_path: Path
) -> None:
    """The worker only finishes after the loop ticked 20 times *during* its lint."""
    flag = tmp_path / "ticked"
    big = _big_rfc()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1
            if ticks == 20:
                flag.touch()

    ticker = asyncio.create_task(tick())
    linting = asyncio.create_task(pool.lint(PATH, f"WAIT {flag}\n{big}", Config(), today=TODAY))
    await _until(lambda: pool.busy == 1)
    ticks = 0  # count only the ticks from here on
    summary = await linting
    ticker.cancel()
    assert ticks >= 20
    assert summary.document is not None and summary.document.title == "Big"


def _big_rfc() -> str:
    section = "## Section {n}\n\n" + "A line of text about the design of the thing.\n" * 40
    body = "".join(section.format(n=n) for n in range(450))
    return "# Big\n\n**Status:** Draft\n\n" + body


# --- shutdown and parent death --------------------------------------------------------------------


async def test_close_fails_pending_files_and_reaps_every_worker(tmp_path: Path) -> None:
    pool = LintPool(processes=1, timeout=60, lint_function=REFERENCE)
    await pool.start()
    pids = pool.pids
    running = asyncio.create_task(pool.lint(PATH, f"WAIT {tmp_path / 'never'}\n", Config()))
    await _until(lambda: pool.busy == 1)
    queued = asyncio.create_task(pool.lint(PATH, EXAMPLE, Config()))
    await _until(lambda: pool.waiting == 1)
    await pool.close()
    for task in (running, queued):
        with pytest.raises(LintPoolClosed):
            await task
    assert not any(_alive(pid) for pid in pids)
    with pytest.raises(LintPoolClosed, match="closed"):
        await pool.lint(PATH, EXAMPLE, Config())
    await pool.close()  # twice is harmless


async def test_a_caller_waiting_for_room_when_the_pool_closes_gets_an_error(
    tmp_path: Path,
) -> None:
    pool = LintPool(processes=1, max_waiting=1, timeout=60, lint_function=REFERENCE)
    await pool.start()
    running = asyncio.create_task(pool.lint(PATH, f"WAIT {tmp_path / 'never'}\n", Config()))
    await _until(lambda: pool.busy == 1)
    queued = asyncio.create_task(pool.lint(PATH, EXAMPLE, Config()))
    await _until(lambda: pool.waiting == 1)
    outside = asyncio.create_task(pool.lint(PATH, EXAMPLE, Config()))
    await asyncio.sleep(0)
    await pool.close()
    for task in (running, queued, outside):
        with pytest.raises(LintPoolClosed):
            await task


async def test_close_kills_a_worker_that_does_not_exit_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker stuck in a C call holding the GIL cannot act on its closed pipe: killed."""
    monkeypatch.setattr(lint_pool, "STOP_GRACE_SECONDS", 0.2)
    started = tmp_path / "started"
    pool = LintPool(processes=1, timeout=60, lint_function=REFERENCE)
    await pool.start()
    (pid,) = pool.pids
    stuck = asyncio.create_task(pool.lint(PATH, f"HANG {started}\n", Config()))
    await _until(started.exists)
    await pool.close()
    with pytest.raises(LintPoolClosed):
        await stuck
    assert not _alive(pid)


async def test_closing_while_a_replacement_starts_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[asyncio.subprocess.Process] = []
    create = asyncio.create_subprocess_exec

    async def recording(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        process = await create(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recording)
    pool = LintPool(processes=1, timeout=0.3, lint_function=REFERENCE)
    await pool.start()
    await pool.lint(PATH, f"HANG {tmp_path / 'started'}\n", Config())
    await _until(lambda: len(started) == 2)  # the replacement is importing the engine
    await pool.close()
    async with asyncio.timeout(30):
        codes = [await process.wait() for process in started]
    assert codes == [-signal.SIGKILL, -signal.SIGKILL]


_PARENT = textwrap.dedent(
    """
    import asyncio, sys
    from bot.lint_pool import LintPool
    from bot.rfc.config.public import Config

    async def main():
        pool = LintPool(processes=2, timeout=600, lint_function=sys.argv[1])
        await pool.start()
        print(" ".join(map(str, pool.pids)), flush=True)
        busy = asyncio.create_task(pool.lint("a.md", "HANG " + sys.argv[2] + "\\n", Config()))
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


def test_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves the parent no chance to clean up: the workers go by themselves, the busy
    one (in a regex match that never ends, holding the GIL) as well as the idle one."""
    started = tmp_path / "started"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, REFERENCE, str(started)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=ROOT,
    )
    try:
        assert parent.stdout is not None
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        _wait_for(started.exists)  # one worker is mid-lint
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        _wait_for(lambda: not any(_alive(pid) for pid in pids))
    finally:
        parent.kill()
        parent.wait()


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (an orphan's zombie waits for init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(3000):
        if condition():
            return
        subprocess.run(["sleep", "0.01"], check=True)
    raise AssertionError("condition never held")
