"""``rfc-bot serve`` in this process: settings refused with one line, the GC tuning of a
serving process, and the supervisor with stand-ins for its workers (tests/e2e/test_workers.py
runs the real ``rfc-bot serve`` processes)."""

from __future__ import annotations

import dataclasses
import gc
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.serve import supervisor
from bot.serve.processes import StartupError
from bot.serve.settings import Settings
from bot.serve.supervisor import (
    GC_YOUNG_THRESHOLD,
    Supervisor,
    lint_processes_per_worker,
    tune_gc,
)
from bot.serve.worker import ENV_INDEX, RECONCILE_LEADER


def test_tune_gc_raises_the_young_threshold_and_freezes_start_up_objects() -> None:
    threshold = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *threshold[1:])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_main_names_missing_setting_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (
        "GITHUB_APP_ID",
        "GITHUB_PRIVATE_KEY",
        "GITHUB_PRIVATE_KEY_PATH",
        "GITHUB_WEBHOOK_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    assert supervisor.main() == 2
    assert capsys.readouterr().err == "rfc-bot: error: GITHUB_APP_ID is not set\n"


def test_main_bad_key_not_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", "sekrit-not-a-key")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "a-long-enough-secret")
    assert supervisor.main() == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot: error: GITHUB_PRIVATE_KEY is not a PEM-encoded private key")
    assert "sekrit" not in err


def test_main_refuses_a_short_webhook_secret_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], private_key_pem: str
) -> None:
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", private_key_pem)
    monkeypatch.delenv("GITHUB_PRIVATE_KEY_PATH", raising=False)
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "e")
    assert supervisor.main() == 2
    assert capsys.readouterr().err == (
        "rfc-bot: error: GITHUB_WEBHOOK_SECRET must be at least 16 characters"
        " (use a random value, e.g. the output of `openssl rand -hex 32`)\n"
    )


@pytest.mark.parametrize(
    ("cpus", "web", "lint"), [(2, 2, 1), (8, 2, 4), (1, 4, 1), (16, 3, 5), (4, 0, 4)]
)
def test_lint_workers_share_the_cpus_among_the_serving_processes(
    cpus: int, web: int, lint: int
) -> None:
    assert lint_processes_per_worker(cpus, web) == lint


def test_cpus_is_at_least_one() -> None:
    assert supervisor.usable_cpus() >= 1


def environment(settings: Settings) -> dict[str, str]:
    return {
        "GITHUB_APP_ID": settings.app_id,
        "GITHUB_PRIVATE_KEY": settings.private_key,
        "GITHUB_WEBHOOK_SECRET": settings.webhook_secret,
        "HOST": "127.0.0.1",
        "PORT": "8000",
    }


def test_main_refuses_a_bad_setting_with_2(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = environment(settings) | {"WEB_CONCURRENCY": "0"}
    assert supervisor.main(None, environ) == 2
    assert "WEB_CONCURRENCY must be a number between 1 and 64" in capsys.readouterr().err


def test_main_serves_in_process_for_one_worker_or_a_worker_role(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[Any] = []
    monkeypatch.setattr(supervisor, "run", lambda settings, role=None: served.append(role))
    assert supervisor.main(1, environment(settings)) == 0
    role = {
        ENV_INDEX: "1",
        "RFC_BOT_WORKER_COUNT": "2",
        "RFC_BOT_PARENT_PID": "1",
        "RFC_BOT_PARENT_PIPE": "9",
        "RFC_BOT_WORKER_SOCKETS": str(tmp_path),
    }
    assert supervisor.main(None, environment(settings) | role) == 0
    assert served[0] is None and served[1].index == 1


def test_main_supervises_several(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    counts: list[int] = []
    monkeypatch.setattr(Supervisor, "run", lambda self: counts.append(self.count) or 0)
    assert supervisor.main(None, environment(settings) | {"WEB_CONCURRENCY": "3"}) == 0
    assert supervisor.main(2, environment(settings) | {"WEB_CONCURRENCY": "3"}) == 0
    assert counts == [3, 2]


RECORD = (
    "import json, os, sys, time\n"
    f"index = os.environ['{ENV_INDEX}']\n"
    "out = os.path.join(sys.argv[1], 'worker-%s-%d.json' % (index, os.getpid()))\n"
    f"keys = ('{ENV_INDEX}', '{RECONCILE_LEADER}', 'LINT_WORKERS', 'PORT')\n"
    "keys += ('RFC_BOT_WORKER_COUNT',)\n"
    "json.dump({k: os.environ.get(k) for k in keys}, open(out, 'w'))\n"
    "code = int(os.environ.get('EXIT_CODE', '-1'))\n"
    "sys.exit(code) if code >= 0 else time.sleep(60)\n"
)


def supervise(
    settings: Settings, tmp_path: Path, environ: dict[str, str], until: Any, count: int = 2
) -> tuple[Supervisor, int]:
    """Run a supervisor of ``count`` stand-in workers until ``until()`` (or 20 s)."""
    loopback = dataclasses.replace(settings, host="127.0.0.1", port=0)
    boss = Supervisor(
        loopback,
        count,
        environ,
        command=(sys.executable, "-c", RECORD, str(tmp_path)),
        startup_check=None,  # no GitHub here: tests/e2e/test_startup_check.py checks it
    )

    def stop_when_done() -> None:
        deadline = time.monotonic() + 20
        while not until() and not boss.stopping and time.monotonic() < deadline:
            time.sleep(0.05)
        boss.stop()

    watcher = threading.Thread(target=stop_when_done)
    watcher.start()
    code = boss.run()  # the main thread: it installs signal handlers
    watcher.join()
    return boss, code


def records(tmp_path: Path) -> list[dict[str, str]]:
    found = []
    for path in sorted(tmp_path.glob("worker-*.json")):
        try:
            found.append(json.loads(path.read_text()))
        except ValueError:  # being written
            continue
    return found


def test_workers_get_their_index_one_leader_the_port_and_lint_workers(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervisor, "usable_cpus", lambda: 4)
    boss, code = supervise(settings, tmp_path, {}, lambda: len(records(tmp_path)) == 2)
    assert code == 0
    seen = sorted(records(tmp_path), key=lambda r: r[ENV_INDEX])
    assert [(r[ENV_INDEX], r[RECONCILE_LEADER]) for r in seen] == [("0", "1"), ("1", "0")]
    assert {r["LINT_WORKERS"] for r in seen} == {"2"}  # 4 CPUs, 2 workers
    assert {r["RFC_BOT_WORKER_COUNT"] for r in seen} == {"2"}
    (port,) = {r["PORT"] for r in seen}
    assert port != "0"  # the supervisor chose one port for all
    assert all(child.process.poll() is not None for child in boss.children.values())


def test_a_set_lint_workers_is_kept(settings: Settings, tmp_path: Path) -> None:
    supervise(settings, tmp_path, {"LINT_WORKERS": "7"}, lambda: len(records(tmp_path)) == 2)
    assert {r["LINT_WORKERS"] for r in records(tmp_path)} == {"7"}


def test_a_worker_that_dies_is_restarted(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervisor, "RESTART_BACKOFF_SECONDS", (0.01,))
    _, code = supervise(
        settings, tmp_path, {"EXIT_CODE": "3"}, lambda: len(records(tmp_path)) >= 3, count=1
    )
    assert code == 0
    assert len(records(tmp_path)) >= 3  # started, died, started again ...


def test_a_worker_refusing_its_settings_stops_the_server_with_2(
    settings: Settings, tmp_path: Path
) -> None:
    _, code = supervise(settings, tmp_path, {"EXIT_CODE": "2"}, lambda: False, count=1)
    assert code == 2


def test_github_refusing_stops_the_supervisor_before_any_worker_starts(
    settings: Settings, tmp_path: Path
) -> None:
    checked: list[Settings] = []

    def refuse(settings: Settings) -> str:
        checked.append(settings)
        raise StartupError("GITHUB_APP_ID 4242 and the private key do not belong together")

    loopback = dataclasses.replace(settings, host="127.0.0.1", port=0)
    boss = Supervisor(
        loopback, 2, {}, command=(sys.executable, "-c", RECORD, str(tmp_path)), startup_check=refuse
    )
    with pytest.raises(StartupError, match="do not belong together"):
        boss.run()
    assert checked == [loopback]
    assert boss.children == {} and records(tmp_path) == []


def test_a_worker_that_ignores_sigterm_is_killed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervisor, "STOP_GRACE_SECONDS", 0.2)
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "open(__import__('sys').argv[1] + '/up', 'w').close(); time.sleep(60)"
    )
    loopback = dataclasses.replace(settings, host="127.0.0.1", port=0)
    boss = Supervisor(
        loopback, 1, {}, command=(sys.executable, "-c", stubborn, str(tmp_path)), startup_check=None
    )
    threading.Thread(target=lambda: (_wait_for(tmp_path / "up"), boss.stop()), daemon=True).start()
    assert boss.run() == 0
    (child,) = boss.children.values()
    assert child.process.returncode == -9


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 20
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_sigterm_to_the_supervisor_stops_it(settings: Settings, tmp_path: Path) -> None:
    import os
    import signal

    def terminate() -> None:
        _wait_for(tmp_path / "up")
        os.kill(os.getpid(), signal.SIGTERM)

    waiting = "import sys, time; open(sys.argv[1] + '/up', 'w').close(); time.sleep(60)"
    loopback = dataclasses.replace(settings, host="127.0.0.1", port=0)
    boss = Supervisor(
        loopback, 1, {}, command=(sys.executable, "-c", waiting, str(tmp_path)), startup_check=None
    )
    threading.Thread(target=terminate, daemon=True).start()
    assert boss.run() == 0
    (child,) = boss.children.values()
    assert child.process.returncode == -signal.SIGTERM
