"""A process and everything under it, read with psutil: CPU time and resident memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import psutil

MB = 1024 * 1024


class ProcessTree:
    """``rfc-bot serve`` and its descendants: the supervisor, the serving workers, their lint
    processes (whatever is alive when asked)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)

    def processes(self) -> Iterator[psutil.Process]:
        yield self.root
        try:
            yield from self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            return

    def cpu_seconds(self) -> float:
        """User + system time of every live member, and of the children each has reaped (a
        lint process replaced after a timeout still counts)."""
        total = 0.0
        for process in self.processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system + times.children_user + times.children_system
        return total

    def rss_mb(self) -> tuple[float, Counter[str]]:
        """Resident memory of the tree in MB, and by role (supervisor, worker, lint)."""
        roles: Counter[str] = Counter()
        for process in self.processes():
            try:
                rss = process.memory_info().rss / MB
                role = self._role(process)
            except psutil.NoSuchProcess:
                continue
            roles[role] += rss
        return sum(roles.values()), roles

    def _role(self, process: psutil.Process) -> str:
        if process.pid == self.root.pid:
            return "server"  # the supervisor, or the one serving process under --workers 1
        if "bot.lint_pool.child" in " ".join(process.cmdline()):
            return "lint"
        return "worker"


def descendants(pid: int) -> list[int]:
    """Every live process under ``pid``."""
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(pids: list[int]) -> float:
    """User + system time of the live processes among ``pids``."""
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total
