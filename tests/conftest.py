"""Fixtures for every test, and the hypothesis profiles.

``sim`` is a started GitHub simulator that fails the test when the App made a request GitHub's
REST description does not document (tests/sandbox, which sends such requests on purpose,
overrides it). ``repo``, ``session`` and ``gh`` (a client authenticated as the installation on
``repo``) serve the tests of the simulator and of the typed GitHub calls alike. ``scene`` is the
dashboard demo's scene (``sandbox.dashboard_demo``): the App with its dashboard on, and RFC
pull requests in every state; it too fails on an undocumented request.

Hypothesis: with the environment variable ``CI`` set (``.ci/run`` sets it), the "ci" profile
runs: derandomized, so a CI run passes or fails by the code, never by the draw; no example
database and no deadline (timing is never a test assertion). Bugs hypothesis found stay
covered by an ``@example`` on the test that found them.

The simulator's clock (GitHub's, which the App under test reads too) starts at the machine's
time plus a random offset of up to five years, printed in the header: no test may depend on the
day it runs. ``SIM_CLOCK_OFFSET_SECONDS=N`` reproduces a run's offset.
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest
from hypothesis import settings

from sandbox.dashboard_demo import Scene, start_scene
from sandbox.sim_state import CLOCK_OFFSET_VARIABLE, Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI, app_jwt

# Hypothesis has a "ci" profile of its own, loaded when CI is in the environment; this one says
# what we rely on, whatever the installed version.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
if "CI" in os.environ:
    settings.load_profile("ci")


FIVE_YEARS_SECONDS = 5 * 366 * 86400


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(CLOCK_OFFSET_VARIABLE):  # inherited by every process a test starts
        os.environ[CLOCK_OFFSET_VARIABLE] = str(random.randint(86400, FIVE_YEARS_SECONDS))


def pytest_report_header(config: pytest.Config) -> str:
    offset = os.environ[CLOCK_OFFSET_VARIABLE]
    reproduce = f"{CLOCK_OFFSET_VARIABLE}={offset}"
    return f"simulator clock: the machine's time + {offset} s (reproduce: {reproduce})"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    if simulator.violations:
        listed = "\n  ".join(simulator.violations)
        pytest.fail(
            f"requests that do not match GitHub's REST description:\n  {listed}", pytrace=False
        )


@pytest.fixture
async def scene() -> AsyncIterator[Scene]:
    async with AsyncExitStack() as stack:
        built = await start_scene(stack)
        yield built
        violations = list(built.sim.violations)
    if violations:
        pytest.fail(
            "requests GitHub's REST description does not document:\n  " + "\n  ".join(violations),
            pytrace=False,
        )


@pytest.fixture
def repo(sim: Simulator) -> Repo:
    return sim.create_repo(
        "octo-org/rfcs", files={"README.md": "# RFCs\n", "rfcs/README.md": "# Index\n"}
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def gh(sim: Simulator, repo: Repo, session: aiohttp.ClientSession) -> VersionedGitHubAPI:
    """A client authenticated as the App's installation on ``repo``."""
    app = VersionedGitHubAPI(session, "rfc-bot-tests", base_url=sim.base_url)
    issued = await app.post(
        f"/app/installations/{repo.installation_id}/access_tokens", data=b"", jwt=app_jwt(sim)
    )
    return VersionedGitHubAPI(
        session, "rfc-bot-tests", oauth_token=issued["token"], base_url=sim.base_url
    )
