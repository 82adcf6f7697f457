"""A git repository built in a test, with GitHub's merges and the App's signed commits, for
`rfc-bot audit`."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.policy.provenance import (
    DecisionTrailer,
    StatusMove,
    numbering_trailers,
    signing_key,
    status_trailers,
)

ROOT = Path(__file__).resolve().parents[2]
# The shape of `rfc-bot audit --format json`.
SCHEMA: dict[str, Any] = json.loads((ROOT / "docs" / "audit.schema.json").read_text("utf-8"))
SECRET = "audit-test-secret"
KEY = signing_key(SECRET)
REPO = "octo-org/rfcs"
BOT = "rfc-bot[bot]"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class History:
    """A repository on branch main; each commit one minute after the last, by its author."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = START
        self.run("init", "-q", "-b", "main")

    def run(self, *args: str, author: str = "alice") -> str:
        self.clock += timedelta(minutes=1)
        stamp = self.clock.isoformat()
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author}@example.com",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": f"{author}@example.com",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "HOME": str(self.root),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        }
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, check=True, capture_output=True
        )
        return done.stdout.decode().strip()

    def commit(self, files: dict[str, str | None], message: str, author: str = "alice") -> str:
        """Write (None: delete) the files and commit them; returns the sha."""
        for name, text in files.items():
            path = self.root / name
            if text is None:
                self.run("rm", "-q", name)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            self.run("add", name)
        self.run("commit", "-q", "--allow-empty", "-m", message, author=author)
        return self.run("rev-parse", "HEAD")

    def branch(self, name: str, start: str = "main") -> None:
        self.run("checkout", "-q", "-b", name, start)

    def merge(self, branch: str, pull: int, author: str = "mona") -> str:
        """GitHub's merge commit of pull request ``pull`` into main."""
        self.run("checkout", "-q", "main")
        message = f"Merge pull request #{pull} from alice/{branch}"
        self.run("merge", "-q", "--no-ff", "-m", message, branch, author=author)
        return self.run("rev-parse", "HEAD")

    def rename(self, old: str, new: str, pull: int) -> str:
        """The App's numbering commit on main."""
        self.run("mv", old, new)
        trailers = numbering_trailers(KEY, REPO, pull, [(old, new)])
        message = f"Assign RFC number {new[5:9]}\n\nNumbered after #{pull}.\n\n{trailers}\n"
        self.run("commit", "-q", "-m", message, author=BOT)
        return self.run("rev-parse", "HEAD")

    def blob(self, path: str, rev: str = "HEAD") -> str:
        return self.run("rev-parse", f"{rev}:{path}")


def app_message(
    path: str,
    current: str,
    target: str,
    pull: int,
    decision: DecisionTrailer | None = None,
    *,
    key: bytes = KEY,
    repo: str = REPO,
) -> str:
    """The message of the App's status commit, as bot.features.status writes it."""
    name = path.rsplit("/", 1)[-1].removesuffix(".md")
    trailers = status_trailers(key, repo, pull, StatusMove(path, current, target), decision)
    return (
        f"RFC {name}: status {current} -> {target}\n\n"
        f"Requested by @mona in https://github.com/{repo}/pull/{pull}\n\n{trailers}\n"
    )


def decision(blob: str, *approvers: str) -> DecisionTrailer:
    """A decision approved by ``approvers`` with a one-minute comment period."""
    return DecisionTrailer(approvers, START, START + timedelta(minutes=1), blob)
