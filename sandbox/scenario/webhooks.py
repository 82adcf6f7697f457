"""The scenario API for webhooks: payloads built from the state (see sandbox/sim_events.py),
for a test to deliver (sandbox/delivery.py)."""

from __future__ import annotations

from typing import Any

from sandbox import sim_events
from sandbox.github import GitHub, RepoRef
from sandbox.sim_state import Review


class Webhooks(GitHub):
    """The webhook payloads GitHub would send about the scene."""

    def event_pull_request(
        self, repo: RepoRef, number: int, action: str, **extra: Any
    ) -> dict[str, Any]:
        return sim_events.pull_request(self, self._repo(repo), number, action, extra)

    def event_issue_comment(
        self,
        repo: RepoRef,
        number: int,
        comment: dict[str, Any],
        action: str = "created",
        changes: dict[str, Any] | None = None,
        sender: str | None = None,
    ) -> dict[str, Any]:
        """An ``issue_comment`` payload; ``sender``: who acted (an edit may be anyone's with
        write access; by default the comment's author)."""
        return sim_events.issue_comment(
            self, self._repo(repo), number, comment, action, changes, sender
        )

    def event_pull_request_review(
        self,
        repo: RepoRef,
        number: int,
        review: Review,
        action: str = "submitted",
        changes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A ``pull_request_review`` payload (``submitted``, ``edited`` or ``dismissed``)
        for a review made by ``submit_review`` (and ``dismiss_review``)."""
        return sim_events.pull_request_review(
            self, self._repo(repo), number, review, action, changes
        )

    def event_check_run(
        self, repo: RepoRef, check_run_id: int, action: str = "rerequested"
    ) -> dict[str, Any]:
        return sim_events.check_run(self, self._repo(repo), check_run_id, action)

    def event_check_suite(
        self, repo: RepoRef, head_sha: str, action: str = "rerequested"
    ) -> dict[str, Any]:
        return sim_events.check_suite(self, self._repo(repo), head_sha, action)

    def event_installation(self, action: str = "created") -> dict[str, Any]:
        return sim_events.installation(self, action)
