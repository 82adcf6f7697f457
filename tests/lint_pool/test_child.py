"""A lint process's loop, in this process: each job answered, the end of the input seen, a
job that cannot be read answered with an error (tests/lint_pool/test_pool.py runs real ones)."""

from __future__ import annotations

import gc
import io
import os
import pickle
from datetime import date
from pathlib import Path

from bot.lint_pool.child import (
    GC_YOUNG_THRESHOLD,
    run_job,
    serve_jobs,
    settle_garbage_collector,
)
from bot.lint_pool.frames import HEADER, read_frame, write_frame
from bot.rfc.config.public import Config
from bot.rfc.lint import NO_BASE, lint
from bot.rfc.lint_summary import LintSummary
from tests.lint_pool.helpers import scripted_lint

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "rfcs" / "0000-job-retries.md").read_text(encoding="utf-8")
PATH = "rfcs/0000-job-retries.md"
TODAY = date(2026, 1, 15)


def test_the_worker_loop_answers_each_job_then_stops_at_the_end_of_its_input() -> None:
    jobs = io.BytesIO()
    for content in (EXAMPLE, "RAISE\n"):
        write_frame(jobs, (PATH, content, Config(), NO_BASE, TODAY, None))
    jobs.write(b"\x00\x00")  # a torn frame reads as the end of the input
    jobs.seek(0)
    results = io.BytesIO()
    ended: list[bool] = []
    serve_jobs(jobs, results, scripted_lint, lambda: ended.append(True))
    results.seek(0)
    frames = []
    while (frame := read_frame(results)) is not None:
        frames.append(pickle.loads(frame))
    assert ended == [True]
    assert frames[0] == ("ready", os.getpid())
    assert frames[1] == ("ok", LintSummary.of(lint(PATH, EXAMPLE, Config(), today=TODAY)))
    kind, text = frames[2]
    assert kind == "error" and "ValueError: scripted failure" in text


def test_a_truncated_payload_reads_as_the_end() -> None:
    stream = io.BytesIO(HEADER.pack(10) + b"short")
    assert read_frame(stream) is None


def test_a_job_that_cannot_be_read_is_an_error_not_a_crash() -> None:
    kind, text = run_job(scripted_lint, b"not a pickle")
    assert kind == "error" and "UnpicklingError" in text


def test_the_lint_process_freezes_its_imports_and_collects_young_objects_less_often() -> None:
    threshold = gc.get_threshold()
    try:
        settle_garbage_collector()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
