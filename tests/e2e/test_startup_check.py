"""Bad credentials never look healthy: real ``rfc-bot serve`` and ``rfc-bot action`` processes
against the simulator stop at start-up with one line that says what to fix, and exit 2; never
"listening", never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.e2e.processes import REPO, ROOT, START_SECONDS, free_port, serve_environment
from tests.github_api import installation_token

# An unreachable GitHub is asked again for about 10 s before start-up gives up.
UNREACHABLE_SECONDS = START_SECONDS + 15


@dataclass
class Ended:
    code: int
    stderr: str

    def error_line(self) -> str:
        """The one error line; fails the test on a traceback, "listening" or another error."""
        assert "Traceback" not in self.stderr, self.stderr
        assert "listening" not in self.stderr, self.stderr
        errors = [line for line in self.stderr.splitlines() if line.startswith("rfc-bot: error:")]
        assert len(errors) == 1, self.stderr
        assert self.code == 2, self.stderr
        return errors[0].removeprefix("rfc-bot: error: ")


async def ended(*argv: str, env: dict[str, str], seconds: float = START_SECONDS) -> Ended:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *argv,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"`rfc-bot {argv[0]}` still running after {seconds} s")
    assert process.returncode is not None
    return Ended(process.returncode, err.decode())


def other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.fixture
def repo(sim: Simulator) -> Repo:
    sim.clock.follow_the_machine()  # the processes sign JWTs with the machine's clock
    return sim.create_repo(REPO, files={"README.md": "# RFCs\n"})


async def serve(sim: Simulator, workers: int, **settings: str) -> Ended:
    environ = serve_environment(sim, free_port(), **settings)
    return await ended("serve", "--workers", str(workers), env=environ)


@pytest.mark.parametrize("workers", [1, 2])
async def test_a_wrong_app_id(sim: Simulator, repo: Repo, workers: int) -> None:
    line = (await serve(sim, workers, GITHUB_APP_ID="999")).error_line()
    assert line.startswith(
        "GITHUB_APP_ID 999 and the private key do not belong together: GitHub answered 401 "
        "A JSON web token could not be decoded to GET /app;"
    )
    assert [r.path for r in sim.requests] == ["/app"]  # one question, no worker started


async def test_a_wrong_key(sim: Simulator, repo: Repo) -> None:
    line = (await serve(sim, 1, GITHUB_PRIVATE_KEY=other_key())).error_line()
    assert line.startswith(f"GITHUB_APP_ID {sim.app_id} and the private key do not belong")
    assert "PRIVATE KEY" not in line


async def test_a_key_that_is_not_rsa(sim: Simulator, repo: Repo) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    line = (await serve(sim, 1, GITHUB_PRIVATE_KEY=pem)).error_line()
    assert line == "GITHUB_PRIVATE_KEY is not an RSA private key (GitHub Apps use RSA keys)"
    assert sim.requests == []  # refused before asking GitHub


async def test_the_only_installation_suspended(sim: Simulator, repo: Repo) -> None:
    sim.suspend_installation(repo)
    line = (await serve(sim, 1)).error_line()
    assert line.startswith(f"the App's installation on octo-org (id {repo.installation_id}) is")
    assert "unsuspend it" in line


async def test_an_unreachable_api_url_is_asked_again_then_named(sim: Simulator, repo: Repo) -> None:
    url = closed_url()
    environ = serve_environment(sim, free_port(), GITHUB_API_URL=url)
    result = await ended("serve", "--workers", "1", env=environ, seconds=UNREACHABLE_SECONDS)
    line = result.error_line()
    assert line.startswith(f"GITHUB_API_URL {url} cannot be reached: 127.0.0.1:")
    assert "refused the connection" in line


async def test_github_down_for_a_moment_at_start_up_is_waited_for(
    sim: Simulator, repo: Repo
) -> None:
    """Two 502s, then GitHub answers: the server starts."""
    sim.fail("GET", r"^/app$", 502, times=2)
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "serve", "--workers", "1"),
        cwd=ROOT,
        env=serve_environment(sim, port, LOG_LEVEL="INFO", RECONCILE_INTERVAL="0"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        while line := await asyncio.wait_for(process.stderr.readline(), START_SECONDS):
            if b"rfc-bot listening" in line:
                break
        record = json.loads(line)
        assert record["github"].startswith("App rfc-bot (id 4242), a token for its")
        assert [r.status for r in sim.requests if r.path == "/app"] == [502, 502, 200]
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), START_SECONDS)


# --- rfc-bot action ------------------------------------------------------------------------


async def action(sim: Simulator, tmp_path: Path, token: str, **env: str) -> Ended:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"schedule": "17 * * * *"}), encoding="utf-8")
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_EVENT_NAME": "schedule",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_TOKEN": token,
        "GITHUB_API_URL": sim.base_url,
        "GITHUB_REPOSITORY": REPO,
        "RFC_BOT_SECRET": "a-repository-secret",
        **env,
    }
    return await ended("action", env=environ, seconds=UNREACHABLE_SECONDS)


async def test_action_with_a_refused_token(sim: Simulator, repo: Repo, tmp_path: Path) -> None:
    line = (await action(sim, tmp_path, "ghs_forged")).error_line()
    assert line.startswith(
        f"GITHUB_TOKEN is not accepted by GitHub at {sim.base_url} (401 Bad credentials)"
    )
    assert [r.path for r in sim.requests] == [f"/repos/{REPO}"]


async def test_action_with_a_token_that_cannot_see_the_repository(
    sim: Simulator, repo: Repo, tmp_path: Path
) -> None:
    assert repo.installation_id is not None
    token = await installation_token(sim, repo.installation_id)
    line = (await action(sim, tmp_path, token, GITHUB_REPOSITORY="octo-org/elsewhere")).error_line()
    assert line.startswith("GITHUB_TOKEN cannot read GITHUB_REPOSITORY octo-org/elsewhere (404")


async def test_action_with_an_unreachable_api_url(
    sim: Simulator, repo: Repo, tmp_path: Path
) -> None:
    url = closed_url()
    line = (await action(sim, tmp_path, "ghs_any", GITHUB_API_URL=url)).error_line()
    assert line.startswith(f"GITHUB_API_URL {url} cannot be reached: 127.0.0.1:")
