"""The typed GitHub calls run against the simulator, authenticated as the installation.

``repo``, ``session`` and ``gh`` come from the simulator's own test fixtures; ``sim`` is the
strict one of tests/conftest.py, which fails a test whose requests depart from GitHub's REST
description.
"""

from __future__ import annotations

from tests.sandbox.conftest import gh, repo, session

__all__ = ["gh", "repo", "session"]
